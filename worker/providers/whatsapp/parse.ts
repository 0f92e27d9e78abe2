// Reading Baileys' WAMessage (as the bridge forwards it from `messages.upsert`) into an
// InboundMessage. Only `notify` messages are conversation turns; own messages count only in the
// linked account's own chat when self-chat mode is on (the bridge drops the replies it sent).
import * as z from "zod";
import type { InboundMessage } from "../../core/types";
import type { ChannelContext } from "../types";
import { isGroupJid, isNonChatJid, normalizeJid, parseJid, personId, phoneOf } from "./jid";

const contextInfoSchema = z
  .object({
    mentionedJid: z.array(z.string()).nullish(),
    participant: z.string().nullish(),
    stanzaId: z.string().nullish(),
  })
  .passthrough();

const waMessageSchema = z
  .object({
    key: z.object({
      remoteJid: z.string(),
      fromMe: z.boolean().nullish(),
      id: z.string(),
      participant: z.string().nullish(),
      remoteJidAlt: z.string().nullish(),
      participantAlt: z.string().nullish(),
    }),
    message: z.record(z.string(), z.unknown()).nullish(),
    /** Seconds; protobuf longs arrive as numbers, strings or {low, high}. */
    messageTimestamp: z.union([z.number(), z.string(), z.object({ low: z.number(), high: z.number() })]).nullish(),
    pushName: z.string().nullish(),
    /** Added by the bridge: Baileys' `messages.upsert` type. */
    upsertType: z.enum(["notify", "append"]).default("notify"),
  })
  .passthrough();

export type WAMessage = z.input<typeof waMessageSchema>;

/** The linked account, as the `connected` login recorded it in `account.details`. */
export interface OwnIds {
  jid: string | null;
  lid: string | null;
}

export function ownIdsOf(channel: ChannelContext): OwnIds {
  const details = channel.account.details as { jid?: string; lid?: string };
  return { jid: normalizeJid(details.jid), lid: normalizeJid(details.lid) };
}

/** Wrappers WhatsApp puts around the real content (disappearing, view-once, edits). */
const WRAPPERS = ["ephemeralMessage", "viewOnceMessage", "viewOnceMessageV2", "viewOnceMessageV2Extension", "documentWithCaptionMessage"];

function unwrap(message: Record<string, unknown>): Record<string, unknown> {
  for (let depth = 0; depth < 4; depth++) {
    const wrapper = WRAPPERS.find((name) => typeof message[name] === "object" && message[name] !== null);
    const inner = wrapper ? (message[wrapper] as { message?: Record<string, unknown> }).message : undefined;
    if (!inner) return message;
    message = inner;
  }
  return message;
}

function textAndContext(message: Record<string, unknown>): { text: string | null; context: z.infer<typeof contextInfoSchema> | null } {
  if (typeof message.conversation === "string") return { text: message.conversation, context: null };
  for (const [field, textField] of [
    ["extendedTextMessage", "text"],
    ["imageMessage", "caption"],
    ["videoMessage", "caption"],
    ["documentMessage", "caption"],
  ] as const) {
    const part = message[field] as Record<string, unknown> | undefined;
    if (part && typeof part === "object") {
      const context = contextInfoSchema.safeParse(part.contextInfo);
      return { text: typeof part[textField] === "string" ? (part[textField] as string) : null, context: context.success ? context.data : null };
    }
  }
  return { text: null, context: null };
}

function secondsOf(value: WAMessage["messageTimestamp"]): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "object") return value.low + value.high * 2 ** 32;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds : null;
}

/** One WAMessage → a conversation turn, or why it is ignored. */
export function readWhatsAppMessage(channel: ChannelContext, raw: Record<string, unknown>): InboundMessage | { ignored: string } {
  const parsed = waMessageSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`not a WhatsApp message: ${parsed.error.issues[0]?.message}`);
  const wa = parsed.data;
  const chatJid = normalizeJid(wa.key.remoteJid);
  if (!chatJid) throw new Error("WhatsApp message without a chat JID");
  if (isNonChatJid(chatJid)) return { ignored: `not a chat (${parseJid(chatJid)?.server})` };
  if (wa.upsertType !== "notify") return { ignored: "history or another device's sync, not a new message" };

  const own = ownIdsOf(channel);
  const group = isGroupJid(chatJid);
  const selfChat = !group && (chatJid === own.jid || chatJid === own.lid);
  if (wa.key.fromMe && !selfChat) return { ignored: "sent by the linked account itself" };
  if (selfChat && !channel.settings?.selfChat) return { ignored: "a message in the account's own chat (self-chat mode is off)" };

  const content = wa.message ? unwrap(wa.message) : null;
  const { text, context } = content ? textAndContext(content) : { text: null, context: null };
  if (!text?.trim()) return { ignored: "no text (media without a caption, a reaction or a protocol message)" };

  const senderJid = group ? personId(wa.key.participant, wa.key.participantAlt) : selfChat ? (own.jid ?? own.lid) : personId(chatJid, wa.key.remoteJidAlt);
  if (!senderJid) throw new Error("WhatsApp group message without a participant");

  const ownForms = [own.jid, own.lid].filter((value): value is string => value !== null);
  const mentions = (context?.mentionedJid ?? []).map(normalizeJid);
  const repliesToUs = context?.participant ? ownForms.includes(normalizeJid(context.participant) ?? "") : false;
  const ownDigits = ownForms.map((jid) => jid.slice(0, jid.indexOf("@")));
  const addressedToBot =
    !group || mentions.some((jid) => jid !== null && ownForms.includes(jid)) || repliesToUs || ownDigits.some((digits) => text.includes(`@${digits}`));

  const seconds = secondsOf(wa.messageTimestamp);
  return {
    eventId: `wa:${chatJid}:${wa.key.id}`,
    chat: { id: chatJid, type: group ? "group" : "direct" },
    sender: { id: senderJid, username: phoneOf(senderJid) ?? undefined, displayName: wa.pushName ?? undefined },
    address: chatJid,
    messageId: wa.key.id,
    text,
    addressedToBot,
    sentAt: seconds === null ? Date.now() : seconds * 1000,
  };
}
