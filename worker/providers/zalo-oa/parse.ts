// Zalo Bot Platform webhook body → provider-neutral event. Only `message.text.received` becomes a
// chat message; images, stickers and unsupported messages are acknowledged and logged as ignored.
//
// Zalo documents no mention field. A group message counts as addressed to the bot when its text
// contains `@<account name>` (getMe's `account_name`, e.g. `@bot.VDKyGxQvc`) or starts with a
// command, like a bare `/cmd` in a Telegram group; the mention is removed before the agent sees it.
import * as z from "zod";
import type { InboundEvent } from "../types";

const id = z.union([z.string(), z.number()]).transform(String);

const messageSchema = z.object({
  message_id: id,
  from: z.object({
    id,
    display_name: z.string().optional(),
    name: z.string().optional(),
    first_name: z.string().optional(),
    is_bot: z.boolean().optional(),
  }),
  chat: z.object({ id, chat_type: z.string() }),
  date: z.number().optional(),
  text: z.string().optional(),
});

const updateSchema = z.object({ event_name: z.string(), message: z.unknown().optional() });

export const TEXT_EVENT = "message.text.received";

/** Parses one webhook body; throws a ZodError when it is not an update. */
export function parseZaloUpdate(raw: unknown, botAccountName: string): InboundEvent {
  const update = updateSchema.parse(unwrap(raw));
  const parsed = messageSchema.safeParse(update.message);
  // Message ids are not documented as unique across chats: the chat id makes the key safe.
  const eventId = parsed.success ? `${parsed.data.chat.id}:${parsed.data.message_id}` : undefined;
  if (update.event_name !== TEXT_EVENT) return { kind: "ignored", eventId, reason: `event "${update.event_name}" is not handled (only text messages are)` };
  if (!parsed.success) return { kind: "ignored", eventId, reason: "message without the fields Switchboard needs" };
  const message = parsed.data;
  if (message.from.is_bot) return { kind: "ignored", eventId, reason: "message from a bot" };
  if (message.text === undefined || message.text.trim() === "") return { kind: "ignored", eventId, reason: "text event without text" };
  const direct = message.chat.chat_type === "PRIVATE";
  if (!direct && message.chat.chat_type !== "GROUP") return { kind: "ignored", eventId, reason: `chat type "${message.chat.chat_type}" is not handled` };

  const mention = () => new RegExp(`(^|\\s)@${escapeRegExp(botAccountName)}(?=$|[\\s.,:;!?])`, "gi");
  const mentioned = botAccountName !== "" && mention().test(message.text);
  const text = direct ? message.text.trim() : message.text.replace(mention(), "$1").replace(/\s{2,}/g, " ").trim();
  return {
    kind: "message",
    message: {
      eventId: eventId!,
      chat: { id: message.chat.id, type: direct ? "direct" : "group" },
      // Replies go to the chat itself: sendMessage takes the chat id for DMs and groups.
      address: message.chat.id,
      sender: { id: message.from.id, displayName: message.from.display_name ?? message.from.name ?? message.from.first_name },
      messageId: message.message_id,
      text,
      addressedToBot: direct || mentioned || text.startsWith("/"),
      sentAt: toMillis(message.date),
    },
  };
}

/** Webhooks deliver the bare update; getUpdates wraps it in `{ ok, result }`. Both are accepted. */
function unwrap(raw: unknown): unknown {
  if (raw && typeof raw === "object" && "result" in raw && !("event_name" in raw)) return (raw as { result: unknown }).result;
  return raw;
}

/** The documented sample is in milliseconds; a value in seconds is converted. */
function toMillis(date: number | undefined): number {
  if (date === undefined) return Date.now();
  return date < 1e12 ? date * 1000 : date;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
