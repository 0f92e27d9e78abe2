// Test helpers (inside workerd) for Lark / Feishu: an app registered with the fake Open Platform,
// channels created through the admin API, and Lark's deliveries — schema 2.0 events encrypted
// with AES-256-CBC under the channel's Encrypt Key and signed (hex SHA-256 of timestamp + nonce +
// Encrypt Key + raw body) by the test itself, as Lark builds them.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { encryptLarkPayload } from "../../worker/providers/lark/crypto";
import { api, eventually, worker } from "./harness";

const control = `${env.FAKES_BASE}/lark/__control`;

export interface LarkTestApp {
  appId: string;
  appSecret: string;
  openId: string;
  name: string;
}

export interface LarkTestChannel {
  id: string;
  app: LarkTestApp;
  verificationToken: string;
  encryptKey: string;
}

/** A Lark-looking id: `ou_…`, `oc_…`, `om_…` with 32 hex digits, unique per call. */
export function larkId(prefix: string): string {
  return `${prefix}${crypto.randomUUID().replaceAll("-", "")}`;
}

async function post(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${control}/${path}`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

/** Registers a fresh app with the fake (unique per test, so records never mix). */
export async function createLarkApp(): Promise<LarkTestApp> {
  const app = { appId: `cli_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`, appSecret: crypto.randomUUID().replaceAll("-", ""), openId: larkId("ou_"), name: "Switchboard" };
  await post("apps", app);
  return app;
}

export interface LarkCall {
  op: string;
  path: string;
  body: Record<string, any>;
  at: number;
}

export async function larkCalls(app: LarkTestApp, op?: string): Promise<LarkCall[]> {
  const response = await fetch(`${control}/calls?${new URLSearchParams({ appId: app.appId, ...(op ? { op } : {}) })}`);
  return ((await response.json()) as { calls: LarkCall[] }).calls;
}

export interface LarkPosted {
  messageId: string;
  chatId: string;
  parentId?: string;
  text: string;
  uuid?: string;
}

/** What people see in the chat: the app's messages there, in order. */
export async function larkMessages(app: LarkTestApp, chatId: string): Promise<LarkPosted[]> {
  const response = await fetch(`${control}/messages?${new URLSearchParams({ appId: app.appId, chatId })}`);
  return ((await response.json()) as { messages: LarkPosted[] }).messages;
}

/** Waits until the app has sent at least `count` messages into `chatId`; returns their texts. */
export async function waitForLarkTexts(app: LarkTestApp, chatId: string, count: number, timeoutMs?: number): Promise<string[]> {
  return eventually(async () => {
    const texts = (await larkMessages(app, chatId)).map((message) => message.text);
    expect(texts.length).toBeGreaterThanOrEqual(count);
    return texts;
  }, timeoutMs);
}

export const injectLarkFaults = (app: LarkTestApp, op: string, responses: { status: number; body: unknown; headers?: Record<string, string>; afterSending?: boolean }[]) =>
  post("faults", { appId: app.appId, op, responses });
/** Every token the app holds stops working, as when it expires. */
export const expireLarkTokens = (app: LarkTestApp) => post("expire-tokens", { appId: app.appId });
export const setLarkTokenLifetime = (app: LarkTestApp, seconds: number) => post("token-lifetime", { appId: app.appId, seconds });
export const recallLarkMessage = (messageId: string) => post("recall", { messageId });

/** X-Lark-Signature, computed the way Lark does. */
export async function signLark(timestamp: string, nonce: string, encryptKey: string, rawBody: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(timestamp + nonce + encryptKey + rawBody));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export interface LarkDeliveryOptions {
  /** Unix seconds; default now. */
  timestamp?: string;
  /** Overrides the computed signature. */
  signature?: string;
  /** No signature headers at all (as Lark sends the URL challenge). */
  unsigned?: boolean;
  /** Encrypt and sign with this key instead of the channel's. */
  encryptKey?: string;
}

/** POSTs `payload` to the channel's webhook as Lark does: encrypted, then signed over the raw body. */
export async function deliverLark(channel: LarkTestChannel, payload: any, options: LarkDeliveryOptions = {}): Promise<Response> {
  const key = options.encryptKey ?? channel.encryptKey;
  const message = payload?.event?.message;
  // The fake learns which chat the user's message is in, so replies to it land there.
  if (message?.message_id) await post("incoming", { messageId: message.message_id, chatId: message.chat_id });
  const raw = JSON.stringify({ encrypt: await encryptLarkPayload(JSON.stringify(payload), key) });
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  const nonce = crypto.randomUUID();
  const signature = options.signature ?? (await signLark(timestamp, nonce, key, raw));
  return worker(`/webhooks/lark/${channel.id}`, {
    method: "POST",
    headers: {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "Go-http-client/1.1",
      ...(options.unsigned ? {} : { "x-lark-request-timestamp": timestamp, "x-lark-request-nonce": nonce, "x-lark-signature": signature }),
    },
    body: raw,
  });
}

/** Creates a Lark channel for a fresh app (not started). */
export async function createLarkChannel(options: { settings?: Record<string, unknown>; workspaceId?: string } = {}): Promise<LarkTestChannel> {
  const app = await createLarkApp();
  const [verificationToken, encryptKey] = [crypto.randomUUID().replaceAll("-", ""), crypto.randomUUID().replaceAll("-", "")];
  const created = await api("POST", "/channels", {
    provider: "lark",
    workspaceId: options.workspaceId ?? "ws_default",
    credentials: { domain: "open.larksuite.com", appId: app.appId, appSecret: app.appSecret, verificationToken, encryptKey },
    ...(options.settings ? { settings: options.settings } : {}),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.channel.id, app, verificationToken, encryptKey };
}

/** The Request URL challenge Lark sends when the URL is saved. */
export function larkChallenge(channel: LarkTestChannel, token = channel.verificationToken) {
  return { challenge: crypto.randomUUID(), token, type: "url_verification" };
}

/** Creates and starts a channel, and plays Lark checking the Request URL, so it runs. */
export async function startLarkChannel(options: Parameters<typeof createLarkChannel>[0] = {}): Promise<LarkTestChannel> {
  const channel = await createLarkChannel(options);
  await api("POST", `/channels/${channel.id}/start`);
  expect((await deliverLark(channel, larkChallenge(channel), { unsigned: true })).status).toBe(200);
  expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("running");
  return channel;
}

function envelope<E>(channel: LarkTestChannel, eventType: string, event: E) {
  const header = { event_id: crypto.randomUUID().replaceAll("-", ""), token: channel.verificationToken, create_time: String(Date.now()), event_type: eventType, tenant_key: "2ca1d211f64f6438", app_id: channel.app.appId };
  return { schema: "2.0", header, event };
}

/** im.chat.member.bot.added_v1: a signed event that is not a message (the first delivery). */
export function botAdded(channel: LarkTestChannel, chatId = larkId("oc_")) {
  return envelope(channel, "im.chat.member.bot.added_v1", { chat_id: chatId, operator_id: { open_id: larkId("ou_") }, external: false, name: "Release room" });
}

interface Mention {
  key: string;
  id: { open_id: string };
  name: string;
}

/** im.message.receive_v1 with a text message from `userOpenId` in `chatId`. */
export function larkMessage(channel: LarkTestChannel, chat: { id: string; type: "p2p" | "group" }, userOpenId: string, text: string, mentions: Mention[] = []) {
  const now = String(Date.now());
  return envelope(channel, "im.message.receive_v1", {
    sender: { sender_id: { open_id: userOpenId, union_id: larkId("on_") }, sender_type: "user", tenant_key: "2ca1d211f64f6438" },
    message: { message_id: larkId("om_"), create_time: now, update_time: now, chat_id: chat.id, chat_type: chat.type, message_type: "text", content: JSON.stringify({ text }), mentions },
  });
}

/** A DM (p2p chat) message. */
export const larkDm = (channel: LarkTestChannel, chatId: string, userOpenId: string, text: string) => larkMessage(channel, { id: chatId, type: "p2p" }, userOpenId, text);

/** A group message that @mentions the bot (`@_user_1` first in the text). */
export function larkMention(channel: LarkTestChannel, chatId: string, userOpenId: string, text: string) {
  return larkMessage(channel, { id: chatId, type: "group" }, userOpenId, `@_user_1 ${text}`, [{ key: "@_user_1", id: { open_id: channel.app.openId }, name: channel.app.name }]);
}
