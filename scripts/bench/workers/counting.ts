// Counters for the D1-count phase of the benchmark. A D1 "round trip" is one call that goes to
// the database (run/all/first/raw/exec, or one batch); a "statement" is one SQL statement in it
// (a batch of N is one round trip and N statements), both seen through hooked-d1.ts.
// Statements are grouped by operation and table ("select chat_routes") so the output shows
// where the queries come from.
import { hookedD1 } from "./hooked-d1";

export const tally = {
  d1: { roundTrips: 0, statements: 0, byStatement: {} as Record<string, number> },
  /** The ChannelDO's own SQLite (ctx.storage.sql.exec calls): local, no network. */
  doSql: { measured: true, statements: 0, byStatement: {} as Record<string, number> },
};

function label(sql: string): string {
  const text = sql.trim().replace(/\s+/g, " ");
  const verb = /^(\w+)/.exec(text)?.[1]?.toLowerCase() ?? "?";
  const table =
    /^(?:insert(?: or \w+)? into|update|delete from)\s+[`"]?(\w+)/i.exec(text)?.[1] ??
    /\bfrom\s+[`"(]?(\w+)/i.exec(text)?.[1] ??
    "";
  return `${verb} ${table}`.trim();
}

function count(group: { byStatement: Record<string, number> }, sql: string): void {
  const key = label(sql);
  group.byStatement[key] = (group.byStatement[key] ?? 0) + 1;
}

/** D1 with every round trip and statement counted. */
export function countingD1(real: D1Database): D1Database {
  return hookedD1(real, (statements) => {
    tally.d1.roundTrips += 1;
    tally.d1.statements += statements.length;
    for (const sql of statements) count(tally.d1, sql);
  });
}

/**
 * Counts the ChannelDO's `ctx.storage.sql.exec` calls. The DurableObject base class insists on
 * the real DurableObjectState, so instead of wrapping ctx this gives its storage object an own
 * `sql` property (a counting proxy) before the product constructor reads it. Returns false when
 * the runtime does not allow that (then the DO-SQL figures are reported as not measured).
 */
export function countStorageSql(ctx: DurableObjectState): boolean {
  const storage = ctx.storage;
  const sql = storage.sql;
  const counted = new Proxy(sql, {
    get(target, key) {
      if (key === "exec") {
        return (query: string, ...bindings: unknown[]) => {
          tally.doSql.statements += 1;
          count(tally.doSql, query);
          return target.exec(query, ...bindings);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  try {
    Object.defineProperty(storage, "sql", { value: counted, configurable: true });
  } catch {
    return false;
  }
  return ctx.storage.sql === counted;
}
