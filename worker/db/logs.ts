// Channel logs: every decision the ChannelDO makes, bounded per channel.
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { chunkForD1 } from "./chunk";
import type { Db } from "./client";
import { channelLogs } from "./schema";

export type LogLevel = "info" | "warn" | "error";
export type LogEntry = typeof channelLogs.$inferInsert;

/** Bound parameters of one inserted entry (channel, level, event, message, detail, time). */
const LOG_INSERT_PARAMS = 6;

/** Newest entries kept per channel; older ones are pruned when new ones are written. */
export const LOGS_KEPT_PER_CHANNEL = 5000;

/**
 * Writes entries and prunes the channel's oldest beyond the bound, in one round trip, together
 * with `alongside` (other writes the caller wants in the same batch).
 */
export async function writeLogs(db: Db, channelId: string, entries: LogEntry[], alongside: BatchItem<"sqlite">[] = []): Promise<void> {
  const inserts = chunkForD1(entries, LOG_INSERT_PARAMS).map((chunk) => db.insert(channelLogs).values(chunk));
  const prune = db.delete(channelLogs).where(
    and(
      eq(channelLogs.channelId, channelId),
      lt(channelLogs.id, sql`(select id from channel_logs where channel_id = ${channelId} order by id desc limit 1 offset ${LOGS_KEPT_PER_CHANNEL - 1})`),
    ),
  );
  const statements: BatchItem<"sqlite">[] = [...alongside, ...inserts, ...(inserts.length > 0 ? [prune] : [])];
  if (statements.length > 0) await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
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
