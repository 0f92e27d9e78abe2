// A decrypted Lark delivery → provider-neutral events. The Request URL challenge is answered with
// its value; schema 2.0 `im.message.receive_v1` text (and rich-text "post") messages from people
// become chat messages — DMs (`p2p`) and group messages (addressed when they mention the bot);
// everything else is acknowledged and logged as ignored.
import * as z from "zod";
import { OK_ACK, jsonAck, type InboundEvent, type ParsedInbound } from "../types";
import { textOfContent } from "./content";

/** The bot's identity in its tenant (from bot/v3/info at Test), to recognise its mentions. */
export interface LarkBot {
  openId: string;
}

const challengeSchema = z.object({ type: z.literal("url_verification"), challenge: z.string().min(1) });
const envelopeSchema = z.object({
  schema: z.literal("2.0"),
  header: z.object({ event_id: z.string().min(1), event_type: z.string() }),
  event: z.unknown(),
});

const mentionSchema = z.object({
  key: z.string().min(1),
  id: z.object({ open_id: z.string().optional() }),
  name: z.string().optional(),
});

const receiveSchema = z.object({
  sender: z.object({
    sender_id: z.object({ open_id: z.string().optional() }).optional(),
    sender_type: z.string(),
  }),
  message: z.object({
    message_id: z.string().min(1),
    chat_id: z.string().min(1),
    chat_type: z.string(),
    message_type: z.string(),
    content: z.string(),
    create_time: z.string().regex(/^\d+$/),
    mentions: z.array(mentionSchema).optional(),
  }),
});

type Mention = z.infer<typeof mentionSchema>;

/** Reads one decrypted delivery; throws on a body that is not a Lark delivery (the core answers 400). */
export function parseLarkDelivery(plainBody: string, bot: LarkBot): ParsedInbound {
  const payload = z.record(z.string(), z.unknown()).parse(JSON.parse(plainBody));
  if (payload.type === "url_verification") return { ack: jsonAck({ challenge: challengeSchema.parse(payload).challenge }), events: [] };
  if (payload.schema === undefined && payload.type === "event_callback") {
    const eventId = typeof payload.uuid === "string" ? payload.uuid : undefined;
    return { ack: OK_ACK, events: [{ kind: "ignored", eventId, reason: "schema 1.0 events are not handled (subscribe to the 2.0 event im.message.receive_v1)" }] };
  }
  const envelope = envelopeSchema.parse(payload);
  return { ack: OK_ACK, events: [readEvent(envelope.header.event_id, envelope.header.event_type, envelope.event, bot)] };
}

function readEvent(eventId: string, eventType: string, raw: unknown, bot: LarkBot): InboundEvent {
  const ignored = (reason: string): InboundEvent => ({ kind: "ignored", eventId, reason });
  if (eventType !== "im.message.receive_v1") return ignored(`event type "${eventType}" is not handled`);
  const parsed = receiveSchema.safeParse(raw);
  if (!parsed.success) return ignored("event without the fields Switchboard needs");
  const { sender, message } = parsed.data;

  if (sender.sender_type !== "user") return ignored(`message from ${sender.sender_type === "app" ? "an app or bot" : `a sender of type "${sender.sender_type}"`}`);
  const senderId = sender.sender_id?.open_id;
  if (!senderId) return ignored("message without the sender's open_id");
  const direct = message.chat_type === "p2p";
  if (!direct && message.chat_type !== "group") return ignored(`chat type "${message.chat_type}" is not handled`);
  const content = textOfContent(message.message_type, message.content);
  if (content === null) return ignored(`message type "${message.message_type}" is not handled`);

  const { text, mentionsBot } = resolveMentions(content, message.mentions ?? [], bot);
  if (!text) return ignored(mentionsBot ? "message has no text besides the mention" : "message has no text");
  return {
    kind: "message",
    message: {
      eventId,
      chat: { id: message.chat_id, type: direct ? "direct" : "group" },
      sender: { id: senderId },
      // Replies go to the chat (groups quote the question through the reply API: replyTo).
      address: message.chat_id,
      messageId: message.message_id,
      text,
      addressedToBot: direct || mentionsBot,
      sentAt: Number(message.create_time),
    },
  };
}

/**
 * Mentions arrive as placeholders (`@_user_1`) listed in `mentions`. The bot's own is removed, so
 * the agent sees the question rather than the addressing; others become `@Name`.
 */
function resolveMentions(content: string, mentions: Mention[], bot: LarkBot): { text: string; mentionsBot: boolean } {
  let mentionsBot = false;
  const byKey = new Map(mentions.map((mention) => [mention.key, mention]));
  if (byKey.size === 0) return { text: tidy(content), mentionsBot };
  // Longest keys first, so `@_user_1` never eats the start of `@_user_10`.
  const keys = [...byKey.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const replaced = content.replace(new RegExp(keys.join("|"), "g"), (key) => {
    const mention = byKey.get(key)!;
    if (mention.id.open_id === bot.openId) {
      mentionsBot = true;
      return " ";
    }
    return `@${mention.name ?? "someone"}`;
  });
  return { text: tidy(replaced), mentionsBot };
}

function tidy(text: string): string {
  return text.replace(/[ \t]{2,}/g, " ").trim();
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
