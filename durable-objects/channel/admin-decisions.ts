// What the admin API asks of a channel's conversations: pairing decisions, and messages from the
// push API. They run in the DO so they are serialised with the chats' own messages.
import { parseChatKey } from "../../worker/core/types";
import { decidePairingRequest, getPairingRequest } from "../../worker/db/pairing";
import { holdMissedReply } from "../../worker/db/routes";
import { approveUser, findUserByProviderId } from "../../worker/db/users";
import { ReplySink, type ChannelDeps } from "./deps";
import { requeueHeld } from "./held-messages";
import { publicName, texts } from "./texts";

/** The outcome of an admin operation that can be refused for the channel's state. */
export type OperationResult = { ok: true } | { ok: false; status: 404 | 409; error: string };

/**
 * Approves or rejects a pending pairing request. On approval the user is told, and the messages
 * they sent while waiting are queued again (each under its own id) so every one is answered.
 */
export async function decidePairing(deps: ChannelDeps, requestId: string, decision: "approved" | "rejected"): Promise<OperationResult> {
  const { db, runtime } = deps;
  const request = await getPairingRequest(db, runtime.row.id, requestId);
  if (!request) return { ok: false, status: 404, error: "pairing request not found" };
  if (request.status !== "pending") return { ok: false, status: 409, error: `pairing request is already ${request.status}` };
  if (request.expiresAt <= Date.now()) return { ok: false, status: 409, error: "pairing request has expired" };

  const notice = new ReplySink(deps, `pairing:${request.id}`, request.address);
  await decidePairingRequest(db, request.id, decision);
  if (decision === "rejected") {
    notice.send(texts.pairingRejected);
    deps.log("info", "pairing.rejected", `Pairing code ${request.code} rejected`, { requestId: request.id });
    return { ok: true };
  }
  await approveUser(db, request.userId);
  deps.cache.clear();
  notice.send(texts.pairingApproved(publicName(runtime)));
  const held = requeueHeld(deps.store, request);
  deps.log("info", "pairing.approved", `Pairing code ${request.code} approved`, { requestId: request.id, answeringHeldMessages: held });
  return { ok: true };
}

/** A push-API message for one chat. */
export interface PushDelivery {
  pushId: string;
  chatKey: string;
  address: string;
  threadId?: string;
  text: string;
}

/** What happened to a pushed message in one chat; `refused` says why (the API answers 409). */
export type PushOutcome = { outcome: "delivered" } | { outcome: "held" } | { outcome: "refused"; reason: string };

/**
 * Sends a pushed message when `threadId` is the chat's active thread (or absent: a direct
 * message); otherwise holds it as a missed reply for /more. A push obeys what a chat message
 * would: nothing reaches a stopped channel, a user who is not approved, or a group the policy
 * does not allow.
 */
export async function deliverPush(deps: ChannelDeps, push: PushDelivery): Promise<PushOutcome> {
  const channelId = deps.runtime.row.id;
  const detail = { pushId: push.pushId, chat: push.chatKey, thread: push.threadId ?? null };
  const refusal = await pushRefusal(deps, push.chatKey);
  if (refusal) {
    deps.log("info", "push.refused", `Pushed message not delivered: ${refusal}`, detail);
    return { outcome: "refused", reason: refusal };
  }
  if (push.threadId && (await deps.cache.activeThread(push.chatKey)) !== push.threadId) {
    await holdMissedReply(deps.db, {
      id: `mr_${push.pushId}_${channelId}_${push.chatKey}`,
      channelId,
      chatKey: push.chatKey,
      threadId: push.threadId,
      text: push.text,
    });
    deps.log("info", "push.held", "Pushed message held: the thread is not active in this chat", detail);
    return { outcome: "held" };
  }
  new ReplySink(deps, `push:${push.pushId}:${push.chatKey}`, push.address).send(push.text);
  deps.log("info", "push.accepted", "Pushed message queued for delivery", detail);
  return { outcome: "delivered" };
}

async function pushRefusal(deps: ChannelDeps, key: string): Promise<string | null> {
  const { runtime } = deps;
  if (runtime.row.status === "stopped") return "the channel is stopped";
  const chat = parseChatKey(key);
  if (chat.type === "direct") {
    const user = await findUserByProviderId(deps.db, runtime.row.id, chat.id);
    return user?.state === "approved" ? null : `the user is ${user?.state ?? "unknown"}`;
  }
  const { groupPolicy, allowedGroups } = runtime.settings;
  if (groupPolicy === "disabled") return "group messages are disabled for this channel";
  if (groupPolicy === "allowlist" && !allowedGroups.includes(chat.id)) return `group ${chat.id} is not on the allowlist`;
  return null;
}
