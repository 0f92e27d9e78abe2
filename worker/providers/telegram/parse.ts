// Telegram Update → provider-neutral event. Only `message` updates with text (or a caption)
// become chat messages; everything else is acknowledged and logged as ignored.
import * as z from "zod";
import type { InboundEvent } from "../types";

const userSchema = z.object({
  id: z.number(),
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});

const entitySchema = z.object({
  type: z.string(),
  offset: z.number(),
  length: z.number(),
  user: userSchema.optional(),
});

const messageSchema = z.object({
  message_id: z.number(),
  // Unix seconds; a value past 2100 is not a real message date.
  date: z.number().int().min(0).max(4_102_444_800),
  chat: z.object({ id: z.number(), type: z.string(), title: z.string().optional() }),
  from: userSchema.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(entitySchema).optional(),
  caption_entities: z.array(entitySchema).optional(),
  reply_to_message: z.object({ from: userSchema.optional() }).optional(),
});

export const updateSchema = z.object({ update_id: z.number() }).passthrough();

export interface BotIdentity {
  id: number;
  username: string;
}

/** Parses one Update; throws a ZodError when the body is not an Update. */
export function parseTelegramUpdate(raw: unknown, bot: BotIdentity): InboundEvent {
  const update = updateSchema.parse(raw);
  const eventId = String(update.update_id);
  const updateType = Object.keys(update).find((key) => key !== "update_id") ?? "unknown";
  if (updateType !== "message") return { kind: "ignored", eventId, reason: `update type "${updateType}" is not handled` };

  const parsed = messageSchema.safeParse(update.message);
  if (!parsed.success) return { kind: "ignored", eventId, reason: "message without the fields Switchboard needs" };
  const message = parsed.data;
  if (!message.from) return { kind: "ignored", eventId, reason: "message sent on behalf of a chat, not a user" };
  if (message.from.is_bot) return { kind: "ignored", eventId, reason: "message from a bot" };

  const text = message.text ?? message.caption;
  if (text === undefined) return { kind: "ignored", eventId, reason: "message has no text (media without caption is not supported yet)" };
  const entities = (message.text !== undefined ? message.entities : message.caption_entities) ?? [];
  const direct = message.chat.type === "private";
  if (!direct && message.chat.type !== "group" && message.chat.type !== "supergroup") {
    return { kind: "ignored", eventId, reason: `chat type "${message.chat.type}" is not handled` };
  }

  return {
    kind: "message",
    message: {
      eventId,
      chat: { id: String(message.chat.id), type: direct ? "direct" : "group", title: message.chat.title },
      // Replies go to the chat itself: the address is the chat id.
      address: String(message.chat.id),
      sender: {
        id: String(message.from.id),
        username: message.from.username,
        displayName: [message.from.first_name, message.from.last_name].filter(Boolean).join(" "),
      },
      messageId: String(message.message_id),
      text: direct ? text : stripBotMention(text, entities, bot),
      addressedToBot: direct || isAddressedToBot(text, entities, message.reply_to_message?.from?.id, bot),
      sentAt: message.date * 1000,
    },
  };
}

type Entity = z.infer<typeof entitySchema>;

/** Entity offsets are UTF-16 code units, which is what JS string indices are. */
function entityText(text: string, entity: Entity): string {
  return text.slice(entity.offset, entity.offset + entity.length);
}

/** A group message is for the bot when it mentions it, replies to it, or is `/cmd` or `/cmd@bot`. */
function isAddressedToBot(text: string, entities: Entity[], replyToUserId: number | undefined, bot: BotIdentity): boolean {
  if (replyToUserId === bot.id) return true;
  const mention = `@${bot.username}`.toLowerCase();
  return entities.some((entity) => {
    const value = entityText(text, entity).toLowerCase();
    if (entity.type === "mention") return value === mention;
    if (entity.type === "text_mention") return entity.user?.id === bot.id;
    // Telegram delivers a bare /cmd to every bot in the group; /cmd@other is for another bot.
    if (entity.type === "bot_command") return entity.offset === 0 && (!value.includes("@") || value.endsWith(mention));
    return false;
  });
}

/** Removes `@bot` mentions so the agent sees the question, not the addressing. */
function stripBotMention(text: string, entities: Entity[], bot: BotIdentity): string {
  const mention = `@${bot.username}`.toLowerCase();
  const spans = entities
    .filter((entity) => entity.type === "mention" && entityText(text, entity).toLowerCase() === mention)
    .sort((a, b) => b.offset - a.offset);
  let out = text;
  for (const span of spans) out = out.slice(0, span.offset) + out.slice(span.offset + span.length);
  return out.replace(/\s{2,}/g, " ").trim();
}
