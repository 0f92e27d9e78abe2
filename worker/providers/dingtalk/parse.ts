// A DingTalk robot callback → provider-neutral events. Text (and the text of rich-text) messages
// become chat messages: one-to-one conversations (`conversationType` "1") and group messages
// (`"2"`, addressed when the robot is in `isInAtList`); other types are acknowledged and logged
// as ignored. The callback's session webhook is remembered for the reply (session-webhooks.ts).
import * as z from "zod";
import type { ParsedInbound, ProviderEnv } from "../types";
import { jsonAck } from "../types";
import { dingTalkAddress } from "./address";
import { isDingTalkWebhook } from "./api";
import { rememberSessionWebhook } from "./session-webhooks";

/** DingTalk needs only a 200; an empty object is not mistaken for a reply message. */
export const DINGTALK_ACK = jsonAck({});

const callbackSchema = z.object({
  msgId: z.string().min(1),
  msgtype: z.string(),
  conversationId: z.string().min(1),
  conversationType: z.string(),
  conversationTitle: z.string().optional(),
  senderId: z.string().min(1),
  senderStaffId: z.string().optional(),
  senderNick: z.string().optional(),
  isInAtList: z.boolean().optional(),
  createAt: z.number(),
  sessionWebhook: z.string().optional(),
  sessionWebhookExpiredTime: z.number().optional(),
  text: z.object({ content: z.string() }).optional(),
  content: z.unknown().optional(),
});

type Callback = z.infer<typeof callbackSchema>;

/** Reads one callback; throws on a body that is not a robot message (the core answers 400). */
export function parseDingTalkCallback(rawBody: string, channel: { channelId: string; env: ProviderEnv }): ParsedInbound {
  const callback = callbackSchema.parse(JSON.parse(rawBody));
  const eventId = callback.msgId;
  const ignored = (reason: string): ParsedInbound => ({ ack: DINGTALK_ACK, events: [{ kind: "ignored", eventId, reason }] });
  const direct = callback.conversationType === "1";
  if (!direct && callback.conversationType !== "2") return ignored(`conversation type "${callback.conversationType}" is not handled`);

  const { sessionWebhook: webhook, sessionWebhookExpiredTime: expiresAt } = callback;
  if (webhook && expiresAt && isDingTalkWebhook(webhook, channel.env)) rememberSessionWebhook(channel.channelId, callback.conversationId, webhook, expiresAt);

  const text = textOf(callback)?.trim();
  if (text === undefined) return ignored(`message type "${callback.msgtype}" is not handled`);
  if (!text) return ignored("message has no text");
  const senderId = callback.senderStaffId || callback.senderId;
  return {
    ack: DINGTALK_ACK,
    events: [
      {
        kind: "message",
        message: {
          eventId,
          chat: direct ? { id: callback.conversationId, type: "direct" } : { id: callback.conversationId, type: "group", title: callback.conversationTitle },
          sender: { id: senderId, ...(callback.senderNick ? { displayName: callback.senderNick } : {}) },
          address: dingTalkAddress(direct ? { kind: "direct", conversationId: callback.conversationId, staffId: callback.senderStaffId ?? "" } : { kind: "group", conversationId: callback.conversationId }),
          messageId: callback.msgId,
          text,
          // In groups DingTalk delivers only messages that @mention the robot, and says so.
          addressedToBot: direct || callback.isInAtList === true,
          sentAt: callback.createAt,
        },
      },
    ],
  };
}

/** `text.content`, or the text parts of a rich-text message; undefined for other types. */
function textOf(callback: Callback): string | undefined {
  if (callback.msgtype === "text") return callback.text?.content;
  if (callback.msgtype === "richText") {
    const parts = (callback.content as { richText?: { text?: unknown }[] } | undefined)?.richText;
    if (!Array.isArray(parts)) return undefined;
    return parts.map((part) => (typeof part?.text === "string" ? part.text : "")).join("");
  }
  return undefined;
}
