// A D1 binding that calls a hook before every round trip, for the bench's own builds: the
// counting build tallies the queries, the latency build delays them. A round trip is one call
// that goes to the database (run/all/first/raw/exec, or one batch); the hook gets its SQL (one
// statement, or a batch's statements). A hook that returns a promise holds the call until it
// settles; one that returns nothing lets it go at once, so counting adds no await.

export type RoundTripHook = (statements: string[]) => void | Promise<void>;

/** batch() receives the wrappers: it needs each real statement to pass on, and its SQL for the hook. */
const unwrapped = new WeakMap<object, { real: D1PreparedStatement; sql: string }>();

function after<T>(pending: void | Promise<void>, call: () => Promise<T>): Promise<T> {
  return pending ? pending.then(call) : call();
}

function hookedStatement(real: D1PreparedStatement, sql: string, onRoundTrip: RoundTripHook): D1PreparedStatement {
  const roundTrip = <T>(call: () => Promise<T>) => after(onRoundTrip([sql]), call);
  const statement = {
    bind: (...values: unknown[]) => hookedStatement(real.bind(...values), sql, onRoundTrip),
    run: (...args: []) => roundTrip(() => real.run(...args)),
    all: (...args: []) => roundTrip(() => real.all(...args)),
    raw: (...args: [any]) => roundTrip(() => real.raw(...args)),
    first: (...args: [any]) => roundTrip(() => real.first(...args)),
  } as unknown as D1PreparedStatement;
  unwrapped.set(statement, { real, sql });
  return statement;
}

export function hookedD1(real: D1Database, onRoundTrip: RoundTripHook): D1Database {
  return {
    prepare: (sql: string) => hookedStatement(real.prepare(sql), sql, onRoundTrip),
    batch: (statements: D1PreparedStatement[]) => {
      const parts = statements.map((statement) => unwrapped.get(statement) ?? { real: statement, sql: "?" });
      return after(onRoundTrip(parts.map((part) => part.sql)), () => real.batch(parts.map((part) => part.real)));
    },
    exec: (sql: string) => after(onRoundTrip([sql]), () => real.exec(sql)),
    withSession: () => {
      throw new Error("bench: withSession is not wrapped (Switchboard does not use it)");
    },
    dump: () => real.dump(),
  } as unknown as D1Database;
}
