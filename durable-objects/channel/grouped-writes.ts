// Group commit for the channel's D1 writes: while one batch is on its way to D1, the writes of
// other chats queue up and leave together in the next batch. Under load a busy channel makes one
// D1 round trip for many messages instead of several per message; a lone message waits only for
// the runtime's next look at its I/O (a zero timer). Each caller's statements stay together in
// one transaction, in the order given.
import type { Statement } from "../../worker/db/prebuilt";
import { ioPause } from "./io-pause";

/** Callers per batch: keeps one transaction short. */
const MAX_GROUP = 32;

type Statements = readonly [Statement<unknown>, ...Statement<unknown>[]];
type Results<T extends Statements> = { -readonly [K in keyof T]: T[K] extends Statement<infer R> ? R : never };

interface Pending {
  statements: Statements;
  resolve(results: unknown[]): void;
  reject(error: unknown): void;
}

export class GroupedWrites {
  private queue: Pending[] = [];
  private sending = false;
  private scheduled = false;

  constructor(private readonly d1: D1Database) {}

  /** Runs `statements` as one unit (possibly in a batch with other callers'); resolves with their results. */
  run<T extends Statements>(statements: T): Promise<Results<T>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ statements, resolve: resolve as (results: unknown[]) => void, reject });
      // Writes issued before the runtime next looks at its I/O leave together: the chats that
      // resumed in the same round of the event loop (each after its own pause) share one batch.
      // A microtask would send each chat's writes alone.
      if (!this.sending && !this.scheduled) {
        this.scheduled = true;
        void ioPause().then(() => {
          this.scheduled = false;
          void this.send();
        });
      }
    });
  }

  private async send(): Promise<void> {
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_GROUP);
        await this.sendGroup(group);
      }
    } finally {
      this.sending = false;
    }
  }

  private async sendGroup(group: Pending[]): Promise<void> {
    if (group.length === 1) {
      await this.sendAlone(group[0]!);
      return;
    }
    let results: D1Result[];
    try {
      results = await this.d1.batch(group.flatMap((pending) => pending.statements.map((statement) => statement.bound)));
    } catch {
      // One caller's failing statement (or D1 itself) fails the whole transaction: each caller
      // tries again alone, so only the writes that really fail report an error.
      await Promise.all(group.map((pending) => this.sendAlone(pending)));
      return;
    }
    let offset = 0;
    for (const pending of group) {
      pending.resolve(readAll(pending.statements, results.slice(offset, offset + pending.statements.length)));
      offset += pending.statements.length;
    }
  }

  private async sendAlone(pending: Pending): Promise<void> {
    let results: D1Result[];
    try {
      results = await this.d1.batch(pending.statements.map((statement) => statement.bound));
    } catch (error) {
      pending.reject(error);
      return;
    }
    pending.resolve(readAll(pending.statements, results));
  }
}

function readAll(statements: Statements, results: D1Result[]): unknown[] {
  return statements.map((statement, index) => statement.read(results[index]!));
}
