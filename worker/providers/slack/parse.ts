// Slack Events API request → provider-neutral events. `url_verification` is answered with its
// challenge; from `event_callback` only human text messages become chat messages (DMs, channel
// messages, mentions); everything else is acknowledged and logged as ignored.
import * as z from "zod";
import { OK_ACK, jsonAck, type InboundEvent, type ParsedInbound } from "../types";
import { slackAddress, tsToMillis, unescapeSlackText } from "./address";

/** The bot's identity in its workspace (from auth.test), to recognise its own messages and mentions. */
export interface SlackBot {
  userId: string;
  botId: string;
}

const envelopeSchema = z.object({ type: z.string() }).passthrough();
const verificationSchema = z.object({ challenge: z.string().min(1) });
const callbackSchema = z.object({
  event_id: z.string(),
  event: z.object({ type: z.string() }).passthrough(),
});

const messageEventSchema = z.object({
  type: z.enum(["message", "app_mention"]),
  subtype: z.string().optional(),
  channel: z.string().min(1),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().regex(/^\d+\.\d+$/),
  thread_ts: z.string().optional(),
});

const GROUP_CHANNEL_TYPES = ["channel", "group", "mpim"];

/** Reads one request body; throws on a body that is not a Slack delivery (the core answers 400). */
export function parseSlackRequest(rawBody: string, bot: SlackBot): ParsedInbound {
  const envelope = envelopeSchema.parse(JSON.parse(rawBody));
  switch (envelope.type) {
    case "url_verification":
      // Slack accepts the challenge as plain text, form or JSON; JSON keeps one content type.
      return { ack: jsonAck({ challenge: verificationSchema.parse(envelope).challenge }), events: [] };
    case "event_callback": {
      const callback = callbackSchema.parse(envelope);
      return { ack: OK_ACK, events: [readEvent(callback.event_id, callback.event, bot)] };
    }
    case "app_rate_limited":
      return { ack: OK_ACK, events: [{ kind: "ignored", reason: "Slack paused deliveries: this app exceeded 30,000 events per hour in a workspace" }] };
    default:
      return { ack: OK_ACK, events: [{ kind: "ignored", reason: `delivery type "${envelope.type}" is not handled` }] };
  }
}

/**
 * Reads one Socket Mode `events_api` payload: the same body the Request URL would get, without
 * the challenge (Socket Mode has none). Never throws: a payload it cannot read is ignored.
 */
export function parseSlackPayload(payload: Record<string, unknown>, bot: SlackBot): InboundEvent {
  const callback = callbackSchema.safeParse(payload);
  if (payload.type !== "event_callback" || !callback.success) return { kind: "ignored", reason: `Socket Mode payload "${String(payload.type)}" is not handled` };
  return readEvent(callback.data.event_id, callback.data.event, bot);
}

function readEvent(envelopeId: string, raw: { type: string }, bot: SlackBot): InboundEvent {
  if (raw.type !== "message" && raw.type !== "app_mention") return { kind: "ignored", eventId: envelopeId, reason: `event type "${raw.type}" is not handled` };
  const parsed = messageEventSchema.safeParse(raw);
  if (!parsed.success) return { kind: "ignored", eventId: envelopeId, reason: "event without the fields Switchboard needs" };
  const event = parsed.data;
  // One message can arrive as `message.channels` and as `app_mention` (different event_ids), and
  // again as a retry: channel + ts names the message itself, so the core stores it once.
  const eventId = `${event.channel}:${event.ts}`;
  const ignored = (reason: string): InboundEvent => ({ kind: "ignored", eventId, reason });

  // Our replies come back on message.im / message.channels.
  if (event.user === bot.userId || (event.bot_id !== undefined && event.bot_id === bot.botId)) return ignored("our own message");
  if (event.bot_id !== undefined || event.subtype === "bot_message") return ignored("message from another bot");
  if (event.subtype === "message_changed" || event.subtype === "message_deleted") return ignored("edits and deletions are not conversation turns");
  if (event.subtype !== undefined) return ignored(`message subtype "${event.subtype}" is not handled`);
  if (!event.user || event.text === undefined) return ignored("message without a sender or text");

  // The agent sees the question, not the addressing: our `<@U…>` (or `<@U…|name>`) is removed.
  const mention = new RegExp(`<@${escapeRegExp(bot.userId)}(?:\\|[^>]*)?>`, "g");
  const withoutMention = event.text.replace(mention, " ");
  const mentioned = withoutMention !== event.text;
  const text = unescapeSlackText(withoutMention).replace(/[ \t]{2,}/g, " ").trim();
  if (!text) return ignored("message has no text besides the mention");
  const base = { eventId, sender: { id: event.user }, messageId: event.ts, text, sentAt: tsToMillis(event.ts) };

  if (event.type === "message" && event.channel_type === "im") {
    return { kind: "message", message: { ...base, chat: { id: event.channel, type: "direct" }, address: slackAddress(event.channel), addressedToBot: true } };
  }
  if (event.type === "message" && !GROUP_CHANNEL_TYPES.includes(event.channel_type ?? "")) {
    return ignored(`channel type "${event.channel_type ?? "unknown"}" is not handled`);
  }
  return {
    kind: "message",
    message: {
      ...base,
      chat: { id: event.channel, type: "group" },
      // Answer in a thread under the question, or in the thread it was asked in.
      address: slackAddress(event.channel, event.thread_ts ?? event.ts),
      addressedToBot: event.type === "app_mention" || mentioned,
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
