// Statements whose SQL is built once. drizzle builds a query's SQL by walking the query's tree
// on every call; on the path every message takes, that was a fifth of the channel object's CPU
// under load (docs/performance.md). These statements are built by drizzle once, with
// placeholders, and each call only binds its values (encoded by the columns, as drizzle would).
import { and, eq, getTableColumns, is, Param, Placeholder, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/** One bound statement and how to read its result: the unit of a D1 batch. */
export interface Statement<T> {
  readonly bound: D1PreparedStatement;
  read(result: D1Result): T;
  /**
   * Set on a statement that a batch holding several of the same `kind` may run as one statement
   * (see GroupedWrites), with every statement's `values` in one JSON array.
   */
  readonly merge?: { kind: MergedKind; values: unknown[] };
}

/** One statement for many statements of the same shape. */
export interface MergedKind {
  /** Takes one parameter: a JSON array of each statement's values. */
  readonly sql: string;
  /**
   * For statements whose rows are read: which result rows are whose. A row belongs to the
   * statement whose values have the row's key. Absent: the rows are not read (a plain insert).
   */
  readonly key?: RowKey;
}

interface RowKey {
  ofRow(row: Record<string, unknown>): string;
  ofValues(values: unknown[]): string;
}

type Placeholders<V> = { [K in keyof V & string]: Placeholder<K> };
type Query = { sql: string; params: unknown[] };
type Build<V> = (db: Db, p: Placeholders<V>) => { toSQL(): Query };
type Built = Query & {
  /** The parameter list for `values`, as drizzle's `fillPlaceholders` would give it. */
  bind(values: Record<string, unknown>): unknown[];
};

/** Builds the query on first use; later calls get the same SQL and parameter list. */
function once<V>(build: Build<V>): (db: Db) => Built {
  let query: Built | null = null;
  const p = new Proxy({}, { get: (_target, name) => sql.placeholder(String(name)) }) as Placeholders<V>;
  return (db) => (query ??= withBinder(build(db, p).toSQL()));
}

/**
 * Works out once how each parameter gets its value: by its placeholder's name (encoded by its
 * column, if it has one) or fixed. drizzle's `fillPlaceholders` works that out again on every
 * call, with class checks that showed in profiles of the hot path.
 */
function withBinder({ sql: text, params }: Query): Built {
  const readers = params.map((param): ((values: Record<string, unknown>) => unknown) => {
    const name = placeholderName(param);
    if (name === undefined) return () => param;
    if (is(param, Param)) return (values) => param.encoder.mapToDriverValue(valueOf(values, name));
    return (values) => valueOf(values, name);
  });
  return { sql: text, params, bind: (values) => readers.map((read) => read(values)) };
}

function valueOf(values: Record<string, unknown>, name: string): unknown {
  if (!(name in values)) throw new Error(`No value for placeholder "${name}" was provided`);
  return values[name];
}

/**
 * A statement shape: `build` writes the drizzle query with `p.<name>` where a value goes; the
 * returned function binds `values` by those names. Every value must be a placeholder: a literal
 * in `build` would be the same for every later call.
 */
export function prebuilt<V extends Record<string, unknown>, T>(build: Build<V>, read: (result: D1Result) => T): (db: Db, values: V) => Statement<T> {
  const query = once(build);
  return (db, values) => {
    const built = query(db);
    return { bound: db.$client.prepare(built.sql).bind(...built.bind(values)), read };
  };
}

/**
 * Like `prebuilt`, for an insert of one row whose result is not read: a batch that holds several
 * may write their rows in one statement (see Statement.merge). Its placeholders must all be in the
 * VALUES list (an upsert's update may use `excluded.<column>`).
 */
export function prebuiltRow<V extends Record<string, unknown>>(build: Build<V>): (db: Db, values: V) => Statement<void> {
  return mergeable(build, noResult, (_db, built) => ({ sql: manyRowsSql(built) }));
}

/**
 * Like `prebuiltRow`, for an insert of one row that returns it (`.returning()`), read by `read`.
 * `key.columns` name the columns of `key.table` that tell the rows of a merged statement apart
 * (a unique key, such as an upsert's conflict target); each must be set from the placeholder of
 * the same name.
 */
export function prebuiltRowReturning<V extends Record<string, unknown>, T>(
  build: Build<V>,
  read: (result: D1Result) => T,
  key: { table: SQLiteTable; columns: readonly (keyof V & string)[] },
): (db: Db, values: V) => Statement<T> {
  return mergeable(build, read, (_db, built) => ({ sql: manyRowsSql(built), key: rowKey(key.table, key.columns, built.params) }));
}

/**
 * A read of the rows of `table` whose `key` columns equal the given values (a unique key: one row
 * or none). A batch that holds several looks them all up in one statement.
 */
export function prebuiltLookup<TTable extends SQLiteTable, K extends keyof TTable["$inferSelect"] & string, T>(
  table: TTable,
  key: readonly K[],
  read: (result: D1Result) => T,
): (db: Db, values: Pick<TTable["$inferSelect"], K>) => Statement<T> {
  const columns = getTableColumns(table);
  const keyColumns = key.map((name) => columns[name]!);
  const select = (db: Db) => db.select().from(table as SQLiteTable);
  return mergeable<Record<K, unknown>, T>(
    (db, p) => select(db).where(and(...keyColumns.map((column, index) => eq(column, p[key[index]!])))),
    read,
    (db, built) => ({
      sql: select(db)
        .where(sql`(${sql.join(keyColumns, sql`, `)}) in (select ${sql.raw(jsonColumns(key.length))} from json_each(${sql.placeholder("rows")}))`)
        .toSQL().sql,
      key: rowKey(table, key, built.params),
    }),
  );
}

/** A prebuilt statement of a mergeable kind; `kindOf` gives the kind's many-statement form once. */
function mergeable<V extends Record<string, unknown>, T>(
  build: Build<V>,
  read: (result: D1Result) => T,
  kindOf: (db: Db, built: Built) => MergedKind,
): (db: Db, values: V) => Statement<T> {
  const query = once(build);
  let kind: MergedKind | null = null;
  return (db, values) => {
    const built = query(db);
    kind ??= kindOf(db, built);
    const params = built.bind(values);
    return { bound: db.$client.prepare(built.sql).bind(...params), read, merge: { kind, values: params } };
  };
}

/** Tells rows apart by the `key` columns, and values by the placeholders of the same names. */
function rowKey(table: SQLiteTable, key: readonly string[], params: unknown[]): RowKey {
  const columns = getTableColumns(table);
  const names = key.map((name) => columns[name]!.name);
  const positions = key.map((name) => params.findIndex((param) => placeholderName(param) === name));
  if (positions.includes(-1)) throw new Error(`a key column has no placeholder of its name: ${key.join(", ")}`);
  return {
    ofRow: (row) => JSON.stringify(names.map((name) => row[name])),
    ofValues: (values) => JSON.stringify(positions.map((position) => values[position])),
  };
}

/** The name of a built statement's parameter that is a placeholder (bare, or wrapped with its column's encoder). */
function placeholderName(param: unknown): string | undefined {
  if (is(param, Placeholder)) return param.name;
  if (is(param, Param) && is(param.value, Placeholder)) return param.value.name;
  return undefined;
}

/** `json_extract(value, '$[0]'), …`: the columns of one JSON array of values. */
function jsonColumns(width: number): string {
  return Array.from({ length: width }, (_, index) => `json_extract(value, '$[${index}]')`).join(", ");
}

/**
 * `INSERT … VALUES (?, …, ?) …` as `INSERT … SELECT <each value> FROM json_each(?) WHERE true …`:
 * one parameter, a JSON array of the rows' value lists, whatever their number (D1 limits bound
 * parameters per statement). `WHERE true` lets an ON CONFLICT clause follow the SELECT.
 */
export function manyRowsSql({ sql: text, params }: Query): string {
  const tuple = /\bvalues \((\?(?:, \?)*)\)/i.exec(text);
  const width = tuple ? tuple[1]!.split(",").length : -1;
  if (!tuple || width !== params.length || text.indexOf("?", tuple.index + tuple[0].length) !== -1) {
    throw new Error(`not a one-row insert with its values as its only parameters: ${text}`);
  }
  return `${text.slice(0, tuple.index)}select ${jsonColumns(width)} from json_each(?) where true${text.slice(tuple.index + tuple[0].length)}`;
}

/** Reads result rows (named by column) as `table`'s rows, as drizzle's own queries return them. */
export function rowsOf<TTable extends SQLiteTable>(table: TTable): (result: D1Result) => TTable["$inferSelect"][] {
  const columns = Object.entries(getTableColumns(table));
  return (result) =>
    result.results.map((raw) => {
      const stored = raw as Record<string, unknown>;
      const row: Record<string, unknown> = {};
      for (const [key, column] of columns) {
        const value = stored[column.name];
        row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
      }
      return row as TTable["$inferSelect"];
    });
}

/** A drizzle write built on each call, for a batch of statements (off the hot path). */
export function writeOf(query: { toSQL(): Query }, db: Db): Statement<void> {
  const { sql: text, params } = query.toSQL();
  return { bound: db.$client.prepare(text).bind(...params), read: noResult };
}

/** For statements whose result nobody reads. */
export const noResult = (): void => undefined;

/** Runs one statement on its own. */
export async function runStatement<T>(statement: Statement<T>): Promise<T> {
  return statement.read(await statement.bound.all());
}
