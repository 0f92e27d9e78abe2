// The provider-adapter contract. One folder per provider implements it; the core (ChannelDO)
// only ever talks to this interface, so it never sees a wire format.
import type * as z from "zod";
import type { CommandSyntax } from "../core/commands";
import type { ParsedWebhook } from "../core/types";

/** Configuration a provider reads from the Worker environment (API bases for fakes/self-hosting). */
export interface ProviderEnv {
  TELEGRAM_API_BASE?: string;
}

/** The connected account, as the credential test found it. */
export interface AccountInfo {
  /** Stable account id (Telegram bot id): two channels may not share it without `force`. */
  id: string;
  /** Human label (the bot username, without the @). */
  name: string;
  /** Provider details kept for later calls (Telegram: the getMe result). */
  details: Record<string, unknown>;
}

/** What an adapter needs to act for one channel. */
export interface ChannelContext {
  channelId: string;
  credentials: Record<string, string>;
  /** Per-channel random secret the provider echoes back on every webhook. */
  webhookSecret: string;
  account: AccountInfo;
  env: ProviderEnv;
}

export interface OutboundText {
  chatId: string;
  text: string;
  /** Provider message id to reply to, when the reply should quote the question. */
  replyTo?: string;
}

/** A provider's answer to "is this channel healthy?", from its own diagnostics. */
export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** One credential input, as the admin UI shows it. */
export interface CredentialField {
  name: string;
  label: string;
  /** Shown as a password field and never echoed back. */
  secret: boolean;
  help?: string;
}

export interface ProviderAdapter {
  readonly id: string;
  readonly label: string;
  /** How the account is connected: a pasted token, or a QR login in the bridge. */
  readonly connection: "token" | "qr";
  readonly credentialFields: CredentialField[];
  readonly commandSyntax: CommandSyntax;
  /** Longest text one message may carry; longer replies are split. */
  readonly maxTextLength: number;
  /** Validates the credential fields before any network call. */
  readonly credentialsSchema: z.ZodType<Record<string, string>>;
  /** Calls the provider to validate credentials; throws CredentialError with the provider's answer. */
  testCredentials(credentials: Record<string, string>, env: ProviderEnv): Promise<AccountInfo>;
  /** Connects inbound delivery (e.g. registers the webhook at `webhookUrl`). */
  start(channel: ChannelContext, webhookUrl: string): Promise<void>;
  /** Disconnects inbound delivery. */
  stop(channel: ChannelContext): Promise<void>;
  /** Checks the webhook's authenticity over the raw body; must be constant-time. */
  verifyWebhook(channel: ChannelContext, headers: Headers, rawBody: string): Promise<boolean>;
  /** Turns a verified webhook body into a provider-neutral event; throws on a malformed body. */
  parseWebhook(channel: ChannelContext, rawBody: string): ParsedWebhook;
  /** Sends one message (already within `maxTextLength`); returns its provider id; throws ProviderError. */
  sendText(channel: ChannelContext, message: OutboundText): Promise<{ messageId: string }>;
  /** Replaces the text of a message the bot sent (streaming progress, final text). */
  editText?(channel: ChannelContext, chatId: string, messageId: string, text: string): Promise<void>;
  /** Sends a voice note (OGG/Opus or MP3 bytes). */
  sendVoice?(channel: ChannelContext, chatId: string, audio: { bytes: Uint8Array; mime: string }): Promise<void>;
  /** Shows a typing indicator, best effort. */
  sendTyping?(channel: ChannelContext, chatId: string): Promise<void>;
  /** Asks the provider how delivery is going. */
  probe?(channel: ChannelContext): Promise<ProbeResult>;
}
