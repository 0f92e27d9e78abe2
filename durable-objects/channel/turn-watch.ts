// The channel's running agent turns, watched by one timer for all of them instead of two each:
// each turn's time limit, and "typing…" for a turn still running after a second (refreshed while
// it runs). Two timers armed and cleared for every message were a measurable share of a busy
// channel's CPU (docs/performance.md). The timer ticks only while some turn runs.
import { timeoutError } from "../../worker/core/deadline";
import type { ChannelRuntime } from "./runtime";

export interface TurnTiming {
  /** A turn running longer than this is aborted. */
  limitMs: number;
  /** An answer within this needs no indicator (and costs no provider call). */
  typingDelayMs: number;
  /** How often the indicator is shown again while the turn runs (Telegram shows it about 5 s). */
  typingRefreshMs: number;
  /** How often the running turns are looked at: the limit and the indicator are that precise. */
  tickMs: number;
}

/** The indicator after a second, then every 4 s while the turn runs; turns looked at 4 times a second. */
export const TYPING_TIMING = { typingDelayMs: 1000, typingRefreshMs: 4000, tickMs: 250 } satisfies Partial<TurnTiming>;

/** Shows "typing…" at `address`, best effort; null when the provider has no such indicator. */
export function typingAt(runtime: ChannelRuntime, address: string): (() => void) | null {
  const { adapter, context } = runtime;
  if (!adapter.sendTyping) return null;
  return () => void adapter.sendTyping!(context, address).catch(() => undefined);
}

export interface RunningTurn {
  /** Aborts with a DOMException named "TimeoutError" when the turn runs past its limit. */
  readonly signal: AbortSignal;
  /** The turn is over: no more indicator, no abort. Idempotent. */
  finish(): void;
}

interface Turn {
  readonly controller: AbortController;
  readonly endsAt: number;
  typingAt: number;
  readonly sendTyping: (() => void) | null;
}

export class TurnWatch {
  private readonly turns = new Set<Turn>();
  private ticker: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly timing: TurnTiming) {}

  /** Watches a turn from now; `sendTyping` shows the indicator (null: the provider has none). */
  start(sendTyping: (() => void) | null): RunningTurn {
    const now = Date.now();
    const turn: Turn = { controller: new AbortController(), endsAt: now + this.timing.limitMs, typingAt: now + this.timing.typingDelayMs, sendTyping };
    this.turns.add(turn);
    this.ticker ??= setInterval(() => this.tick(), this.timing.tickMs);
    return { signal: turn.controller.signal, finish: () => this.remove(turn) };
  }

  private remove(turn: Turn): void {
    this.turns.delete(turn);
    if (this.turns.size === 0 && this.ticker !== null) {
      clearInterval(this.ticker);
      this.ticker = null;
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const turn of this.turns) {
      if (now >= turn.endsAt) {
        this.remove(turn);
        turn.controller.abort(timeoutError());
      } else if (turn.sendTyping && now >= turn.typingAt) {
        turn.typingAt = now + this.timing.typingRefreshMs;
        turn.sendTyping();
      }
    }
  }
}
