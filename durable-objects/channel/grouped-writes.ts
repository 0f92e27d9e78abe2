// Group commit for the channel's D1 writes: while one batch is on its way to D1, the writes of
// other chats queue up and leave together in the next batch. Under load a busy channel makes one
// D1 round trip for many messages instead of several per message; a lone message waits only for
// the runtime's next look at its I/O (a zero timer). Each caller's statements stay together in
// one transaction, in the order given, with one exception: rows a batch inserts more than once
// with the same one-row insert (`prebuiltRow`) are written by one statement at the end of it.
// Such inserts read nothing back, and no caller reads in the same call a row it inserts so.
import type { RowsInsert, Statement } from "../../worker/db/prebuilt";
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

  constructor(private readonly d1: D1Database) {}

  /** Runs `statements` as one unit (possibly in a batch with other callers'); resolves with their results. */
  run<T extends Statements>(statements: T): Promise<Results<T>> {
    return new Promise((resolve, reject) => {
      this.queue.push({ statements, resolve: resolve as (results: unknown[]) => void, reject });
      // Writes issued before the runtime next looks at its I/O leave together: the chats that
      // resumed in the same round of the event loop (each after its own pause) share one batch.
      // A microtask would send each chat's writes alone. The first write queued while nothing is
      // being sent schedules the send; a send under way takes whatever queues meanwhile.
      if (!this.sending && this.queue.length === 1) void ioPause().then(() => this.send());
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
    const { batch, resultOf } = this.mergeRows(group.flatMap((pending) => pending.statements));
    let results: D1Result[];
    try {
      results = await this.d1.batch(batch);
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      // One caller's failing statement (or D1 itself) fails the whole transaction: each caller
      // tries again alone, so only the writes that really fail report an error.
      await Promise.all(group.map((pending) => this.sendGroup([pending])));
      return;
    }
    let offset = 0;
    for (const pending of group) {
      const first = offset;
      pending.resolve(
        pending.statements.map((statement, index) => {
          const at = resultOf[first + index];
          return statement.read(at === undefined ? EMPTY : results[at]!);
        }),
      );
      offset += pending.statements.length;
    }
  }

  /**
   * The batch for `statements`: each in its place, except one-row inserts of a kind that occurs
   * more than once, whose rows are written together by one statement at the end (their results
   * are not read). `resultOf[i]` is the index of statement i's result, undefined when merged.
   */
  private mergeRows(statements: readonly Statement<unknown>[]): { batch: D1PreparedStatement[]; resultOf: (number | undefined)[] } {
    const kinds = new Map<RowsInsert, unknown[][]>();
    for (const { row } of statements) {
      if (!row) continue;
      const values = kinds.get(row.rows);
      if (values) values.push(row.values);
      else kinds.set(row.rows, [row.values]);
    }
    const batch: D1PreparedStatement[] = [];
    const resultOf = statements.map((statement) => {
      if (statement.row && kinds.get(statement.row.rows)!.length > 1) return undefined;
      return batch.push(statement.bound) - 1;
    });
    for (const [rows, values] of kinds) if (values.length > 1) batch.push(this.d1.prepare(rows.sql).bind(JSON.stringify(values)));
    return { batch, resultOf };
  }
}

/** What a merged row's statement reads: nothing (such statements read no result). */
const EMPTY: D1Result = { success: true, results: [], meta: {} as D1Meta & Record<string, unknown> };

