// Statements whose SQL is built once. drizzle builds a query's SQL by walking the query's tree
// on every call; on the path every message takes, that was a fifth of the channel object's CPU
// under load (docs/performance.md). These statements are built by drizzle once, with
// placeholders, and each call only binds its values (encoded by the columns, as drizzle would).
import { fillPlaceholders, getTableColumns, sql, type Placeholder } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/** One bound statement and how to read its result: the unit of a D1 batch. */
export interface Statement<T> {
  readonly bound: D1PreparedStatement;
  read(result: D1Result): T;
  /**
   * Set on a one-row insert whose result nobody reads: a batch holding several rows of the same
   * `rows` statement may write them all with it, in one statement, instead of each with `bound`.
   */
  readonly row?: { rows: RowsInsert; values: unknown[] };
}

/** The many-row form of a one-row insert: every row's values in one JSON array of arrays. */
export interface RowsInsert {
  readonly sql: string;
}

type Placeholders<V> = { [K in keyof V & string]: Placeholder<K> };
type Build<V> = (db: Db, p: Placeholders<V>) => { toSQL(): { sql: string; params: unknown[] } };
type Built = { sql: string; params: unknown[] };

/** Builds the query on first use; later calls get the same SQL and parameter list. */
function once<V>(build: Build<V>): (db: Db) => Built {
  let query: Built | null = null;
  const p = new Proxy({}, { get: (_target, name) => sql.placeholder(String(name)) }) as Placeholders<V>;
  return (db) => (query ??= build(db, p).toSQL());
}

/**
 * A statement shape: `build` writes the drizzle query with `p.<name>` where a value goes; the
 * returned function binds `values` by those names. Every value must be a placeholder: a literal
 * in `build` would be the same for every later call.
 */
export function prebuilt<V extends Record<string, unknown>, T>(build: Build<V>, read: (result: D1Result) => T): (db: Db, values: V) => Statement<T> {
  const query = once(build);
  return (db, values) => {
    const { sql: text, params } = query(db);
    return { bound: db.$client.prepare(text).bind(...fillPlaceholders(params, values)), read };
  };
}

/**
 * Like `prebuilt`, for an insert of one row whose result is not read: a batch that holds several
 * may write their rows in one statement (see Statement.row). Its placeholders must all be in the
 * VALUES list (an upsert's update may use `excluded.<column>`).
 */
export function prebuiltRow<V extends Record<string, unknown>>(build: Build<V>): (db: Db, values: V) => Statement<void> {
  const query = once(build);
  let rows: RowsInsert | null = null;
  return (db, values) => {
    const built = query(db);
    rows ??= { sql: manyRowsSql(built) };
    const params = fillPlaceholders(built.params, values);
    return { bound: db.$client.prepare(built.sql).bind(...params), read: noResult, row: { rows, values: params } };
  };
}

/**
 * `INSERT … VALUES (?, …, ?) …` as `INSERT … SELECT <each value> FROM json_each(?) WHERE true …`:
 * one parameter, a JSON array of the rows' value lists, whatever their number (D1 limits bound
 * parameters per statement). `WHERE true` lets an ON CONFLICT clause follow the SELECT.
 */
export function manyRowsSql({ sql: text, params }: Built): string {
  const tuple = /\bvalues \((\?(?:, \?)*)\)/i.exec(text);
  const width = tuple ? tuple[1]!.split(",").length : -1;
  if (!tuple || width !== params.length || text.indexOf("?", tuple.index + tuple[0].length) !== -1) {
    throw new Error(`not a one-row insert with its values as its only parameters: ${text}`);
  }
  const columns = Array.from({ length: width }, (_, index) => `json_extract(value, '$[${index}]')`).join(", ");
  return `${text.slice(0, tuple.index)}select ${columns} from json_each(?) where true${text.slice(tuple.index + tuple[0].length)}`;
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
export function writeOf(query: { toSQL(): Built }, db: Db): Statement<void> {
  const { sql: text, params } = query.toSQL();
  return { bound: db.$client.prepare(text).bind(...params), read: noResult };
}

/** For statements whose result nobody reads. */
export const noResult = (): void => undefined;

/** Runs one statement on its own. */
export async function runStatement<T>(statement: Statement<T>): Promise<T> {
  return statement.read(await statement.bound.all());
}
