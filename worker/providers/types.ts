// The provider-adapter contract. One folder per provider implements it; the core (ChannelDO)
// only ever talks to this interface, so it never sees a wire format. It fits webhook providers
// (the Worker receives HTTP) and bridge providers (a socket in the bridge forwards events): both
// arrive as an InboundRequest and leave as the same outbound calls.
import type * as z from "zod";
import type { Directory } from "../bridge/protocol";
import type { CommandSyntax } from "../core/commands";
import type { ChannelSettings } from "../core/settings";
import type { InboundMessage } from "../core/types";

/** Configuration a provider reads from the Worker environment (API bases for fakes/self-hosting). */
export interface ProviderEnv {
  TELEGRAM_API_BASE?: string;
  SLACK_API_BASE?: string;
  DISCORD_API_BASE?: string;
  ZALO_API_BASE?: string;
  LARK_API_BASE?: string;
  DINGTALK_API_BASE?: string;
  WECHAT_API_BASE?: string;
  /** Shared secret of the bridge link (bridge providers sign their event batches with it). */
  BRIDGE_SECRET?: string;
}

/** The connected account, as the credential test (or a QR login) found it. */
export interface AccountInfo {
  /** Stable account id (bot id, team+bot user, phone number): two channels may not share it without `force`. */
  id: string;
  /** Human label (the bot username without the @, a phone number). */
  name: string;
  /** Provider details kept for later calls (Telegram: the getMe result; Slack: team and bot user ids). */
  details: Record<string, unknown>;
}

/** What an adapter needs to act for one channel. */
export interface ChannelContext {
  channelId: string;
  credentials: Record<string, string>;
  /** Per-channel random secret: a webhook token the provider echoes back, or our part of a URL. */
  webhookSecret: string;
  account: AccountInfo;
  /** The channel's settings (provider options such as WhatsApp self-chat); always set by the ChannelDO. */
  settings?: ChannelSettings;
  env: ProviderEnv;
}

/** The whole inbound request, as the provider sent it: handshakes and signatures need all of it. */
export interface InboundRequest {
  method: string;
  /** Full URL, query string included. */
  url: string;
  headers: Headers;
  /** The exact body bytes as text; signatures are computed over this, never a re-serialisation. */
  rawBody: string;
}

/** What the provider gets back: Slack's challenge, Discord's `{type:1}`, a plain 200. */
export interface ProviderAck {
  status: number;
  contentType: string;
  body: string;
}

export function jsonAck(body: unknown, status = 200): ProviderAck {
  return { status, contentType: "application/json", body: JSON.stringify(body) };
}

export function textAck(body: string, status = 200): ProviderAck {
  return { status, contentType: "text/plain; charset=utf-8", body };
}

/** The answer most providers expect for an accepted delivery. */
export const OK_ACK: ProviderAck = jsonAck({ ok: true });

/** A QR provider's login progress (bridge sessions). */
export type LoginEvent =
  /**
   * Show this QR (its text payload) to the admin; it is replaced before `expiresAt`. `image` is a
   * data: URL for libraries that hand out a picture of the QR instead of its text (zca-js).
   */
  | { state: "qr"; qr: string; expiresAt: number; image?: string }
  | { state: "connected"; account: AccountInfo }
  /** The session ended on the provider's side: the admin must log in again. */
  | { state: "logged-out"; reason: string }
  /** The connection dropped: `reconnecting` (with back-off) or given up (another client took over). */
  | { state: "disconnected"; reason: string; reconnecting: boolean };

/** One thing an inbound request tells the channel. */
export type InboundEvent =
  | { kind: "message"; message: InboundMessage }
  /** A valid delivery we do not act on (edits, joins, other bots): acknowledged and logged. */
  | { kind: "ignored"; eventId?: string; reason: string }
  | { kind: "login"; login: LoginEvent }
  /**
   * The provider issued new credentials (a refreshed session): stored encrypted, replacing the old.
   * With `merge`, only the entries given change and `removed` ones are deleted (a bridge
   * session's signal keys change a few at a time): each entry is sealed on its own.
   */
  | { kind: "credentials"; credentials: Record<string, string>; merge?: boolean; removed?: string[] };

/** An adapter's reading of one inbound request: the acknowledgement, and zero or more events. */
export interface ParsedInbound {
  ack: ProviderAck;
  events: InboundEvent[];
  /** Answered instead of `ack` while the channel is stopped (Discord: a deferred answer would show "thinking…" until it fails). */
  stoppedAck?: ProviderAck;
}

/** How inbound delivery was connected. */
export type ConnectResult =
  /** The adapter registered our URL with the provider itself (Telegram setWebhook). */
  | { mode: "registered" }
  /** The admin pastes our URL into the provider's console; the channel page shows it and the steps. */
  | { mode: "manual" }
  /** A QR login has begun in the bridge; `login` events follow. */
  | { mode: "login" }
  /** A saved session is resuming in the bridge (no QR needed); `login` events follow. */
  | { mode: "resume" }
  /**
   * The bridge is opening the provider's socket for a token channel (Discord's gateway, Slack's
   * Socket Mode); `login` events say when it is up.
   */
  | { mode: "socket" };

/** Where replies go, encoded by the adapter (a chat id, `channel` + `thread_ts`, an interaction token…). */
export type ReplyAddress = string;

export interface OutboundText {
  address: ReplyAddress;
  text: string;
  /** Provider message id to quote, when the reply should point at the question. */
  replyTo?: string;
  /**
   * The same for every attempt to send this one queued message, and different for every other
   * message of the channel: providers with idempotent sends (Lark's `uuid`) pass it on, so a
   * retry after a lost response cannot post a second copy. Absent for live previews.
   */
  idempotencyKey?: string;
}

/** A provider's answer to "is this channel healthy?", from its own diagnostics. */
export type ProbeResult = { ok: true } | { ok: false; reason: string };

/** One credential input, in the same model as backend fields (the admin UI renders both alike). */
export interface ProviderField {
  name: string;
  label: string;
  type: "string" | "url";
  /** Shown as a password field and never echoed back. */
  secret: boolean;
  required: boolean;
  help?: string;
  /** The allowed values, when the field is a choice (the admin UI shows a select). */
  options?: string[];
  /**
   * Providers with a bridge socket: the field belongs to one way of receiving only (`webhook`:
   * the provider calls our URL; `socket`: the bridge holds the provider's socket). The form
   * shows it, and asks for it, only for that way.
   */
  transport?: "webhook" | "socket";
}

/**
 * A socket the bridge can hold for a token provider, instead of (Slack's Socket Mode) or beside
 * (Discord's gateway) its webhook, turned on by a boolean channel setting.
 */
export interface BridgeSocketOption {
  /** The channel setting that turns it on. */
  setting: "gateway" | "socketMode";
  label: string;
  help: string;
  /** The socket replaces the webhook (Slack): the webhook-only fields are not needed. */
  replacesWebhook: boolean;
}

/** Per-provider limits the core paces and splits by. */
export interface ProviderLimits {
  /** Longest text one message may carry; longer replies are split. */
  maxTextLength: number;
  /** Shortest time between two edits of one message (streamed previews). */
  editIntervalMs: number;
}

/** What the admin sets up by hand for a `manual` provider, shown on the channel page. */
export interface SetupGuide {
  /** Numbered steps, in the provider console's words. */
  steps: string[];
  /** Something to paste (Slack's app manifest), with its label. */
  artifact?: { label: string; format: "json" | "yaml" | "text"; content: string };
}

export interface ProviderAdapter {
  readonly id: string;
  readonly label: string;
  /** How the account is connected: a pasted token, or a QR login in the bridge. */
  readonly connection: "token" | "qr";
  readonly credentialFields: ProviderField[];
  /** Validates the credential fields before any network call. */
  readonly credentialsSchema: z.ZodType<Record<string, string>>;
  /** How users type commands here (`/new`, `new`, `!new`). */
  readonly commandSyntax: CommandSyntax;
  readonly limits: ProviderLimits;
  /** Replies can be placed in a provider-side thread under the question (Slack, Discord). */
  readonly threadedReplies: boolean;
  /** The provider can list the account's groups, so allowlists are picked rather than typed. */
  readonly groupDirectory: boolean;
  /** The linked account's own chat can be used as an entry point (WhatsApp "Message yourself"). */
  readonly selfChat?: boolean;
  /** QR providers: where on the phone the QR is scanned, shown beside it. */
  readonly loginHint?: string;
  /**
   * What a group (chat, channel) id looks like, so a mistyped allowlist entry is refused when it
   * is saved rather than silently never matching. `pattern` is a regular expression source.
   */
  readonly groupIdFormat?: { pattern: string; example: string };
  /** A socket the bridge can hold for this token provider (see BridgeSocketOption). */
  readonly bridgeSocket?: BridgeSocketOption;

  /** Calls the provider to validate credentials; throws CredentialError with the provider's answer. */
  testCredentials(credentials: Record<string, string>, env: ProviderEnv): Promise<AccountInfo>;
  /** Connects inbound delivery to `webhookUrl` (or says the admin must). */
  connect(channel: ChannelContext, webhookUrl: string): Promise<ConnectResult>;
  /**
   * Disconnects inbound delivery, best effort on the provider's side. `logout` (channel deleted,
   * relogin) also ends a QR session on the provider's side, so the linked device disappears.
   */
  disconnect(channel: ChannelContext, how?: "stop" | "logout"): Promise<void>;
  /**
   * The request headers (lower case) that `verify`, `decrypt` and `parse` read. The Worker hands
   * the channel only these with a webhook: every delivery crosses into the channel's object, and
   * the rest of a request's headers would only cost on the way.
   */
  readonly inboundHeaders: readonly string[];
  /** Checks the request's authenticity (secret, signature, timestamp window); must be constant-time. */
  verify(channel: ChannelContext, request: InboundRequest): Promise<boolean>;
  /**
   * For providers that encrypt their deliveries (Lark): the verified request with its body
   * decrypted, which is what `parse` then reads. Throws on a body that does not decrypt.
   */
  decrypt?(channel: ChannelContext, request: InboundRequest): Promise<InboundRequest>;
  /** Reads a verified (and decrypted) request; throws on a malformed body. */
  parse(channel: ChannelContext, request: InboundRequest): ParsedInbound;
  /** What the admin must do in the provider's console, for `manual` connections. */
  setupGuide?(channel: ChannelContext, webhookUrl: string): SetupGuide;

  /** Sends one message (already within `limits.maxTextLength`); returns its provider id; throws ProviderError. */
  sendText(channel: ChannelContext, message: OutboundText): Promise<{ messageId: string }>;
  /** Replaces the text of a message the bot sent (streaming progress, final text). */
  editText?(channel: ChannelContext, address: ReplyAddress, messageId: string, text: string): Promise<void>;
  /** Sends a voice note (OGG/Opus or MP3 bytes). */
  sendVoice?(channel: ChannelContext, address: ReplyAddress, audio: { bytes: Uint8Array; mime: string }): Promise<void>;
  /** Shows a typing indicator, best effort. */
  sendTyping?(channel: ChannelContext, address: ReplyAddress): Promise<void>;
  /** Asks the provider how delivery is going. */
  probe?(channel: ChannelContext): Promise<ProbeResult>;
  /** The account's contacts and groups, for the allowlist pickers (`groupDirectory`). */
  listDirectory?(channel: ChannelContext): Promise<Directory>;
}

/** The capabilities the catalog publishes, derived from the adapter so they cannot drift. */
export function capabilitiesOf(adapter: ProviderAdapter) {
  return {
    commandSyntax: adapter.commandSyntax,
    limits: adapter.limits,
    edits: Boolean(adapter.editText),
    voice: Boolean(adapter.sendVoice),
    typing: Boolean(adapter.sendTyping),
    probe: Boolean(adapter.probe),
    threadedReplies: adapter.threadedReplies,
    groupDirectory: adapter.groupDirectory,
    groupIdFormat: adapter.groupIdFormat ?? null,
    manualSetup: Boolean(adapter.setupGuide),
    relogin: adapter.connection === "qr",
    selfChat: Boolean(adapter.selfChat),
    loginHint: adapter.loginHint ?? null,
    bridgeSocket: adapter.bridgeSocket ?? null,
  };
}

/** True when this channel's socket is held by the bridge (its setting is on). */
export function usesBridgeSocket(adapter: ProviderAdapter, settings: ChannelSettings | undefined): boolean {
  return adapter.bridgeSocket !== undefined && settings?.[adapter.bridgeSocket.setting] === true;
}
