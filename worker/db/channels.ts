// Channel rows and the status columns the ChannelDO keeps honest.
import { and, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "./client";
import { channelLogs, channelStats, channelUsers, channels, chatRoutes, inviteCodes, missedReplies, pairingRequests } from "./schema";

export type ChannelRow = typeof channels.$inferSelect;
export type ChannelStatus = ChannelRow["status"];

export async function getChannel(db: Db, id: string): Promise<ChannelRow | undefined> {
  return db.select().from(channels).where(eq(channels.id, id)).get();
}

/** Other channels connected to the same provider account. */
export async function channelsWithAccount(db: Db, provider: string, accountId: string, exceptId?: string): Promise<ChannelRow[]> {
  const conditions = [eq(channels.provider, provider), eq(channels.accountId, accountId)];
  if (exceptId) conditions.push(ne(channels.id, exceptId));
  return db.select().from(channels).where(and(...conditions)).all();
}

export async function setChannelStatus(db: Db, id: string, status: ChannelStatus, reason: string | null): Promise<void> {
  await db.update(channels).set({ status, statusReason: reason, statusAt: Date.now() }).where(eq(channels.id, id));
}

/** Removes a channel and everything that belongs only to it; threads stay with the workspace. */
export async function deleteChannelData(db: Db, id: string): Promise<void> {
  await db.batch([
    db.delete(channelUsers).where(eq(channelUsers.channelId, id)),
    db.delete(pairingRequests).where(eq(pairingRequests.channelId, id)),
    db.delete(inviteCodes).where(eq(inviteCodes.channelId, id)),
    db.delete(chatRoutes).where(eq(chatRoutes.channelId, id)),
    db.delete(missedReplies).where(eq(missedReplies.channelId, id)),
    db.delete(channelLogs).where(eq(channelLogs.channelId, id)),
    db.delete(channelStats).where(eq(channelStats.channelId, id)),
    db.delete(channels).where(eq(channels.id, id)),
  ]);
}

export async function channelsUsingWorkspace(db: Db, workspaceIds: string[]): Promise<ChannelRow[]> {
  return db.select().from(channels).where(inArray(channels.workspaceId, workspaceIds)).all();
}

/** Records the account a login connected (QR providers learn it only then). */
export async function setChannelAccount(db: Db, id: string, account: { id: string; name: string; details: Record<string, unknown> }): Promise<void> {
  await db.update(channels).set({ accountId: account.id, accountName: account.name, accountInfo: account.details, updatedAt: Date.now() }).where(eq(channels.id, id));
}

/** Replaces the sealed credential (a provider refreshed the session). */
export async function setChannelCredentials(db: Db, id: string, credentialsEnc: string): Promise<void> {
  await db.update(channels).set({ credentialsEnc, updatedAt: Date.now() }).where(eq(channels.id, id));
}
