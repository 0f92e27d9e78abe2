// Sending text as the robot. While DingTalk's session webhook for the conversation is valid (the
// answer to a message normally is), the reply is posted there: no token, no send permission.
// Otherwise — pushes, approvals hours later, after a restart — the robot send API: one-to-one
// messages for a DM (oToMessages/batchSend to the user's staff id), group messages for a group.
import { ProviderError } from "../errors";
import type { OutboundText } from "../types";
import { readDingTalkAddress } from "./address";
import { callDingTalk, postSessionWebhook, type DingTalkApp } from "./api";
import { forgetSessionWebhook, sessionWebhookFor } from "./session-webhooks";

interface BatchSendAnswer {
  processQueryKey?: string;
  invalidStaffIdList?: string[];
  flowControlledStaffIdList?: string[];
}

/** Sends one text message; returns DingTalk's process query key (session webhooks give none). */
export async function sendDingTalkText(app: DingTalkApp, channelId: string, message: OutboundText): Promise<string> {
  const target = readDingTalkAddress(message.address);
  const webhook = sessionWebhookFor(channelId, target.conversationId);
  if (webhook) {
    if (await postSessionWebhook(webhook, message.text)) return `session:${target.conversationId}`;
    forgetSessionWebhook(channelId, target.conversationId);
  }
  const msgParam = JSON.stringify({ content: message.text });
  if (target.kind === "group") {
    const sent = await callDingTalk<{ processQueryKey?: string }>(app, "/v1.0/robot/groupMessages/send", {
      robotCode: app.robotCode,
      openConversationId: target.conversationId,
      msgKey: "sampleText",
      msgParam,
    });
    return sent.processQueryKey ?? "";
  }
  if (!target.staffId) throw new ProviderError("permanent", "DingTalk: the session webhook expired and the user has no staff id to write to");
  const sent = await callDingTalk<BatchSendAnswer>(app, "/v1.0/robot/oToMessages/batchSend", { robotCode: app.robotCode, userIds: [target.staffId], msgKey: "sampleText", msgParam });
  // batchSend answers 200 even for users it did not write to; they are listed instead.
  if (sent.flowControlledStaffIdList?.includes(target.staffId)) throw new ProviderError("rate-limited", "DingTalk batchSend: the user is flow-controlled");
  if (sent.invalidStaffIdList?.includes(target.staffId)) throw new ProviderError("permanent", `DingTalk batchSend: invalid staff id ${target.staffId}`);
  return sent.processQueryKey ?? "";
}
