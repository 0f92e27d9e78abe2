// Chat routes (active thread and last listing per DM user or group) and missed replies.
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { newId } from "../crypto/random";
import { chunkForD1 } from "./chunk";
import type { ChatRef } from "../core/types";
import type { Db } from "./client";
import { prebuiltLookup, prebuiltRow, rowsOf, runStatement } from "./prebuilt";
import { chatRoutes, missedReplies } from "./schema";

export type ChatRouteRow = typeof chatRoutes.$inferSelect;

export async function getRoute(db: Db, channelId: string, chatKey: string): Promise<ChatRouteRow | undefined> {
  return runStatement(getRouteStatement(db, channelId, chatKey));
}

const routeRows = rowsOf(chatRoutes);

const selectRoute = prebuiltLookup(chatRoutes, ["channelId", "chatKey"], (result) => routeRows(result)[0]);

export function getRouteStatement(db: Db, channelId: string, chatKey: string) {
  return selectRoute(db, { channelId, chatKey });
}

export async function setActiveThread(db: Db, channelId: string, chat: ChatRef, threadId: string): Promise<void> {
  await runStatement(setActiveThreadStatement(db, channelId, chat, threadId));
}

const upsertActiveThread = prebuiltRow<{ channelId: string; chatKey: string; address: string | null; activeThreadId: string; updatedAt: number }>((db, p) =>
  db
    .insert(chatRoutes)
    .values({ channelId: p.channelId, chatKey: p.chatKey, address: p.address, activeThreadId: p.activeThreadId, updatedAt: p.updatedAt })
    .onConflictDoUpdate({
      target: [chatRoutes.channelId, chatRoutes.chatKey],
      set: { activeThreadId: sql`excluded.active_thread_id`, address: sql`excluded.chat_id`, updatedAt: sql`excluded.updated_at` },
    }),
);

/** Makes `threadId` the chat's active thread (the route is created if the chat has none). */
export function setActiveThreadStatement(db: Db, channelId: string, chat: ChatRef, threadId: string) {
  return upsertActiveThread(db, { channelId, chatKey: chat.key, address: chat.address, activeThreadId: threadId, updatedAt: Date.now() });
}

export async function setListing(db: Db, channelId: string, chat: ChatRef, threadIds: string[]): Promise<void> {
  await db
    .insert(chatRoutes)
    .values({ channelId, chatKey: chat.key, address: chat.address, lastListing: threadIds, updatedAt: Date.now() })
    .onConflictDoUpdate({
      target: [chatRoutes.channelId, chatRoutes.chatKey],
      set: { lastListing: sql`excluded.last_listing`, updatedAt: Date.now() },
    });
}

/** Holds a reply for /more. `id` derived from its source makes holding the same reply twice a no-op. */
export async function holdMissedReply(
  db: Db,
  input: { id?: string; channelId: string; chatKey: string; threadId: string; text: string },
): Promise<void> {
  await db
    .insert(missedReplies)
    .values({ ...input, id: input.id ?? newId("mr"), createdAt: Date.now() })
    .onConflictDoNothing();
}

/** Unread counts per thread for one chat. */
export async function missedCounts(db: Db, channelId: string, chatKey: string, threadIds: string[]): Promise<Map<string, number>> {
  if (threadIds.length === 0) return new Map();
  const rows = await db
    .select({ threadId: missedReplies.threadId, count: sql<number>`count(*)` })
    .from(missedReplies)
    .where(and(eq(missedReplies.channelId, channelId), eq(missedReplies.chatKey, chatKey), inArray(missedReplies.threadId, threadIds)))
    .groupBy(missedReplies.threadId)
    .all();
  return new Map(rows.map((row) => [row.threadId, Number(row.count)]));
}

export async function listMissed(db: Db, channelId: string, chatKey: string, threadId: string) {
  return db
    .select()
    .from(missedReplies)
    .where(and(eq(missedReplies.channelId, channelId), eq(missedReplies.chatKey, chatKey), eq(missedReplies.threadId, threadId)))
    .orderBy(asc(missedReplies.createdAt))
    .all();
}

export async function deleteMissed(db: Db, ids: string[]): Promise<void> {
  for (const chunk of chunkForD1(ids, 1)) await db.delete(missedReplies).where(inArray(missedReplies.id, chunk));
}
