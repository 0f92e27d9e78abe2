// Pairing requests (unknown user asks, admin decides) and invite codes (admin hands out, user redeems).
import { and, desc, eq, gt, isNull, lt, notExists, sql } from "drizzle-orm";
import { newCode, newId } from "../crypto/random";
import type { InboundMessage } from "../core/types";
import type { Db } from "./client";
import { channelUsers, inviteCodes, pairingRequests } from "./schema";

export type PairingRequestRow = typeof pairingRequests.$inferSelect;
export type InviteCodeRow = typeof inviteCodes.$inferSelect;

export const PAIRING_TTL_MS = 60 * 60 * 1000;
export const INVITE_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * The messages a request holds, oldest first. Requests stored by earlier releases hold one
 * message object instead of a list.
 */
export function heldMessagesOf(stored: unknown): InboundMessage[] {
  if (!stored) return [];
  return (Array.isArray(stored) ? stored : [stored]) as InboundMessage[];
}

/** The user's open request, if one is still pending and unexpired. */
export async function findPendingRequest(db: Db, userId: string, now = Date.now()): Promise<PairingRequestRow | undefined> {
  return db
    .select()
    .from(pairingRequests)
    .where(and(eq(pairingRequests.userId, userId), eq(pairingRequests.status, "pending"), gt(pairingRequests.expiresAt, now)))
    .get();
}

/** How many requests the user opened since `since` (rate limit). */
export async function countRequestsSince(db: Db, userId: string, since: number): Promise<number> {
  const rows = await db
    .select({ id: pairingRequests.id })
    .from(pairingRequests)
    .where(and(eq(pairingRequests.userId, userId), gt(pairingRequests.createdAt, since)))
    .all();
  return rows.length;
}

export async function createPairingRequest(
  db: Db,
  input: { channelId: string; userId: string; address: string; heldMessage: InboundMessage | null },
): Promise<PairingRequestRow> {
  const now = Date.now();
  return db
    .insert(pairingRequests)
    .values({
      id: newId("pr"),
      channelId: input.channelId,
      userId: input.userId,
      address: input.address,
      code: newCode(),
      status: "pending",
      heldMessage: input.heldMessage ? [input.heldMessage as unknown as Record<string, unknown>] : null,
      createdAt: now,
      expiresAt: now + PAIRING_TTL_MS,
    })
    .returning()
    .get();
}

export async function getPairingRequest(db: Db, channelId: string, id: string): Promise<PairingRequestRow | undefined> {
  return db.select().from(pairingRequests).where(and(eq(pairingRequests.channelId, channelId), eq(pairingRequests.id, id))).get();
}

export async function decidePairingRequest(db: Db, id: string, status: "approved" | "rejected"): Promise<void> {
  await db.update(pairingRequests).set({ status, decidedAt: Date.now() }).where(eq(pairingRequests.id, id));
}

export async function listPendingRequests(db: Db, channelId: string, now = Date.now()): Promise<PairingRequestRow[]> {
  return db
    .select()
    .from(pairingRequests)
    .where(and(eq(pairingRequests.channelId, channelId), eq(pairingRequests.status, "pending"), gt(pairingRequests.expiresAt, now)))
    .orderBy(desc(pairingRequests.createdAt))
    .all();
}

/** Requests and pending users are forgotten this long after they stopped mattering. */
export const STALE_AFTER_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * Forgets what strangers left behind: pairing requests that expired or were decided long ago,
 * pending users with no open request who have not written for a month, and used or expired
 * invite codes. Run hourly by the channel; nothing an admin still needs is removed.
 */
export async function pruneStaleAccess(db: Db, channelId: string, now = Date.now()): Promise<void> {
  const before = now - STALE_AFTER_MS;
  await db.batch([
    db.delete(pairingRequests).where(and(eq(pairingRequests.channelId, channelId), lt(pairingRequests.expiresAt, before))),
    db
      .delete(channelUsers)
      .where(
        and(
          eq(channelUsers.channelId, channelId),
          eq(channelUsers.state, "pending"),
          lt(channelUsers.lastSeenAt, before),
          notExists(db.select({ one: sql`1` }).from(pairingRequests).where(and(eq(pairingRequests.userId, channelUsers.id), eq(pairingRequests.status, "pending")))),
        ),
      ),
    db.delete(inviteCodes).where(and(eq(inviteCodes.channelId, channelId), lt(inviteCodes.expiresAt, before))),
  ]);
}

export async function createInviteCode(db: Db, channelId: string): Promise<InviteCodeRow> {
  const now = Date.now();
  return db
    .insert(inviteCodes)
    .values({ id: newId("inv"), channelId, code: newCode(), createdAt: now, expiresAt: now + INVITE_TTL_MS })
    .returning()
    .get();
}

/** Marks an unexpired, unused code as redeemed by `userId`; false when no such code exists. */
export async function redeemInviteCode(db: Db, channelId: string, code: string, userId: string): Promise<boolean> {
  const now = Date.now();
  const redeemed = await db
    .update(inviteCodes)
    .set({ redeemedBy: userId, redeemedAt: now })
    .where(
      and(
        eq(inviteCodes.channelId, channelId),
        eq(inviteCodes.code, code.toUpperCase()),
        isNull(inviteCodes.redeemedAt),
        isNull(inviteCodes.revokedAt),
        gt(inviteCodes.expiresAt, now),
      ),
    )
    .returning({ id: inviteCodes.id })
    .all();
  return redeemed.length > 0;
}

/** Invite codes listed at most: the newest first. */
export const INVITES_LISTED = 100;

export type InviteState = "unused" | "used" | "expired" | "revoked";

export function inviteState(row: InviteCodeRow, now = Date.now()): InviteState {
  if (row.redeemedAt) return "used";
  if (row.revokedAt) return "revoked";
  return row.expiresAt <= now ? "expired" : "unused";
}

export async function listInviteCodes(db: Db, channelId: string): Promise<InviteCodeRow[]> {
  return db.select().from(inviteCodes).where(eq(inviteCodes.channelId, channelId)).orderBy(desc(inviteCodes.createdAt)).limit(INVITES_LISTED).all();
}

/** Revokes an unused, unexpired code; false when there is no such code. */
export async function revokeInviteCode(db: Db, channelId: string, id: string): Promise<boolean> {
  const now = Date.now();
  const revoked = await db
    .update(inviteCodes)
    .set({ revokedAt: now })
    .where(and(eq(inviteCodes.channelId, channelId), eq(inviteCodes.id, id), isNull(inviteCodes.redeemedAt), isNull(inviteCodes.revokedAt), gt(inviteCodes.expiresAt, now)))
    .returning({ id: inviteCodes.id })
    .all();
  return revoked.length > 0;
}
