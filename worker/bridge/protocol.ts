// The bridge link protocol, version 1: the one definition the Worker (BridgeHubDO, the bridge
// providers' adapters) and the bridge (bridge/src) both import and validate with.
//
// The bridge dials in: a WebSocket to BRIDGE_CONNECT_PATH with `Authorization: Bearer
// <BRIDGE_SECRET>`, so it works from a Cloudflare Container and from a Docker host behind NAT
// alike. Frames are JSON text. The bridge opens with `hello`, re-sends what its on-disk queue
// still holds, then says `ready`; the hub answers `welcome` and, after `ready`, starts every
// channel that should run. Events travel in signed batches (`deliver`), one batch per channel in
// flight, and leave the queue only when the hub answers `delivered`. Commands travel the other
// way (`command` → `result`). Text frames "ping"/"pong" keep the link alive without waking the hub.
//
// This file must stay importable by both tsconfigs: zod and WebCrypto only, erasable TypeScript.
import * as z from "zod";

export const BRIDGE_PROTOCOL_VERSION = 1;
/** Where the bridge connects (the Worker's public URL plus this path, as wss://). */
export const BRIDGE_CONNECT_PATH = "/bridge/v1/connect";
/** Header carrying the hex HMAC-SHA256 of a batch body, keyed with BRIDGE_SECRET. */
export const BRIDGE_SIGNATURE_HEADER = "x-bridge-signature";
export const PING = "ping";
export const PONG = "pong";

export const bridgeProviderSchema = z.enum([
  "whatsapp",
  "zalo-personal",
  "wechat",
  // Token providers whose socket the bridge holds when a channel setting asks for it.
  "discord",
  "slack",
]);
export type BridgeProvider = z.infer<typeof bridgeProviderSchema>;

const channelId = z.string().regex(/^ch_[a-z0-9]+$/);
const accountSchema = z.object({ id: z.string().min(1), name: z.string(), details: z.record(z.string(), z.unknown()) });

// ---------------------------------------------------------------- events (inside a batch)

/** A session's login progress and connection state. */
export const bridgeLoginSchema = z.discriminatedUnion("state", [
  /** Show this QR; `image` is a data: URL when the library hands an image rather than the QR's text. */
  z.object({ state: z.literal("qr"), qr: z.string().min(1), expiresAt: z.number(), image: z.string().optional() }),
  z.object({ state: z.literal("connected"), account: accountSchema }),
  /** The provider ended the session: a new QR login is needed; the bridge does not reconnect. */
  z.object({ state: z.literal("logged-out"), reason: z.string() }),
  /** The connection dropped; `reconnecting` false means the bridge gave up (e.g. replaced by another client). */
  z.object({ state: z.literal("disconnected"), reason: z.string(), reconnecting: z.boolean() }),
]);
export type BridgeLogin = z.infer<typeof bridgeLoginSchema>;

export const bridgeEventSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("login"), login: bridgeLoginSchema }),
  /**
   * Session state the Worker keeps sealed for the bridge (Baileys' creds and signal keys, zca-js's
   * cookie): `replace` swaps the whole set, otherwise `set` entries are written and `removed` deleted.
   */
  z.object({
    type: z.literal("credentials"),
    set: z.record(z.string(), z.string()),
    removed: z.array(z.string()).default([]),
    replace: z.boolean().default(false),
  }),
  /** One chat message in the library's own shape (Baileys WAMessage, zca-js message); its adapter parses it. */
  z.object({ type: z.literal("message"), message: z.record(z.string(), z.unknown()) }),
]);
export type BridgeEvent = z.infer<typeof bridgeEventSchema>;

export const bridgeBatchSchema = z.object({
  v: z.literal(BRIDGE_PROTOCOL_VERSION),
  channelId,
  provider: bridgeProviderSchema,
  items: z.array(z.object({ id: z.string().min(1).max(100), at: z.number(), event: bridgeEventSchema })).min(1),
});
export type BridgeBatch = z.infer<typeof bridgeBatchSchema>;

// ---------------------------------------------------------------- bridge → worker

export const bridgeFrameSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    v: z.literal(BRIDGE_PROTOCOL_VERSION),
    bridgeId: z.string().min(1).max(100),
    /** Sessions alive in this process (a reconnect without a restart keeps them). */
    sessions: z.array(z.object({ channelId, provider: bridgeProviderSchema })),
  }),
  /** A signed batch for one channel: `body` is a BridgeBatch as JSON text, delivered byte for byte. */
  z.object({
    type: z.literal("deliver"),
    batchId: z.string().min(1).max(100),
    channelId,
    provider: bridgeProviderSchema,
    body: z.string(),
    signature: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  /** The queue is replayed and acknowledged: sessions may be started now. */
  z.object({ type: z.literal("ready") }),
  z.object({
    type: z.literal("result"),
    requestId: z.string(),
    ok: z.boolean(),
    value: z.unknown().optional(),
    error: z.string().optional(),
    /** How the Worker should treat a failure (same kinds as ProviderError). */
    kind: z.enum(["rate-limited", "transient", "unauthorized", "permanent"]).optional(),
  }),
]);
export type BridgeFrame = z.infer<typeof bridgeFrameSchema>;

// ---------------------------------------------------------------- worker → bridge

export const sessionOptionsSchema = z.object({
  /** WhatsApp: the linked account's own chat is an entry point (replies there are not re-read). */
  selfChat: z.boolean().default(false),
});

export const bridgeCommandSchema = z.discriminatedUnion("op", [
  z.object({
    op: z.literal("start"),
    provider: bridgeProviderSchema,
    /** The saved session (empty: a new QR login). */
    credentials: z.record(z.string(), z.string()),
    options: sessionOptionsSchema,
  }),
  /** Closes the session, keeping it linked (the saved state resumes it later). */
  z.object({ op: z.literal("stop") }),
  /** Unlinks the device on the provider's side and closes the session. */
  z.object({ op: z.literal("logout") }),
  z.object({ op: z.literal("send"), to: z.string(), text: z.string(), quote: z.string().optional() }),
  z.object({ op: z.literal("edit"), to: z.string(), messageId: z.string(), text: z.string() }),
  z.object({ op: z.literal("typing"), to: z.string() }),
  z.object({ op: z.literal("voice"), to: z.string(), audio: z.string(), mime: z.string() }),
  /** The account's contacts and groups (allowlist pickers). */
  z.object({ op: z.literal("directory") }),
  z.object({ op: z.literal("status") }),
]);
export type BridgeCommand = z.infer<typeof bridgeCommandSchema>;

export const directorySchema = z.object({
  users: z.array(z.object({ id: z.string(), name: z.string() })),
  groups: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type Directory = z.infer<typeof directorySchema>;

export const sessionStatusSchema = z.object({
  state: z.enum(["starting", "awaiting-login", "running", "reconnecting", "stopped", "logged-out", "replaced"]),
  reason: z.string().nullable(),
  lastEventAt: z.number().nullable(),
});
export type SessionStatus = z.infer<typeof sessionStatusSchema>;

export const hubFrameSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("welcome"), v: z.literal(BRIDGE_PROTOCOL_VERSION) }),
  /** `stored`: the channel has it (or had it already); `rejected`: it never will (unknown channel, bad signature). */
  z.object({ type: z.literal("delivered"), batchId: z.string(), outcome: z.enum(["stored", "rejected"]), status: z.number() }),
  z.object({ type: z.literal("command"), requestId: z.string(), channelId, command: bridgeCommandSchema }),
]);
export type HubFrame = z.infer<typeof hubFrameSchema>;

// ---------------------------------------------------------------- signatures

const encoder = new TextEncoder();

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** HMAC-SHA256 of a batch body with the shared secret, as lowercase hex. */
export async function signBatch(secret: string, body: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return hex(await crypto.subtle.sign("HMAC", key, encoder.encode(body)));
}

/** Checks a batch signature in constant time. */
export async function verifyBatch(secret: string, body: string, signature: string): Promise<boolean> {
  const expected = await signBatch(secret, body);
  if (expected.length !== signature.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ signature.charCodeAt(i);
  return diff === 0;
}
