// Reading a zca-js message (as the bridge forwards it from the listener's `message` event) into
// an InboundMessage. Replies go to `u:<uid>` (a DM) or `g:<groupId>` (a group): zca-js needs the
// thread type beside the id, so the address carries it.
import * as z from "zod";
import type { InboundMessage } from "../../core/types";
import type { ChannelContext } from "../types";

/** zca-js ThreadType: 0 a user (DM), 1 a group. */
const USER = 0;

const zaloMessageSchema = z
  .object({
    type: z.union([z.literal(0), z.literal(1)]),
    threadId: z.string(),
    isSelf: z.boolean().default(false),
    data: z
      .object({
        msgId: z.union([z.string(), z.number()]).transform(String),
        uidFrom: z.string(),
        dName: z.string().nullish(),
        ts: z.union([z.string(), z.number()]).nullish(),
        content: z.unknown(),
        mentions: z.array(z.object({ uid: z.string() }).passthrough()).nullish(),
        quote: z.object({ ownerId: z.union([z.string(), z.number()]).transform(String).nullish() }).passthrough().nullish(),
      })
      .passthrough(),
  })
  .passthrough();

export type ZaloMessage = z.input<typeof zaloMessageSchema>;

/** `u:<uid>` or `g:<groupId>` → what zca-js needs to send there. */
export function parseZaloAddress(address: string): { threadId: string; group: boolean } {
  return { threadId: address.slice(2), group: address.startsWith("g:") };
}

export function readZaloMessage(channel: ChannelContext, raw: Record<string, unknown>): InboundMessage | { ignored: string } {
  const parsed = zaloMessageSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`not a Zalo message: ${parsed.error.issues[0]?.message}`);
  const message = parsed.data;
  if (message.isSelf) return { ignored: "sent by the linked account itself" };
  const text = typeof message.data.content === "string" ? message.data.content : null;
  if (!text?.trim()) return { ignored: "no text (a sticker, photo, link card or file)" };
  const direct = message.type === USER;
  const ownId = channel.account.id;
  const addressedToBot = direct || (message.data.mentions ?? []).some((mention) => mention.uid === ownId) || message.data.quote?.ownerId === ownId;
  const ts = Number(message.data.ts);
  return {
    eventId: `zp:${message.data.msgId}`,
    chat: { id: message.threadId, type: direct ? "direct" : "group" },
    sender: { id: message.data.uidFrom, displayName: message.data.dName ?? undefined },
    address: `${direct ? "u" : "g"}:${message.threadId}`,
    messageId: message.data.msgId,
    text,
    addressedToBot,
    sentAt: Number.isFinite(ts) && ts > 0 ? ts : Date.now(),
  };
}
