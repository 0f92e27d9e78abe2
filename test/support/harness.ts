// Test helpers that run inside workerd: call the Worker like a client would, read what the fake
// Telegram API recorded, and play Telegram delivering updates to our webhook.
import { env, runInDurableObject } from "cloudflare:test";
import type { LocalStore } from "../../durable-objects/channel/local-store";
import { exports } from "cloudflare:workers";
import { expect } from "vitest";

export const ADMIN = { authorization: `Bearer ${env.ADMIN_TOKEN}` };

/** Calls the Worker through its real fetch handler. */
export function worker(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`https://switchboard.example${path}`, init));
}

/** Calls the admin API with the admin token; returns status and parsed JSON. */
export async function api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await worker(`/api${path}`, {
    method,
    headers: { ...ADMIN, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

// ----------------------------------------------------------------- fake Telegram

const telegramControl = `${env.FAKES_BASE}/telegram/__control`;

export interface TestBot {
  token: string;
  id: number;
  username: string;
  firstName: string;
}

let botCounter = 0;

/** Registers a new bot with the fake Telegram (unique per test, so records never mix). */
export async function createBot(): Promise<TestBot> {
  botCounter += 1;
  const id = 7_000_000 + Math.floor(Math.random() * 1_000_000) * 10 + botCounter;
  const bot = { token: `${id}:AAF${crypto.randomUUID().replaceAll("-", "")}`, id, username: `test${id}_bot`, firstName: "Test" };
  await fetch(`${telegramControl}/bots`, { method: "POST", body: JSON.stringify(bot) });
  return bot;
}

export interface RecordedCall {
  method: string;
  params: Record<string, any>;
  at: number;
}

export async function telegramCalls(bot: TestBot, method?: string): Promise<RecordedCall[]> {
  const query = new URLSearchParams({ token: bot.token, ...(method ? { method } : {}) });
  const response = await fetch(`${telegramControl}/calls?${query}`);
  return ((await response.json()) as { calls: RecordedCall[] }).calls;
}

/** Messages the bot sent (sendMessage calls that Telegram accepted or not), in order. */
export async function sentTexts(bot: TestBot, chatId?: number): Promise<string[]> {
  const calls = await telegramCalls(bot, "sendMessage");
  return calls.filter((call) => chatId === undefined || Number(call.params.chat_id) === chatId).map((call) => call.params.text);
}

/** What the user sees in the chat: the bot's messages in order, with their current (edited) text. */
export async function chatMessages(bot: TestBot, chatId: number): Promise<{ messageId: number; text: string; edits: number }[]> {
  const response = await fetch(`${telegramControl}/messages?${new URLSearchParams({ token: bot.token, chat_id: String(chatId) })}`);
  return ((await response.json()) as { messages: { messageId: number; text: string; edits: number }[] }).messages;
}

/** Polls until `check` passes (deliveries happen in the Durable Object's alarm, not in the request). */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 8000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Waits until the chat has received at least `count` messages; returns them all. */
export async function waitForTexts(bot: TestBot, chatId: number, count: number, timeoutMs?: number): Promise<string[]> {
  return eventually(async () => {
    const texts = await sentTexts(bot, chatId);
    expect(texts.length).toBeGreaterThanOrEqual(count);
    return texts;
  }, timeoutMs);
}

export async function injectTelegramFaults(bot: TestBot, method: string, responses: { status: number; body: unknown }[]): Promise<void> {
  await fetch(`${telegramControl}/faults`, { method: "POST", body: JSON.stringify({ token: bot.token, method, responses }) });
}

export async function setWebhookError(bot: TestBot, message: string): Promise<void> {
  await fetch(`${telegramControl}/webhook-error`, { method: "POST", body: JSON.stringify({ token: bot.token, message }) });
}

// ----------------------------------------------------------------- channels and updates

export interface TestChannel {
  id: string;
  bot: TestBot;
  /** The secret our start() registered with Telegram, as Telegram would send it back. */
  secret: string;
}

/** Creates a Telegram channel for a fresh bot and starts it. */
export async function startTelegramChannel(options: { settings?: Record<string, unknown>; workspaceId?: string; threadId?: string } = {}): Promise<TestChannel> {
  const bot = await createBot();
  const created = await api("POST", "/channels", {
    provider: "telegram",
    workspaceId: options.workspaceId ?? "ws_default",
    credentials: { botToken: bot.token },
    ...(options.threadId ? { threadId: options.threadId } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.channel.id as string;
  const started = await api("POST", `/channels/${id}/start`);
  expect(started.body).toEqual({ status: "running", reason: null });
  const [setWebhook] = await telegramCalls(bot, "setWebhook");
  return { id, bot, secret: setWebhook!.params.secret_token };
}

let updateCounter = 0;

export interface TestUser {
  id: number;
  username?: string;
  first_name: string;
}

export function newUser(name = "Ada"): TestUser {
  updateCounter += 1;
  return { id: 100_000 + Math.floor(Math.random() * 800_000) * 10 + (updateCounter % 10), username: `${name.toLowerCase()}${updateCounter}`, first_name: name };
}

/** A private-chat text message update, as Telegram sends it. */
export function dmUpdate(user: TestUser, text: string, extra: Record<string, unknown> = {}) {
  updateCounter += 1;
  const entities = text.startsWith("/") ? [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]!.length }] : undefined;
  return {
    update_id: 500_000_000 + updateCounter,
    message: {
      message_id: updateCounter,
      date: Math.floor(Date.now() / 1000),
      chat: { id: user.id, type: "private", first_name: user.first_name, ...(user.username ? { username: user.username } : {}) },
      from: { is_bot: false, ...user },
      text,
      ...(entities ? { entities } : {}),
      ...extra,
    },
  };
}

/** A supergroup text message update; `mention` adds an @bot mention entity at the start. */
export function groupUpdate(chatId: number, user: TestUser, text: string, extra: Record<string, unknown> = {}) {
  updateCounter += 1;
  return {
    update_id: 500_000_000 + updateCounter,
    message: {
      message_id: updateCounter,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: "supergroup", title: "Team room" },
      from: { is_bot: false, ...user },
      text,
      ...extra,
    },
  };
}

/** Delivers an update to the channel's webhook like Telegram does. */
export function deliver(channel: TestChannel, update: unknown, secret: string | null = channel.secret): Promise<Response> {
  return worker(`/webhooks/telegram/${channel.id}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }) },
    body: JSON.stringify(update),
  });
}

/** Creates a DM user and approves them through an invite code, so tests can start chatting. */
export async function approvedUser(channel: TestChannel, name = "Ada"): Promise<TestUser> {
  const user = newUser(name);
  const invite = await api("POST", `/channels/${channel.id}/invite-codes`);
  expect((await deliver(channel, dmUpdate(user, `/start ${invite.body.inviteCode.code}`))).status).toBe(200);
  await eventually(async () => expect((await sentTexts(channel.bot, user.id))[0]).toMatch(/^Invite code accepted\. You are now connected to /));
  return user;
}

export async function channelLogs(channelId: string, level?: string) {
  const result = await api("GET", `/channels/${channelId}/logs${level ? `?level=${level}` : ""}`);
  return result.body.logs as { level: string; event: string; message: string; detail: Record<string, unknown> | null }[];
}

/**
 * Restarts a channel's object as an eviction or a crash would: abort() ends the instance (the
 * call itself fails) and the next call, through a new stub, reaches a fresh one that reads its
 * storage anew. Returns that new stub.
 */
export async function restartChannelObject(channelId: string) {
  await runInDurableObject(env.CHANNEL.getByName(channelId), (_instance, state) => state.abort("restart under test")).catch(() => undefined);
  return env.CHANNEL.getByName(channelId);
}

/**
 * Runs `change` on a channel object's own store. The object keeps its key/values in memory, so
 * a test that pretends time has passed must write through the object, not beside it.
 */
export async function inChannelStore(channelId: string, change: (store: LocalStore) => void): Promise<void> {
  await runInDurableObject(env.CHANNEL.getByName(channelId), (instance) => change((instance as unknown as { store: LocalStore }).store));
}
