// Channel logs: every decision the ChannelDO makes, bounded per channel.
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { noResult, prebuilt, type Statement } from "./prebuilt";
import { channelLogs } from "./schema";

export type LogLevel = "info" | "warn" | "error";
/** An entry to write; the channel is given once for all of them. */
export type LogEntry = Omit<typeof channelLogs.$inferInsert, "channelId" | "id">;

/** Newest entries kept per channel; older ones are pruned when new ones are written. */
export const LOGS_KEPT_PER_CHANNEL = 5000;

/**
 * All entries in one statement, as one JSON array: the SQL is the same for any number of them,
 * and D1's limit on bound parameters never splits them. `key` keeps the array's order in the ids.
 */
const INSERT_ENTRIES = `INSERT INTO channel_logs (channel_id, level, event, message, detail, created_at)
SELECT ?1, json_extract(value, '$.level'), json_extract(value, '$.event'), json_extract(value, '$.message'),
  json_extract(value, '$.detail'), coalesce(json_extract(value, '$.createdAt'), unixepoch() * 1000)
FROM json_each(?2) ORDER BY key`;

const pruneEntries = prebuilt<{ channelId: string }, void>(
  (db, p) =>
    db
      .delete(channelLogs)
      .where(
        and(
          eq(channelLogs.channelId, p.channelId),
          lt(channelLogs.id, sql`(select id from channel_logs where channel_id = ${p.channelId} order by id desc limit 1 offset ${LOGS_KEPT_PER_CHANNEL - 1})`),
        ),
      ),
  noResult,
);

/**
 * Writes entries and prunes the channel's oldest beyond the bound, in one round trip, together
 * with `alongside` (other writes the caller wants in the same batch).
 */
export async function writeLogs(db: Db, channelId: string, entries: LogEntry[], alongside: Statement<unknown>[] = []): Promise<void> {
  const writes = entries.length > 0 ? [{ bound: db.$client.prepare(INSERT_ENTRIES).bind(channelId, JSON.stringify(entries)), read: noResult }, pruneEntries(db, { channelId })] : [];
  const statements = [...alongside, ...writes];
  if (statements.length > 0) await db.$client.batch(statements.map((statement) => statement.bound));
}

export async function listLogs(db: Db, channelId: string, options: { level?: LogLevel; limit: number; before?: number; q?: string }) {
  const conditions = [eq(channelLogs.channelId, channelId)];
  if (options.level) conditions.push(eq(channelLogs.level, options.level));
  if (options.q) {
    // Plain text, found in the message, the event name or the details (ids, chat, preview).
    const pattern = `%${options.q.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
    conditions.push(
      or(
        sql`${channelLogs.message} like ${pattern} escape '\\'`,
        sql`${channelLogs.event} like ${pattern} escape '\\'`,
        sql`${channelLogs.detail} like ${pattern} escape '\\'`,
      )!,
    );
  }
  if (options.before) conditions.push(lt(channelLogs.id, options.before));
  return db
    .select()
    .from(channelLogs)
    .where(and(...conditions))
    .orderBy(desc(channelLogs.id))
    .limit(options.limit)
    .all();
}
