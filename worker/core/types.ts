// Provider-neutral shapes. Adapters translate wire formats into these; the core never sees a
// provider payload.
import type { ParsedCommand } from "./commands";

export type ChatType = "direct" | "group";

/** One inbound chat message, normalised. */
export interface InboundMessage {
  /** The provider's id for this delivery; redeliveries carry the same id (de-duplication key). */
  eventId: string;
  chat: { id: string; type: ChatType; title?: string };
  sender: { id: string; username?: string; displayName?: string };
  /** Where replies to this message go, encoded by the adapter (opaque to the core). */
  address: string;
  /** Provider message id, used to reply in context. */
  messageId?: string;
  text: string;
  /** Groups: the message mentions the bot, replies to it, or uses `/cmd@bot`. Always true in DMs. */
  addressedToBot: boolean;
  /** Unix ms when the provider says it was sent. */
  sentAt: number;
  /** The chat command in `text`, recognised once at ingest with the bot's own name; null: none. */
  command?: ParsedCommand | null;
}

/**
 * The routing key of a conversation: each DM user and each group has its own threads. The one
 * place these keys are spelled; stored in D1 (routes, missed replies, thread owners).
 */
export function chatKey(chat: { type: ChatType; chatId: string; senderId: string }): string {
  return chat.type === "direct" ? directChatKey(chat.senderId) : `group:${chat.chatId}`;
}

/** The key of a user's direct chat (pushes and routes address a user without a message). */
export function directChatKey(providerUserId: string): string {
  return `dm:${providerUserId}`;
}

/** The chat a key names: a DM user's provider id, or a group's chat id. */
export function parseChatKey(key: string): { type: ChatType; id: string } {
  const at = key.indexOf(":");
  return { type: key.slice(0, at) === "dm" ? "direct" : "group", id: key.slice(at + 1) };
}

export function chatKeyOf(message: Pick<InboundMessage, "chat" | "sender">): string {
  return chatKey({ type: message.chat.type, chatId: message.chat.id, senderId: message.sender.id });
}

/** A conversation: its routing key and the reply address messages are delivered to. */
export interface ChatRef {
  key: string;
  address: string;
}

export function chatRefOf(message: Pick<InboundMessage, "chat" | "sender" | "address">): ChatRef {
  return { key: chatKeyOf(message), address: message.address };
}
