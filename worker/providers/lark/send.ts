// Sending text as the bot. A group question is answered with the reply API (the answer quotes
// it); DMs, pushes and notices go to the chat. Every queued message carries a `uuid`: Lark sends
// at most one message per uuid within an hour, so the outbox's retry after a lost response finds
// the message already sent instead of posting it twice.
import { sha256Hex } from "../../crypto/encoding";
import { ProviderError } from "../errors";
import type { OutboundText } from "../types";
import { callLark } from "./api";
import { larkTextContent } from "./content";
import type { LarkAnswer, LarkApp } from "./request";

interface SentMessage extends LarkAnswer {
  data: { message_id: string };
}

/** Sends one text message; returns Lark's message id. */
export async function sendLarkText(app: LarkApp, channelId: string, message: OutboundText): Promise<string> {
  const body = {
    msg_type: "text",
    content: larkTextContent(message.text),
    ...(message.idempotencyKey ? { uuid: await larkUuid(channelId, message.idempotencyKey) } : {}),
  };
  if (message.replyTo) {
    try {
      const replied = await callLark<SentMessage>(app, "POST", `/open-apis/im/v1/messages/${encodeURIComponent(message.replyTo)}/reply`, body);
      return replied.data.message_id;
    } catch (error) {
      // The question was recalled or cannot be replied to: the answer still goes to the chat.
      if (!(error instanceof ProviderError) || error.kind !== "permanent") throw error;
    }
  }
  const sent = await callLark<SentMessage>(app, "POST", "/open-apis/im/v1/messages?receive_id_type=chat_id", { receive_id: message.address, ...body });
  return sent.data.message_id;
}

/**
 * The uuid for one queued message: derived from the channel and the outbox key, so every retry
 * of that message carries the same one and no other message ever does. Lark allows 50 characters.
 */
export async function larkUuid(channelId: string, idempotencyKey: string): Promise<string> {
  const hex = await sha256Hex(`${channelId}\n${idempotencyKey}`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
