// Runs stored inbound events: one chain per chat, in arrival order. Commands overtake a running
// agent turn whenever they arrive (so /new or /switch work while a slow agent thinks); the next
// agent turn of the same chat waits for it.
import type { LogLevel } from "../../worker/db/logs";
import type { HandleResult } from "./conversation";
import { ioPause } from "./io-pause";
import type { InboxRow, LocalStore } from "./local-store";

/** Attempts before an event that keeps failing (e.g. D1 unavailable) is given up. */
export const MAX_HANDLE_ATTEMPTS = 5;

export interface InboxHooks {
  handle(row: InboxRow): Promise<HandleResult>;
  /** Called when an event is given up, so the user hears that it failed. */
  giveUp(row: InboxRow, error: Error): void;
  log(level: LogLevel, event: string, message: string, detail?: Record<string, unknown>): void;
  /**
   * Runs after each handled event: starts delivering its replies without waiting for them, so
   * the chat's next event is handled meanwhile (the outbox keeps the chat's replies in order).
   */
  afterEvent(row: InboxRow): void;
  /** True when the stored event is a chat command (recognised at ingest). */
  isCommand(row: InboxRow): boolean;
  /** True while the channel is stopped: events stay queued, none is handled. */
  paused(): boolean;
}

/**
 * Events handled at once, in arrival order. One round of them fills one D1 batch (the group
 * commit's limit, 32 callers): fewer made more, smaller batches and cost more CPU per event; more
 * only delayed every chat's answer (measured in docs/performance.md). Agent turns that wait on a
 * backend do not hold a place.
 */
export const HANDLING_CONCURRENCY = 32;

export class InboxProcessor {
  private readonly chains = new Map<string, Promise<void>>();
  /** Wakes a chain that waits on its agent turn, so a command that just arrived is seen at once. */
  private readonly wakers = new Map<string, () => void>();
  private readonly places = new Places(HANDLING_CONCURRENCY);

  constructor(
    private readonly store: LocalStore,
    private readonly hooks: InboxHooks,
  ) {}

  /** Starts a chain for every chat with due events that has none running, and wakes the others. */
  kick(): void {
    if (this.hooks.paused()) return;
    // A chat whose agent turn is running has no due head (the turn's row is running), so new
    // events there are found only by waking its chain.
    for (const wake of this.wakers.values()) wake();
    for (const chatKey of this.store.dueChats()) {
      if (!this.chains.has(chatKey)) this.startChain(chatKey);
    }
  }

  /** A new event of `chatKey` was stored during a pass: that chat's chain wakes, or starts. */
  kickChat(chatKey: string): void {
    if (this.hooks.paused()) return;
    this.wakers.get(chatKey)?.();
    if (!this.chains.has(chatKey)) this.startChain(chatKey);
  }

  private startChain(chatKey: string): void {
    const chain = this.runChain(chatKey).finally(() => this.chains.delete(chatKey));
    this.chains.set(chatKey, chain);
  }

  /** Resolves when every chain (including ones started meanwhile) has finished. */
  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  private async runChain(chatKey: string): Promise<void> {
    let agentTurn: Promise<void> | null = null;
    let turnSettled = false;
    for (;;) {
      // A place first, then the chat's next event: a pass that starts hundreds of chains reads
      // their rows as places free up, instead of all at once before a delivery can be answered.
      const release = await this.places.take();
      // Deliveries that arrived meanwhile are taken in (and acknowledged) before this event:
      // without the pause, a pass over a backlog whose work waits only on in-process services
      // (the local D1) took in no delivery until it ended, and every webhook stalled for seconds.
      await ioPause();
      // Stopped: no new handling starts; what is queued waits for the next start.
      const row = this.hooks.paused() ? null : this.store.nextInbound(chatKey);
      if (!row) {
        release();
        if (!agentTurn) return;
        await Promise.race([agentTurn, this.wakeUp(chatKey)]);
        this.wakers.delete(chatKey);
        if (turnSettled) agentTurn = null;
        continue;
      }
      if (agentTurn && !this.hooks.isCommand(row)) {
        release();
        await agentTurn;
        agentTurn = null;
        continue; // read the chat again: the channel may have stopped meanwhile
      }
      this.store.markInboundRunning(row);
      let result: HandleResult;
      try {
        result = await this.hooks.handle(row);
      } catch (error) {
        this.failed(row, error as Error);
        continue;
      } finally {
        release();
      }
      if (result.background) {
        turnSettled = false;
        agentTurn = result.background
          .then(
            () => this.finished(row),
            (error: Error) => this.failed(row, error),
          )
          .finally(() => {
            turnSettled = true;
          });
      } else {
        this.finished(row);
      }
    }
  }

  private wakeUp(chatKey: string): Promise<void> {
    return new Promise((resolve) => this.wakers.set(chatKey, resolve));
  }

  private finished(row: InboxRow): void {
    this.store.finishInbound(row, "done");
    this.hooks.afterEvent(row);
  }

  private failed(row: InboxRow, error: Error): void {
    const attempts = row.attempts + 1;
    const detail = { eventId: row.eventId, attempt: attempts };
    if (attempts >= MAX_HANDLE_ATTEMPTS) {
      this.store.finishInbound(row, "failed");
      this.hooks.log("error", "inbound.failed", `Gave up handling a message after ${attempts} attempts: ${error.message}`, detail);
      this.hooks.giveUp(row, error);
      return;
    }
    this.store.retryInboundLater(row, Date.now() + 1000 * 2 ** attempts);
    this.hooks.log("warn", "inbound.retry", `Handling failed, will retry: ${error.message}`, detail);
  }
}

/** A first-come, first-served limit on work in progress. */
class Places {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(count: number) {
    this.free = count;
  }

  /** Resolves with a release function once a place is free. */
  async take(): Promise<() => void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free += 1;
    };
  }
}
