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
}

type Placeholders<V> = { [K in keyof V & string]: Placeholder<K> };

/**
 * A statement shape: `build` writes the drizzle query with `p.<name>` where a value goes; the
 * returned function binds `values` by those names. The SQL is built on the first call. Every
 * value must be a placeholder: a literal in `build` would be the same for every later call.
 */
export function prebuilt<V extends Record<string, unknown>, T>(
  build: (db: Db, p: Placeholders<V>) => { toSQL(): { sql: string; params: unknown[] } },
  read: (result: D1Result) => T,
): (db: Db, values: V) => Statement<T> {
  let query: { sql: string; params: unknown[] } | null = null;
  const p = new Proxy({}, { get: (_target, name) => sql.placeholder(String(name)) }) as Placeholders<V>;
  return (db, values) => {
    query ??= build(db, p).toSQL();
    return { bound: db.$client.prepare(query.sql).bind(...fillPlaceholders(query.params, values)), read };
  };
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
export function writeOf(query: { toSQL(): { sql: string; params: unknown[] } }, db: Db): Statement<void> {
  const { sql: text, params } = query.toSQL();
  return { bound: db.$client.prepare(text).bind(...params), read: noResult };
}

/** For statements whose result nobody reads. */
export const noResult = (): void => undefined;

/** Runs one statement on its own. */
export async function runStatement<T>(statement: Statement<T>): Promise<T> {
  return statement.read(await statement.bound.all());
}
