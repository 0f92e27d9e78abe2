// Reading an iLink message (as the bridge forwards it from getupdates) into an InboundMessage.
// iLink binds a bot to one personal account and delivers one-to-one chats only; replies go to
// the user's id, and the bridge adds the conversation's context_token when it sends.
import * as z from "zod";
import type { InboundMessage } from "../../core/types";

/** message_type of the bot's own messages. */
const FROM_BOT = 2;
/** item types: 1 text, 3 voice (with WeChat's transcript when it made one). */
const TEXT = 1;
const VOICE = 3;

const itemSchema = z
  .object({
    type: z.number(),
    text_item: z.object({ text: z.string().nullish() }).passthrough().nullish(),
    voice_item: z.object({ text: z.string().nullish() }).passthrough().nullish(),
  })
  .passthrough();

const weChatMessageSchema = z
  .object({
    message_id: z.union([z.string().min(1), z.number()]).transform(String),
    from_user_id: z.string().min(1),
    group_id: z.string().nullish(),
    create_time_ms: z.number().nullish(),
    message_type: z.number().nullish(),
    item_list: z.array(itemSchema).nullish(),
  })
  .passthrough();

export type WeChatMessage = z.input<typeof weChatMessageSchema>;

function textOf(items: z.infer<typeof itemSchema>[]): string {
  return items
    .map((item) => (item.type === TEXT ? item.text_item?.text : item.type === VOICE ? item.voice_item?.text : null) ?? "")
    .filter((text) => text.trim() !== "")
    .join("\n");
}

export function readWeChatMessage(_channel: unknown, raw: Record<string, unknown>): InboundMessage | { ignored: string } {
  const parsed = weChatMessageSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`not an iLink message: ${parsed.error.issues[0]?.message}`);
  const message = parsed.data;
  if (message.message_type === FROM_BOT) return { ignored: "sent by the bot itself" };
  if (message.group_id) return { ignored: "a group message (WeChat bots answer one-to-one chats only)" };
  const text = textOf(message.item_list ?? []);
  if (!text) return { ignored: "no text (an image, file, video or voice note without a transcript)" };
  const sentAt = message.create_time_ms ?? 0;
  return {
    eventId: `wx:${message.message_id}`,
    chat: { id: message.from_user_id, type: "direct" },
    sender: { id: message.from_user_id },
    address: message.from_user_id,
    messageId: message.message_id,
    text,
    addressedToBot: true,
    sentAt: sentAt > 0 ? sentAt : Date.now(),
  };
}
