// The push API's work: put an agent's message into a thread (delivered to the chats where it is
// active, held as a missed reply for its owner otherwise), or send it straight to a channel user.
import { and, eq } from "drizzle-orm";
import { directChatKey } from "../core/types";
import { newId } from "../crypto/random";
import { getChannel } from "../db/channels";
import type { Db } from "../db/client";
import { chatRoutes } from "../db/schema";
import { appendMessageQuery, getThread, touchThreadQuery } from "../db/threads";
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

/** Posts `text` into a thread of `workspaceId`. `pushId` makes a retried call idempotent. */
export async function pushToThread(env: Env, db: Db, workspaceId: string, threadId: string, text: string, pushId: string): Promise<PushResult> {
  const thread = await getThread(db, threadId);
  if (!thread || thread.workspaceId !== workspaceId) throw new ApiError(404, "thread not found in this workspace");
  const messageId = `msg_push_${pushId}`;
  await db.batch([appendMessageQuery(db, { id: messageId, threadId, role: "assistant", text, channelId: null }), touchThreadQuery(db, threadId)]);

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
export async function pushToUser(env: Env, db: Db, workspaceId: string, channelId: string, userId: string, text: string, pushId: string) {
  const channel = await getChannel(db, channelId);
  if (!channel || channel.workspaceId !== workspaceId) throw new ApiError(404, "channel not found in this workspace");
  const user = await getUser(db, channelId, userId);
  if (!user) throw new ApiError(404, "user not found in this channel");
  if (user.state !== "approved") throw new ApiError(409, `user is ${user.state}; only approved users receive pushed messages`);
  if (!user.dmAddress) throw new ApiError(409, "this user has no direct chat with the bot yet");
  const result = await channelStub(env, channelId).deliverPush(channelId, { pushId, chatKey: directChatKey(user.providerUserId), address: user.dmAddress, text });
  if (result.outcome === "refused") throw new ApiError(409, `not delivered: ${result.reason}`);
  return { delivered: 1 };
}

export function newPushId(idempotencyKey: string | undefined): string {
  return idempotencyKey ? `k${idempotencyKey.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 64)}` : newId("push").slice(5);
}

function splitOwnerKey(ownerKey: string): [string, string] {
  const at = ownerKey.indexOf(":");
  return [ownerKey.slice(0, at), ownerKey.slice(at + 1)];
}
