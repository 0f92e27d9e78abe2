// Threads and their messages.
import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { newId } from "../crypto/random";
import type { Db } from "./client";
import { prebuiltRow, runStatement } from "./prebuilt";
import { messages, threads } from "./schema";

export type ThreadRow = typeof threads.$inferSelect;

/** Owner key of a chat's personal threads. */
export function ownerKeyOf(channelId: string, chatKey: string): string {
  return `${channelId}:${chatKey}`;
}

export async function getThread(db: Db, id: string): Promise<ThreadRow | undefined> {
  return db.select().from(threads).where(eq(threads.id, id)).get();
}

type NewThread = { workspaceId: string; title: string; kind: ThreadRow["kind"]; ownerKey: string | null; backendRef?: string | null };

export async function createThread(db: Db, input: NewThread): Promise<ThreadRow> {
  const { row, statement } = createThreadStatement(db, input);
  await runStatement(statement);
  return row;
}

const insertThread = prebuiltRow<ThreadRow>((db, p) =>
  db.insert(threads).values({
    id: p.id,
    workspaceId: p.workspaceId,
    title: p.title,
    kind: p.kind,
    ownerKey: p.ownerKey,
    backendRef: p.backendRef,
    createdAt: p.createdAt,
    lastMessageAt: p.lastMessageAt,
  }),
);

/**
 * A new thread's row and its insert, for a caller that batches it with other writes (and may
 * name the id itself).
 */
export function createThreadStatement(db: Db, input: NewThread & { id?: string }) {
  const now = Date.now();
  const row: ThreadRow = {
    id: input.id ?? newThreadId(),
    workspaceId: input.workspaceId,
    title: input.title,
    kind: input.kind,
    ownerKey: input.ownerKey,
    backendRef: input.backendRef ?? null,
    createdAt: now,
    lastMessageAt: now,
  };
  return { row, statement: insertThread(db, row) };
}

export function newThreadId(): string {
  return newId("th");
}

/** A chat's threads, most recent first: its personal ones plus the channel's bound thread. */
export async function listChatThreads(db: Db, ownerKey: string, boundThreadId: string | null, limit: number): Promise<ThreadRow[]> {
  const owned = eq(threads.ownerKey, ownerKey);
  return db
    .select()
    .from(threads)
    .where(boundThreadId ? or(owned, eq(threads.id, boundThreadId)) : owned)
    .orderBy(desc(threads.lastMessageAt))
    .limit(limit)
    .all();
}

/** How many personal threads a chat has (the `/new` cap). */
export async function countChatThreads(db: Db, ownerKey: string): Promise<number> {
  const row = await db.select({ n: sql<number>`count(*)` }).from(threads).where(eq(threads.ownerKey, ownerKey)).get();
  return Number(row?.n ?? 0);
}

export async function listWorkspaceThreads(db: Db, workspaceId: string): Promise<ThreadRow[]> {
  return db.select().from(threads).where(eq(threads.workspaceId, workspaceId)).orderBy(desc(threads.lastMessageAt)).all();
}

/** The last `limit` turns of a thread, oldest first. */
export async function threadHistory(db: Db, threadId: string, limit: number) {
  const rows = await db
    .select({ role: messages.role, text: messages.text })
    .from(messages)
    .where(eq(messages.threadId, threadId))
    .orderBy(desc(messages.createdAt))
    .limit(limit)
    .all();
  return rows.reverse();
}

/**
 * Appends a message under a deterministic id, so re-processing the same inbound event after a
 * crash writes it once.
 */
const insertMessage = prebuiltRow<typeof messages.$inferSelect>((db, p) =>
  db
    .insert(messages)
    .values({ id: p.id, threadId: p.threadId, role: p.role, text: p.text, channelId: p.channelId, senderId: p.senderId, createdAt: p.createdAt })
    .onConflictDoNothing(),
);

export function appendMessageStatement(
  db: Db,
  input: { id: string; threadId: string; role: "user" | "assistant"; text: string; channelId: string | null; senderId?: string; createdAt?: number },
) {
  return insertMessage(db, { ...input, senderId: input.senderId ?? null, createdAt: input.createdAt ?? Date.now() });
}

/** A page cursor: the oldest message already shown (time, then id for messages of the same ms). */
export interface MessageCursor {
  createdAt: number;
  id: string;
}

/** One page of a thread's messages, newest first, older than `before` when given. */
export async function threadMessagesPage(db: Db, threadId: string, options: { before?: MessageCursor; limit: number }) {
  const older = options.before
    ? or(lt(messages.createdAt, options.before.createdAt), and(eq(messages.createdAt, options.before.createdAt), lt(messages.id, options.before.id)))
    : undefined;
  return db
    .select()
    .from(messages)
    .where(older ? and(eq(messages.threadId, threadId), older) : eq(messages.threadId, threadId))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(options.limit)
    .all();
}
