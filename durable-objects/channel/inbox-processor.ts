// Runs stored inbound events: one chain per chat, in arrival order. Commands may overtake a
// running agent turn (so /new or /switch work while a slow agent thinks); the next agent turn
// of the same chat waits for it.
import { parseCommand, type CommandSyntax } from "../../worker/core/commands";
import type { LogLevel } from "../../worker/db/logs";
import type { HandleResult } from "./conversation";
import type { InboxRow, LocalStore } from "./local-store";

/** Attempts before an event that keeps failing (e.g. D1 unavailable) is given up. */
export const MAX_HANDLE_ATTEMPTS = 5;

export interface InboxHooks {
  handle(row: InboxRow): Promise<HandleResult>;
  /** Called when an event is given up, so the user hears that it failed. */
  giveUp(row: InboxRow, error: Error): void;
  log(level: LogLevel, event: string, message: string, detail?: Record<string, unknown>): void;
  /** Runs after each handled event (delivers its replies promptly). */
  afterEvent(row: InboxRow): Promise<void>;
  commandSyntax(): CommandSyntax | null;
}

/**
 * Events handled at once. The object is single-threaded, so more would only interleave them and
 * delay every chat's answer; fewer, in arrival order, answers the oldest first. Agent turns that
 * wait on a backend do not hold a place.
 */
export const HANDLING_CONCURRENCY = 4;

export class InboxProcessor {
  private readonly chains = new Map<string, Promise<void>>();
  private readonly places = new Places(HANDLING_CONCURRENCY);

  constructor(
    private readonly store: LocalStore,
    private readonly hooks: InboxHooks,
  ) {}

  /** Starts a chain for every chat with due events that has none running. */
  kick(): void {
    for (const chatKey of this.store.dueChats()) {
      if (this.chains.has(chatKey)) continue;
      const chain = this.runChain(chatKey).finally(() => this.chains.delete(chatKey));
      this.chains.set(chatKey, chain);
    }
  }

  /** Resolves when every chain (including ones started meanwhile) has finished. */
  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  private async runChain(chatKey: string): Promise<void> {
    let agentTurn: Promise<void> | null = null;
    for (;;) {
      const row = this.store.nextInbound(chatKey);
      if (!row) {
        if (!agentTurn) return;
        await agentTurn;
        agentTurn = null;
        continue;
      }
      if (agentTurn && !this.isCommand(row)) {
        await agentTurn;
        agentTurn = null;
      }
      this.store.markInboundRunning(row.seq);
      let result: HandleResult;
      const release = await this.places.take();
      try {
        result = await this.hooks.handle(row);
      } catch (error) {
        this.failed(row, error as Error);
        continue;
      } finally {
        release();
      }
      if (result.background) {
        agentTurn = result.background.then(
          () => this.finished(row),
          (error: Error) => this.failed(row, error),
        );
      } else {
        await this.finished(row);
      }
    }
  }

  private isCommand(row: InboxRow): boolean {
    const syntax = this.hooks.commandSyntax();
    return syntax !== null && parseCommand(row.message.text, syntax) !== null;
  }

  private async finished(row: InboxRow): Promise<void> {
    this.store.finishInbound(row.seq, "done");
    await this.hooks.afterEvent(row);
  }

  private failed(row: InboxRow, error: Error): void {
    const attempts = row.attempts + 1;
    const detail = { eventId: row.eventId, attempt: attempts };
    if (attempts >= MAX_HANDLE_ATTEMPTS) {
      this.store.finishInbound(row.seq, "failed");
      this.hooks.log("error", "inbound.failed", `Gave up handling a message after ${attempts} attempts: ${error.message}`, detail);
      this.hooks.giveUp(row, error);
      return;
    }
    this.store.retryInboundLater(row.seq, Date.now() + 1000 * 2 ** attempts);
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
