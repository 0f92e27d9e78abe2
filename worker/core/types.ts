// Provider-neutral shapes. Adapters translate wire formats into these; the core never sees a
// provider payload.

export type ChatType = "direct" | "group";

/** One inbound chat message, normalised. */
export interface InboundMessage {
  /** The provider's id for this delivery; redeliveries carry the same id (de-duplication key). */
  eventId: string;
  chat: { id: string; type: ChatType; title?: string };
  sender: { id: string; username?: string; displayName?: string };
  /** Provider message id, used to reply in context. */
  messageId?: string;
  text: string;
  /** Groups: the message mentions the bot, replies to it, or uses `/cmd@bot`. Always true in DMs. */
  addressedToBot: boolean;
  /** Unix ms when the provider says it was sent. */
  sentAt: number;
}

/** What an adapter makes of one webhook body. */
export type ParsedWebhook =
  | { kind: "message"; message: InboundMessage }
  /** Valid delivery we do not act on (edits, joins, other bots); still acknowledged. */
  | { kind: "ignored"; eventId?: string; reason: string }
  /** Provider handshake answered directly (e.g. Slack url_verification). */
  | { kind: "reply"; response: { status: number; body: unknown } };

/** The routing key of a conversation: each DM user and each group has its own threads. */
export function chatKeyOf(message: Pick<InboundMessage, "chat" | "sender">): string {
  return message.chat.type === "direct" ? `dm:${message.sender.id}` : `group:${message.chat.id}`;
}

/** A conversation: its routing key and the provider chat id messages are delivered to. */
export interface ChatRef {
  key: string;
  id: string;
}

export function chatRefOf(message: Pick<InboundMessage, "chat" | "sender">): ChatRef {
  return { key: chatKeyOf(message), id: message.chat.id };
}
