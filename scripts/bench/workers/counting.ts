// Counters for the D1-count phase of the benchmark. A D1 "round trip" is one call that goes to
// the database (run/all/first/raw/exec, or one batch); a "statement" is one SQL statement in it
// (a batch of N is one round trip and N statements). Statements are grouped by operation and
// table ("select chat_routes") so the output shows where the queries come from.

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

const realStatement = new WeakMap<object, D1PreparedStatement>();

function countingStatement(real: D1PreparedStatement, sql: string): D1PreparedStatement {
  const executed = () => {
    tally.d1.roundTrips += 1;
    tally.d1.statements += 1;
    count(tally.d1, sql);
  };
  const statement = {
    bind: (...values: unknown[]) => countingStatement(real.bind(...values), sql),
    run: (...args: []) => (executed(), real.run(...args)),
    all: (...args: []) => (executed(), real.all(...args)),
    raw: (...args: [any]) => (executed(), real.raw(...args)),
    first: (...args: [any]) => (executed(), real.first(...args)),
  } as unknown as D1PreparedStatement;
  // batch() receives these wrappers: it needs the real statement to pass on, and the SQL to label.
  realStatement.set(statement, real);
  (statement as unknown as { sql: string }).sql = sql;
  return statement;
}

export function countingD1(real: D1Database): D1Database {
  return {
    prepare: (sql: string) => countingStatement(real.prepare(sql), sql),
    batch: (statements: D1PreparedStatement[]) => {
      tally.d1.roundTrips += 1;
      tally.d1.statements += statements.length;
      for (const statement of statements) count(tally.d1, (statement as unknown as { sql: string }).sql ?? "?");
      return real.batch(statements.map((statement) => realStatement.get(statement) ?? statement));
    },
    exec: (sql: string) => {
      tally.d1.roundTrips += 1;
      tally.d1.statements += 1;
      count(tally.d1, sql);
      return real.exec(sql);
    },
    withSession: () => {
      throw new Error("bench counting: withSession is not wrapped (Switchboard does not use it)");
    },
    dump: () => real.dump(),
  } as unknown as D1Database;
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
