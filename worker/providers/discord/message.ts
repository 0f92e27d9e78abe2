// A Discord Message object (gateway MESSAGE_CREATE) → provider-neutral event. Plain DMs and server
// messages reach Switchboard only through the gateway, which a bridge will forward; this is the
// parsing that path shares with the interactions endpoint (same policies, same sending).
//
// In plain messages users type `!new`, `!threads`… (a `/` would open Discord's slash-command
// picker). The channel's command syntax is `slash`, the one the interactions path and /help use,
// so a `!command` is rewritten to its slash form here and the core sees one syntax.
import * as z from "zod";
import { parseCommand } from "../../core/commands";
import type { InboundEvent } from "../types";
import { channelAddress } from "./address";

/** Message types that are someone writing: DEFAULT and REPLY. Joins, pins, boosts… are not. */
const CHAT_MESSAGE_TYPES = [0, 19];

const authorSchema = z.object({ id: z.string(), username: z.string(), global_name: z.string().nullish(), bot: z.boolean().optional() });

const messageSchema = z.object({
  id: z.string(),
  channel_id: z.string(),
  guild_id: z.string().optional(),
  author: authorSchema,
  member: z.object({ nick: z.string().nullish() }).passthrough().optional(),
  content: z.string(),
  timestamp: z.string(),
  type: z.number(),
  mentions: z.array(z.object({ id: z.string() }).passthrough()).default([]),
  referenced_message: z.object({ author: z.object({ id: z.string() }).passthrough() }).passthrough().nullish(),
});

/** Parses one Message; throws a ZodError when the object is not a Message. */
export function parseDiscordMessage(raw: unknown, botUserId: string): InboundEvent {
  const message = messageSchema.parse(raw);
  const eventId = message.id;
  if (!CHAT_MESSAGE_TYPES.includes(message.type)) return { kind: "ignored", eventId, reason: `message type ${message.type} is not a chat message` };
  if (message.author.bot) return { kind: "ignored", eventId, reason: "message from a bot" };

  const direct = message.guild_id === undefined;
  const mentionsBot = message.mentions.some((user) => user.id === botUserId);
  const stripped = stripBotMention(message.content, botUserId);
  // Without the Message Content intent, server messages arrive with empty content.
  if (!stripped) return { kind: "ignored", eventId, reason: "message has no text (attachments only, or the Message Content intent is off)" };
  const bang = parseCommand(stripped, "bang");

  return {
    kind: "message",
    message: {
      eventId,
      chat: { id: message.channel_id, type: direct ? "direct" : "group" },
      sender: {
        id: message.author.id,
        username: message.author.username,
        displayName: message.member?.nick ?? message.author.global_name ?? message.author.username,
      },
      address: channelAddress(message.channel_id),
      messageId: message.id,
      text: bang ? `/${bang.name}${bang.args ? ` ${bang.args}` : ""}` : stripped,
      // Like Telegram's bare /cmd in a group, a `!command` is for the bot.
      addressedToBot: direct || mentionsBot || message.referenced_message?.author.id === botUserId || bang !== null,
      sentAt: Date.parse(message.timestamp),
    },
  };
}

/** `<@id>` and the older `<@!id>` are how Discord writes a mention in `content`. */
function stripBotMention(content: string, botUserId: string): string {
  return content.replace(new RegExp(`<@!?${botUserId}>`, "g"), " ").replace(/\s{2,}/g, " ").trim();
}

