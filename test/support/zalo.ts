// Test helpers for Zalo OA (the Zalo Bot Platform): a bot registered with the fake Zalo API, a
// started channel, and updates delivered to our webhook the way Zalo does (with the secret header).
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { api, eventually, worker } from "./harness";

const control = `${env.FAKES_BASE}/zalo/__control`;
let counter = 0;

const hex = (length: number) => crypto.randomUUID().replaceAll("-", "").slice(0, length);

export interface ZaloBot {
  token: string;
  id: string;
  accountName: string;
}

export async function createZaloBot(): Promise<ZaloBot> {
  counter += 1;
  const id = `14592322414547${String(Math.floor(Math.random() * 100_000)).padStart(5, "0")}`;
  const bot = { token: `${id}:${hex(24)}-${counter}`, id, accountName: `bot.${hex(9)}` };
  await fetch(`${control}/bots`, { method: "POST", body: JSON.stringify(bot) });
  return bot;
}

export interface ZaloChannel {
  id: string;
  bot: ZaloBot;
  /** The secret our start() registered with Zalo, as Zalo sends it back. */
  secret: string;
}

export async function startZaloChannel(options: { settings?: Record<string, unknown>; workspaceId?: string } = {}): Promise<ZaloChannel> {
  const bot = await createZaloBot();
  const created = await api("POST", "/channels", {
    provider: "zalo-oa",
    workspaceId: options.workspaceId ?? "ws_default",
    credentials: { botToken: bot.token },
    ...(options.settings ? { settings: options.settings } : {}),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.channel.id as string;
  expect((await api("POST", `/channels/${id}/start`)).body).toEqual({ status: "running", reason: null });
  const [setWebhook] = await zaloCalls(bot, "setWebhook");
  return { id, bot, secret: setWebhook!.params.secret_token };
}

export async function zaloCalls(bot: ZaloBot, method?: string): Promise<{ method: string; params: Record<string, any>; at: number }[]> {
  const query = new URLSearchParams({ token: bot.token, ...(method ? { method } : {}) });
  return ((await (await fetch(`${control}/calls?${query}`)).json()) as { calls: { method: string; params: Record<string, any>; at: number }[] }).calls;
}

/** Texts the bot sent to a chat (sendMessage calls, accepted or not), in order. */
export async function zaloTexts(bot: ZaloBot, chatId: string): Promise<string[]> {
  return (await zaloCalls(bot, "sendMessage")).filter((call) => call.params.chat_id === chatId).map((call) => call.params.text);
}

export async function waitForZaloTexts(bot: ZaloBot, chatId: string, count: number, timeoutMs?: number): Promise<string[]> {
  return eventually(async () => {
    const texts = await zaloTexts(bot, chatId);
    expect(texts.length).toBeGreaterThanOrEqual(count);
    return texts;
  }, timeoutMs);
}

export async function injectZaloFaults(bot: ZaloBot, method: string, responses: { status: number; body: unknown; headers?: Record<string, string> }[]) {
  await fetch(`${control}/faults`, { method: "POST", body: JSON.stringify({ token: bot.token, method, responses }) });
}

export interface ZaloUser {
  id: string;
  display_name: string;
}

export function zaloUser(name = "Nguyen Van A"): ZaloUser {
  return { id: hex(20), display_name: name };
}

/** A text update as Zalo posts it: in the user's private chat, or in `groupId`. */
export function textUpdate(user: ZaloUser, text: string, groupId?: string) {
  return {
    event_name: "message.text.received",
    message: {
      from: { ...user, is_bot: false },
      chat: { id: groupId ?? user.id, chat_type: groupId ? "GROUP" : "PRIVATE" },
      text,
      message_id: hex(20),
      date: Date.now(),
    },
  };
}

export function deliverZalo(channel: ZaloChannel, update: unknown, secret: string | null = channel.secret): Promise<Response> {
  return worker(`/webhooks/zalo-oa/${channel.id}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(secret === null ? {} : { "x-bot-api-secret-token": secret }) },
    body: JSON.stringify(update),
  });
}

/** A private-chat user approved through an invite code. */
export async function approvedZaloUser(channel: ZaloChannel, name?: string): Promise<ZaloUser> {
  const user = zaloUser(name);
  const invite = await api("POST", `/channels/${channel.id}/invite-codes`);
  expect((await deliverZalo(channel, textUpdate(user, `/start ${invite.body.inviteCode.code}`))).status).toBe(200);
  await eventually(async () => expect((await zaloTexts(channel.bot, user.id))[0]).toMatch(/^Invite code accepted\./));
  return user;
}
