// The push API's work: put an agent's message into a thread (delivered to the chats where it is
// active, held as a missed reply for its owner otherwise), or send it straight to a channel user.
import { and, eq } from "drizzle-orm";
import { directChatKey } from "../core/types";
import { sha256Hex } from "../crypto/encoding";
import { newId } from "../crypto/random";
import { getChannel } from "../db/channels";
import type { Db } from "../db/client";
import { chatRoutes } from "../db/schema";
import { runStatement } from "../db/prebuilt";
import { appendMessageStatement, getThread } from "../db/threads";
import { getUser } from "../db/users";
import type { Env } from "../env";
import { ApiError } from "../http/errors";
import { channelStub } from "../http/stub";

export interface PushResult {
  messageId: string;
  delivered: number;
  held: number;
  /** Chats the message did not reach: stopped channel, user not approved, group not allowed. */
  refused: number;
}

/** Posts `text` into a thread of `workspaceId`. An `idempotencyKey` makes a retried call deliver once. */
export async function pushToThread(env: Env, db: Db, workspaceId: string, threadId: string, text: string, idempotencyKey?: string): Promise<PushResult> {
  const thread = await getThread(db, threadId);
  if (!thread || thread.workspaceId !== workspaceId) throw new ApiError(404, "thread not found in this workspace");
  const pushId = await pushIdFor(workspaceId, `thread:${threadId}`, idempotencyKey);
  const messageId = `msg_push_${pushId}`;
  // The thread's last_message_at follows by a trigger (migrations/0008).
  await runStatement(appendMessageStatement(db, { id: messageId, threadId, role: "assistant", text, channelId: null }));

  const routes = await db.select().from(chatRoutes).where(eq(chatRoutes.activeThreadId, threadId)).all();
  const targets = routes.filter((route) => route.address !== null).map((route) => ({ channelId: route.channelId, chatKey: route.chatKey, address: route.address! }));
  // A personal thread's owner hears about it even when another thread is active: held for /more.
  if (thread.kind === "personal" && thread.ownerKey) {
    const [channelId, chatKey] = splitOwnerKey(thread.ownerKey);
    if (!targets.some((target) => target.channelId === channelId && target.chatKey === chatKey)) {
      const route = await db
        .select()
        .from(chatRoutes)
        .where(and(eq(chatRoutes.channelId, channelId), eq(chatRoutes.chatKey, chatKey)))
        .get();
      if (route?.address) targets.push({ channelId, chatKey, address: route.address });
    }
  }

  const counts = { delivered: 0, held: 0, refused: 0 };
  for (const target of targets) {
    const { outcome } = await channelStub(env, target.channelId).deliverPush(target.channelId, { pushId, ...target, threadId, text });
    counts[outcome] += 1;
  }
  return { messageId, ...counts };
}

/** Sends `text` directly to an approved user of one of the workspace's channels. */
export async function pushToUser(env: Env, db: Db, workspaceId: string, channelId: string, userId: string, text: string, idempotencyKey?: string) {
  const channel = await getChannel(db, channelId);
  if (!channel || channel.workspaceId !== workspaceId) throw new ApiError(404, "channel not found in this workspace");
  const user = await getUser(db, channelId, userId);
  if (!user) throw new ApiError(404, "user not found in this channel");
  if (user.state !== "approved") throw new ApiError(409, `user is ${user.state}; only approved users receive pushed messages`);
  if (!user.dmAddress) throw new ApiError(409, "this user has no direct chat with the bot yet");
  const pushId = await pushIdFor(workspaceId, `user:${channelId}:${userId}`, idempotencyKey);
  const result = await channelStub(env, channelId).deliverPush(channelId, { pushId, chatKey: directChatKey(user.providerUserId), address: user.dmAddress, text });
  if (result.outcome === "refused") throw new ApiError(409, `not delivered: ${result.reason}`);
  return { delivered: 1 };
}

/**
 * The id that de-duplicates a push (stored message, outbox, held reply): random without an
 * idempotency key. With one, a SHA-256 of workspace, target and the key as sent: a retry of the
 * same push is recognised, while the same key from another workspace or for another thread or
 * user is a new push, and no two keys collapse into one (as they would if the key were cut down
 * to safe characters instead).
 */
async function pushIdFor(workspaceId: string, target: string, idempotencyKey: string | undefined): Promise<string> {
  if (idempotencyKey === undefined) return newId("push").slice(5);
  // JSON keeps the parts apart: no choice of ids and key can make two different triples one.
  return `k${await sha256Hex(JSON.stringify([workspaceId, target, idempotencyKey]))}`;
}

function splitOwnerKey(ownerKey: string): [string, string] {
  const at = ownerKey.indexOf(":");
  return [ownerKey.slice(0, at), ownerKey.slice(at + 1)];
}
