// Test helpers (inside workerd) for Slack: a bot registered with the fake Web API, channels
// created through the admin API, and Slack's deliveries — built like Slack builds them and
// signed with the real v0 scheme (HMAC-SHA256 over "v0:<timestamp>:<body>") by the test itself.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { api, eventually, worker } from "./harness";

const control = `${env.FAKES_BASE}/slack/__control`;

export interface SlackTestBot {
  token: string;
  teamId: string;
  team: string;
  userId: string;
  botId: string;
  name: string;
}

export interface SlackTestChannel {
  id: string;
  bot: SlackTestBot;
  signingSecret: string;
}

/** A Slack-looking id (`U…`, `C…`, `D…`), unique per call. */
export function slackId(prefix: string): string {
  return `${prefix}0${crypto.randomUUID().replaceAll("-", "").slice(0, 9).toUpperCase()}`;
}

/** Registers a fresh bot with the fake (unique per test, so records never mix). */
export async function createSlackBot(): Promise<SlackTestBot> {
  const bot = { token: `xoxb-${Date.now()}-${crypto.randomUUID()}`, teamId: slackId("T"), team: "Acme", userId: slackId("U"), botId: slackId("B"), name: "switchboard" };
  await fetch(`${control}/bots`, { method: "POST", body: JSON.stringify(bot) });
  return bot;
}

export interface SlackCall {
  method: string;
  params: Record<string, any>;
  at: number;
}

export async function slackCalls(bot: SlackTestBot, method?: string): Promise<SlackCall[]> {
  const response = await fetch(`${control}/calls?${new URLSearchParams({ token: bot.token, ...(method ? { method } : {}) })}`);
  return ((await response.json()) as { calls: SlackCall[] }).calls;
}

export interface SlackPosted {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  edits: number;
}

/**
 * What people see in the Slack channel: the bot's messages there, with their current (edited)
 * text shown as Slack displays it (the API carries `<`, `>`, `&` escaped).
 */
export async function slackMessages(bot: SlackTestBot, channel: string): Promise<SlackPosted[]> {
  const response = await fetch(`${control}/messages?${new URLSearchParams({ token: bot.token, channel })}`);
  const { messages } = (await response.json()) as { messages: SlackPosted[] };
  return messages.map((message) => ({ ...message, text: message.text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&") }));
}

/** Waits until the bot has posted at least `count` messages in `channel`; returns their texts. */
export async function waitForSlackTexts(bot: SlackTestBot, channel: string, count: number, timeoutMs?: number): Promise<string[]> {
  return eventually(async () => {
    const texts = (await slackMessages(bot, channel)).map((message) => message.text);
    expect(texts.length).toBeGreaterThanOrEqual(count);
    return texts;
  }, timeoutMs);
}

export async function injectSlackFaults(bot: SlackTestBot, method: string, responses: { status: number; body: unknown; headers?: Record<string, string> }[]): Promise<void> {
  await fetch(`${control}/faults`, { method: "POST", body: JSON.stringify({ token: bot.token, method, responses }) });
}

/** `v0=<hex>` for `body` sent at `timestamp`, the way Slack computes it. */
export async function signSlack(secret: string, timestamp: string, body: string): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(`v0:${timestamp}:${body}`)));
  return `v0=${[...mac].map((byte) => byte.toString(16).padStart(2, "0")).join("")}`;
}

export function nowSeconds(offsetSeconds = 0): string {
  return String(Math.floor(Date.now() / 1000) + offsetSeconds);
}

export interface DeliveryOptions {
  /** Unix seconds; default now; null leaves the header out. */
  timestamp?: string | null;
  /** Overrides the computed signature; null leaves the header out. */
  signature?: string | null;
  retryNum?: number;
  secret?: string;
}

/** POSTs `body` to the channel's webhook as Slack does, signed with the channel's signing secret. */
export async function deliverSlack(channel: SlackTestChannel, body: unknown, options: DeliveryOptions = {}): Promise<Response> {
  const raw = JSON.stringify(body);
  const timestamp = options.timestamp === undefined ? nowSeconds() : options.timestamp;
  const signature = options.signature === undefined ? await signSlack(options.secret ?? channel.signingSecret, timestamp ?? "", raw) : options.signature;
  return worker(`/webhooks/slack/${channel.id}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
      ...(timestamp === null ? {} : { "x-slack-request-timestamp": timestamp }),
      ...(signature === null ? {} : { "x-slack-signature": signature }),
      ...(options.retryNum ? { "x-slack-retry-num": String(options.retryNum), "x-slack-retry-reason": "http_timeout" } : {}),
    },
    body: raw,
  });
}

/** Creates a Slack channel for a fresh bot (not started). */
export async function createSlackChannel(options: { settings?: Record<string, unknown>; workspaceId?: string } = {}): Promise<SlackTestChannel> {
  const bot = await createSlackBot();
  const signingSecret = crypto.randomUUID().replaceAll("-", "");
  const created = await api("POST", "/channels", {
    provider: "slack",
    workspaceId: options.workspaceId ?? "ws_default",
    credentials: { botToken: bot.token, signingSecret },
    ...(options.settings ? { settings: options.settings } : {}),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.channel.id, bot, signingSecret };
}

/** Creates and starts a channel, and plays Slack verifying the Request URL, so it runs. */
export async function startSlackChannel(options: Parameters<typeof createSlackChannel>[0] = {}): Promise<SlackTestChannel> {
  const channel = await createSlackChannel(options);
  await api("POST", `/channels/${channel.id}/start`);
  const verified = await deliverSlack(channel, { token: "legacy", challenge: crypto.randomUUID(), type: "url_verification" });
  expect(verified.status).toBe(200);
  expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("running");
  return channel;
}

let tsCounter = 0;

/** A fresh message ts (`seconds.micros`), unique within the run. */
export function newTs(): string {
  tsCounter += 1;
  return `${Math.floor(Date.now() / 1000)}.${String(100_000 + tsCounter).padStart(6, "0")}`;
}

/** The Events API envelope around an inner event. */
export function eventCallback<E extends { ts: string }>(bot: SlackTestBot, event: E) {
  return {
    token: "legacy",
    team_id: bot.teamId,
    api_app_id: "A0FAKEAPP1",
    event: { team: bot.teamId, event_ts: event.ts, ...event },
    type: "event_callback",
    event_id: `Ev${crypto.randomUUID().replaceAll("-", "").slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: bot.teamId, user_id: bot.userId, is_bot: true, is_enterprise_install: false }],
  };
}

/** message.im: `user` writes `text` in the DM channel `dm`. */
export function dmEvent(bot: SlackTestBot, dm: string, user: string, text: string, extra: Record<string, unknown> = {}) {
  return eventCallback(bot, { type: "message", channel: dm, channel_type: "im", user, text, ts: newTs(), client_msg_id: crypto.randomUUID(), ...extra });
}

/** message.channels: `user` writes `text` in `channel` (the same message may also come as app_mention). */
export function channelEvent(bot: SlackTestBot, channel: string, user: string, text: string, extra: Record<string, unknown> = {}) {
  return eventCallback(bot, { type: "message", channel, channel_type: "channel", user, text, ts: newTs(), ...extra });
}

/** app_mention for the same message as a channelEvent: same channel and ts, another event_id. */
export function mentionOf(bot: SlackTestBot, message: ReturnType<typeof channelEvent>) {
  const { channel_type: _type, ...event } = message.event;
  return eventCallback(bot, { ...event, type: "app_mention" });
}
