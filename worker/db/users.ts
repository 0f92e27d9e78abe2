// Channel users: who wrote to a channel and whether they may use it.
import { and, eq, sql } from "drizzle-orm";
import { directChatKey } from "../core/types";
import { newId } from "../crypto/random";
import type { Db } from "./client";
import { prebuiltRowReturning, rowsOf } from "./prebuilt";
import { channelUsers, chatRoutes, missedReplies, pairingRequests } from "./schema";

export type ChannelUserRow = typeof channelUsers.$inferSelect;
export type UserState = ChannelUserRow["state"];

export interface SenderProfile {
  id: string;
  username?: string;
  displayName?: string;
}

const userRows = rowsOf(channelUsers);

const upsertSender = prebuiltRowReturning<ChannelUserRow, ChannelUserRow>(
  (db, p) =>
    db
      .insert(channelUsers)
      .values({
        id: p.id,
        channelId: p.channelId,
        providerUserId: p.providerUserId,
        username: p.username,
        displayName: p.displayName,
        state: p.state,
        dmAddress: p.dmAddress,
        createdAt: p.createdAt,
        approvedAt: p.approvedAt,
        lastSeenAt: p.lastSeenAt,
      })
      .onConflictDoUpdate({
        target: [channelUsers.channelId, channelUsers.providerUserId],
        set: {
          username: sql`coalesce(excluded.username, ${channelUsers.username})`,
          displayName: sql`coalesce(excluded.display_name, ${channelUsers.displayName})`,
          dmAddress: sql`coalesce(excluded.dm_chat_id, ${channelUsers.dmAddress})`,
          lastSeenAt: sql`excluded.last_seen_at`,
        },
      })
      .returning(),
  (result) => userRows(result)[0]!,
  { table: channelUsers, columns: ["channelId", "providerUserId"] },
);

/**
 * Records that `sender` wrote (creating them in `initialState` if new); the statement returns the
 * stored row (callers batch it with the reads the sender's message needs).
 */
export function recordSenderStatement(db: Db, channelId: string, sender: SenderProfile, initialState: UserState, dmAddress?: string) {
  const now = Date.now();
  return upsertSender(db, {
    id: newId("usr"),
    channelId,
    providerUserId: sender.id,
    username: sender.username ?? null,
    displayName: sender.displayName ?? null,
    state: initialState,
    dmAddress: dmAddress ?? null,
    createdAt: now,
    approvedAt: initialState === "approved" ? now : null,
    lastSeenAt: now,
  });
}

export async function findUserByProviderId(db: Db, channelId: string, providerUserId: string): Promise<ChannelUserRow | undefined> {
  return db
    .select()
    .from(channelUsers)
    .where(and(eq(channelUsers.channelId, channelId), eq(channelUsers.providerUserId, providerUserId)))
    .get();
}

export async function getUser(db: Db, channelId: string, userId: string): Promise<ChannelUserRow | undefined> {
  return db.select().from(channelUsers).where(and(eq(channelUsers.channelId, channelId), eq(channelUsers.id, userId))).get();
}

export async function approveUser(db: Db, userId: string): Promise<void> {
  await db.update(channelUsers).set({ state: "approved", approvedAt: Date.now() }).where(eq(channelUsers.id, userId));
}

export async function setUserDisabled(db: Db, userId: string, disabled: boolean): Promise<void> {
  await db
    .update(channelUsers)
    .set({ state: disabled ? "disabled" : "approved" })
    .where(eq(channelUsers.id, userId));
}

/** Removes a user with their pairing and routing state; their threads stay in the workspace. */
export async function removeUser(db: Db, user: ChannelUserRow): Promise<void> {
  const chatKey = directChatKey(user.providerUserId);
  await db.batch([
    db.delete(pairingRequests).where(eq(pairingRequests.userId, user.id)),
    db.delete(chatRoutes).where(and(eq(chatRoutes.channelId, user.channelId), eq(chatRoutes.chatKey, chatKey))),
    db.delete(missedReplies).where(and(eq(missedReplies.channelId, user.channelId), eq(missedReplies.chatKey, chatKey))),
    db.delete(channelUsers).where(eq(channelUsers.id, user.id)),
  ]);
}
