// Test helpers (inside workerd) for DingTalk: an app registered with the fake, channels created
// through the admin API, and DingTalk's robot callbacks — built like DingTalk builds them, with a
// session webhook on the fake, and signed (`timestamp` + `sign` = base64 HMAC-SHA256 of
// timestamp + "\n" + AppSecret) by the test itself.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { api, eventually, worker } from "./harness";

const fake = `${env.FAKES_BASE}/dingtalk`;
const control = `${fake}/__control`;

export interface DingTalkTestApp {
  appKey: string;
  appSecret: string;
  robotCode: string;
}

export interface DingTalkTestChannel {
  id: string;
  app: DingTalkTestApp;
}

export interface DingTalkUser {
  staffId: string;
  senderId: string;
  nick: string;
  /** The user's one-to-one conversation with the robot. */
  dm: string;
}

const random = (length: number) => crypto.randomUUID().replaceAll("-", "").slice(0, length);

/** A DingTalk-looking conversation id (`cid…==`), unique per call. */
export const conversationId = () => `cid${btoa(random(16)).replace(/=+$/, "")}==`;

export function newDingTalkUser(nick = "Ada"): DingTalkUser {
  return { staffId: String(Math.floor(Math.random() * 1e15)).padStart(16, "0"), senderId: `$:LWCP_v1:$${btoa(random(16))}`, nick, dm: conversationId() };
}

async function post(path: string, body: unknown): Promise<void> {
  const response = await fetch(`${control}/${path}`, { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(200);
}

/** Registers a fresh app with the fake (unique per test, so records never mix). */
export async function createDingTalkApp(): Promise<DingTalkTestApp> {
  const appKey = `ding${random(16)}`;
  const app = { appKey, appSecret: `${random(32)}-${random(31)}`, robotCode: appKey };
  await post("apps", app);
  return app;
}

export async function dingtalkCalls(app: DingTalkTestApp, op?: string): Promise<{ op: string; body: Record<string, any>; at: number }[]> {
  const response = await fetch(`${control}/calls?${new URLSearchParams({ appKey: app.appKey, ...(op ? { op } : {}) })}`);
  return ((await response.json()) as { calls: { op: string; body: Record<string, any>; at: number }[] }).calls;
}

/** What the conversation shows: the robot's messages there, in order, with how each was sent. */
export async function dingtalkMessages(app: DingTalkTestApp, conversation: string): Promise<{ text: string; via: string }[]> {
  const response = await fetch(`${control}/messages?${new URLSearchParams({ appKey: app.appKey, conversationId: conversation })}`);
  return ((await response.json()) as { messages: { text: string; via: string }[] }).messages;
}

export async function waitForDingTalkTexts(app: DingTalkTestApp, conversation: string, count: number, timeoutMs?: number): Promise<string[]> {
  return eventually(async () => {
    const texts = (await dingtalkMessages(app, conversation)).map((message) => message.text);
    expect(texts.length).toBeGreaterThanOrEqual(count);
    return texts;
  }, timeoutMs);
}

export const injectDingTalkFaults = (app: DingTalkTestApp, op: string, responses: { status: number; body: unknown; headers?: Record<string, string> }[]) =>
  post("faults", { appKey: app.appKey, op, responses });
export const expireDingTalkTokens = (app: DingTalkTestApp) => post("expire-tokens", { appKey: app.appKey });

/** `sign` for `timestamp`, the way DingTalk computes it. */
export async function signDingTalk(appSecret: string, timestamp: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(appSecret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`${timestamp}\n${appSecret}`)));
  return btoa(String.fromCharCode(...mac));
}

export interface DingTalkDeliveryOptions {
  /** Unix ms; default now; null leaves the header out. */
  timestamp?: string | null;
  /** Overrides the computed sign; null leaves the header out. */
  sign?: string | null;
  secret?: string;
}

/** POSTs a callback to the channel's webhook as DingTalk does. */
export async function deliverDingTalk(channel: DingTalkTestChannel, body: unknown, options: DingTalkDeliveryOptions = {}): Promise<Response> {
  const timestamp = options.timestamp === undefined ? String(Date.now()) : options.timestamp;
  const sign = options.sign === undefined ? await signDingTalk(options.secret ?? channel.app.appSecret, timestamp ?? "") : options.sign;
  return worker(`/webhooks/dingtalk/${channel.id}`, {
    method: "POST",
    headers: { "content-type": "application/json; charset=utf-8", ...(timestamp === null ? {} : { timestamp }), ...(sign === null ? {} : { sign }) },
    body: JSON.stringify(body),
  });
}

/** Creates a DingTalk channel for a fresh app (not started). */
export async function createDingTalkChannel(options: { settings?: Record<string, unknown>; workspaceId?: string } = {}): Promise<DingTalkTestChannel> {
  const app = await createDingTalkApp();
  const created = await api("POST", "/channels", {
    provider: "dingtalk",
    workspaceId: options.workspaceId ?? "ws_default",
    credentials: { appKey: app.appKey, appSecret: app.appSecret },
    ...(options.settings ? { settings: options.settings } : {}),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.channel.id, app };
}

/** Creates and starts a channel (it runs from the first signed callback on; see the tests). */
export async function startDingTalkChannel(options: Parameters<typeof createDingTalkChannel>[0] = {}): Promise<DingTalkTestChannel> {
  const channel = await createDingTalkChannel(options);
  await api("POST", `/channels/${channel.id}/start`);
  return channel;
}

export interface CallbackOptions {
  /** How long the session webhook stays valid; negative: already expired. Default 90 minutes. */
  sessionMs?: number;
  /** A session webhook on another host (never to be used). */
  sessionWebhook?: string;
  extra?: Record<string, unknown>;
}

/** A robot callback with a text message, its session webhook registered with the fake. */
async function callback(channel: DingTalkTestChannel, user: DingTalkUser, conversation: { id: string; type: "1" | "2"; title?: string }, text: string, options: CallbackOptions) {
  const session = random(32);
  const expiresAt = Date.now() + (options.sessionMs ?? 90 * 60_000);
  await post("sessions", { appKey: channel.app.appKey, session, conversationId: conversation.id, ...(conversation.type === "1" ? { staffId: user.staffId } : {}), expiresAt });
  return {
    conversationId: conversation.id,
    chatbotCorpId: "ding9f50b15bccd16741",
    chatbotUserId: "$:LWCP_v1:$r6p0kVpIxjbAlHSnAdNwMuE0BeF2hODS",
    msgId: `msg${btoa(random(16))}`,
    senderNick: user.nick,
    isAdmin: false,
    senderStaffId: user.staffId,
    sessionWebhookExpiredTime: expiresAt,
    createAt: Date.now(),
    senderCorpId: "ding9f50b15bccd16741",
    conversationType: conversation.type,
    senderId: user.senderId,
    sessionWebhook: options.sessionWebhook ?? `${fake}/robot/sendBySession?session=${session}`,
    text: { content: text },
    robotCode: channel.app.robotCode,
    msgtype: "text",
    ...(conversation.type === "2" ? { conversationTitle: conversation.title ?? "Release room" } : {}),
    ...options.extra,
  };
}

/** `user` writes `text` to the robot one-to-one. */
export const dingtalkDm = (channel: DingTalkTestChannel, user: DingTalkUser, text: string, options: CallbackOptions = {}) => callback(channel, user, { id: user.dm, type: "1" }, text, options);

/** `user` @mentions the robot in `group` (isInAtList). */
export const dingtalkMention = (channel: DingTalkTestChannel, group: string, user: DingTalkUser, text: string, options: CallbackOptions = {}) =>
  callback(channel, user, { id: group, type: "2" }, text, { ...options, extra: { isInAtList: true, atUsers: [{ dingtalkId: "$:LWCP_v1:$r6p0kVpIxjbAlHSnAdNwMuE0BeF2hODS" }], ...options.extra } });
