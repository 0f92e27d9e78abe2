// Group commit for the channel's D1 writes: while one batch is on its way to D1, the writes of
// other chats queue up and leave together in the next batch. Under load a busy channel makes one
// D1 round trip for many messages instead of several per message; a lone message waits only for
// the runtime's next look at its I/O (a zero timer). Each caller's statements stay together in
// one transaction, in the order given, with one exception: statements of a mergeable kind
// (`Statement.merge`: one-row inserts, upserts returning their row, lookups by key) that occur
// more than once in a batch run as one statement per kind, after the batch's other statements.
// So no caller may read in the same call a row it writes so, nor write after such a lookup a row
// the lookup should not see.
import type { MergedKind, Statement } from "../../worker/db/prebuilt";
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
    const statements = group.flatMap((pending) => pending.statements);
    const { batch, resultOf } = this.merge(statements);
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
      pending.resolve(pending.statements.map((statement, index) => statement.read(resultOf(first + index, results))));
      offset += pending.statements.length;
    }
  }

  /**
   * The batch for `statements`: each in its place, except those of a mergeable kind that occurs
   * more than once, which run as one statement per kind at the end. `resultOf(i, results)` is
   * statement i's result: its own, its rows of a merged one, or nothing for a merged insert.
   */
  private merge(statements: readonly Statement<unknown>[]): {
    batch: D1PreparedStatement[];
    resultOf: (index: number, results: D1Result[]) => D1Result;
  } {
    const kinds = new Map<MergedKind, unknown[][]>();
    for (const { merge } of statements) {
      if (!merge) continue;
      const values = kinds.get(merge.kind);
      if (values) values.push(merge.values);
      else kinds.set(merge.kind, [merge.values]);
    }
    const batch: D1PreparedStatement[] = [];
    const own = statements.map(({ merge, bound }) => (merge && kinds.get(merge.kind)!.length > 1 ? undefined : batch.push(bound) - 1));
    const mergedAt = new Map<MergedKind, number>();
    for (const [kind, values] of kinds) {
      if (values.length > 1) mergedAt.set(kind, batch.push(this.d1.prepare(kind.sql).bind(JSON.stringify(values))) - 1);
    }
    const split = new Map<number, Map<string, Record<string, unknown>[]>>();
    return {
      batch,
      resultOf: (index, results) => {
        const at = own[index];
        if (at !== undefined) return results[at]!;
        const { kind, values } = statements[index]!.merge!;
        if (!kind.key) return EMPTY;
        const merged = mergedAt.get(kind)!;
        let rows = split.get(merged);
        if (!rows) split.set(merged, (rows = groupRows(results[merged]!.results as Record<string, unknown>[], kind.key.ofRow)));
        return { ...results[merged]!, results: rows.get(kind.key.ofValues(values)) ?? [] };
      },
    };
  }
}

/** Rows grouped by their key. */
function groupRows(rows: Record<string, unknown>[], keyOf: (row: Record<string, unknown>) => string): Map<string, Record<string, unknown>[]> {
  const byKey = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  return byKey;
}

/** What a merged insert's statement reads: nothing (such statements read no result). */
const EMPTY: D1Result = { success: true, results: [], meta: {} as D1Meta & Record<string, unknown> };

