// Writes the DO's buffered log entries to D1 in batches, with the channel row's last
// inbound/outbound times and the activity counters of the hours that changed (the overview's
// charts) in the same round trip.
import { and, eq, lt, sql } from "drizzle-orm";
import { HOUR_MS, hourOf } from "../../worker/core/stats";
import type { Db } from "../../worker/db/client";
import { writeLogs } from "../../worker/db/logs";
import { writeOf, type Statement } from "../../worker/db/prebuilt";
import { channels, channelStats } from "../../worker/db/schema";
import type { LocalStore } from "./local-store";
import type { ChannelStats } from "./stats";

/** Entries per batch (one statement, see writeLogs). */
const LOG_FLUSH_BATCH = 200;
/** Hourly activity rows kept in D1 per channel. */
export const STATS_KEPT_MS = 30 * 24 * HOUR_MS;

export async function flushLogs(store: LocalStore, db: Db, channelId: string, stats?: ChannelStats): Promise<void> {
  for (let first = true; ; first = false) {
    const batch = store.bufferedLogs(LOG_FLUSH_BATCH);
    const { entries } = batch;
    const activity = first ? activityUpdate(store, db, channelId) : null;
    const counters = first && stats ? stats.unwritten(channelId) : { rows: [], versions: [] };
    if (entries.length === 0 && !activity && counters.rows.length === 0) return;
    const alongside: Statement<unknown>[] = [...(activity ? [writeOf(activity.query, db)] : []), ...statsWrites(db, channelId, counters.rows)];
    await writeLogs(db, channelId, entries, alongside);
    store.dropLogs(batch);
    if (activity) store.note("activityWritten", activity.written);
    if (counters.versions.length > 0) stats!.markWritten(counters.versions);
  }
}

/** The hours' rows, replaced whole (they hold the hour's totals), and the oldest pruned. */
function statsWrites(db: Db, channelId: string, rows: ReturnType<ChannelStats["unwritten"]>["rows"]): Statement<unknown>[] {
  if (rows.length === 0) return [];
  const now = Date.now();
  const upsert = db
    .insert(channelStats)
    .values(rows.map((row) => ({ ...row, latency: [...row.latency], updatedAt: now })))
    .onConflictDoUpdate({
      target: [channelStats.channelId, channelStats.hour],
      set: {
        messagesIn: sql`excluded.messages_in`,
        messagesOut: sql`excluded.messages_out`,
        errors: sql`excluded.errors`,
        pairingRequests: sql`excluded.pairing_requests`,
        activeUsers: sql`excluded.active_users`,
        users24h: sql`excluded.users_24h`,
        users7d: sql`excluded.users_7d`,
        latency: sql`excluded.latency`,
        updatedAt: sql`excluded.updated_at`,
      },
    });
  const prune = db.delete(channelStats).where(and(eq(channelStats.channelId, channelId), lt(channelStats.hour, hourOf(now) - STATS_KEPT_MS)));
  return [writeOf(upsert, db), writeOf(prune, db)];
}

/** The update of the channel row's activity times, when they changed since last written. */
function activityUpdate(store: LocalStore, db: Db, channelId: string) {
  const inbound = store.get<number>("lastInboundAt") ?? null;
  const outbound = store.get<number>("lastOutboundAt") ?? null;
  const written = store.get<[number | null, number | null]>("activityWritten");
  if ((written && written[0] === inbound && written[1] === outbound) || (inbound === null && outbound === null)) return null;
  // The times live in the object's memory: after a restart only the ones seen since are written.
  const set = { ...(inbound !== null ? { lastInboundAt: inbound } : {}), ...(outbound !== null ? { lastOutboundAt: outbound } : {}) };
  return {
    query: db.update(channels).set(set).where(eq(channels.id, channelId)),
    written: [inbound, outbound],
  };
}
