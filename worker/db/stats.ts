// Reading the hourly activity rows (written by the channels' Durable Objects) and what is waiting
// for an admin (pending pairing requests), for the overview and the channel pages.
import { and, eq, gt, gte, sql } from "drizzle-orm";
import type { HourRow } from "../core/stats";
import type { Db } from "./client";
import { channelStats, pairingRequests } from "./schema";

export async function statsSince(db: Db, since: number, channelId?: string): Promise<HourRow[]> {
  const conditions = [gte(channelStats.hour, since)];
  if (channelId) conditions.push(eq(channelStats.channelId, channelId));
  return db
    .select({
      channelId: channelStats.channelId,
      hour: channelStats.hour,
      messagesIn: channelStats.messagesIn,
      messagesOut: channelStats.messagesOut,
      errors: channelStats.errors,
      pairingRequests: channelStats.pairingRequests,
      activeUsers: channelStats.activeUsers,
      users24h: channelStats.users24h,
      users7d: channelStats.users7d,
      latency: channelStats.latency,
    })
    .from(channelStats)
    .where(and(...conditions))
    .all();
}

/** Pending, unexpired pairing requests per channel (channels with none are absent). */
export async function pendingPairingCounts(db: Db, now = Date.now()): Promise<Map<string, number>> {
  const rows = await db
    .select({ channelId: pairingRequests.channelId, n: sql<number>`count(*)` })
    .from(pairingRequests)
    .where(and(eq(pairingRequests.status, "pending"), gt(pairingRequests.expiresAt, now)))
    .groupBy(pairingRequests.channelId)
    .all();
  return new Map(rows.map((row) => [row.channelId, Number(row.n)]));
}
