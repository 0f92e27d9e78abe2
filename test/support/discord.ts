// Test helpers for Discord: an application registered with the fake Discord API (its own Ed25519
// key pair, generated here), channels for it, and interactions delivered the way Discord does —
// signed, answered by our webhook, the answer handed back to Discord (the fake), which then shows
// the deferred "thinking…" placeholder our replies complete.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import { api, eventually, worker } from "./harness";
import { newSigningKeys, signedHeaders } from "./discord-signing";

const control = `${env.FAKES_BASE}/discord/__control`;
const DISCORD_EPOCH = 1_420_070_400_000n;
let counter = 0;

/** A snowflake created `agoMs` ago. */
export function snowflake(agoMs = 0): string {
  counter = (counter + 1) % 4096;
  return ((BigInt(Date.now() - agoMs) - DISCORD_EPOCH) << 22n | BigInt(counter)).toString();
}

export interface TestApp {
  applicationId: string;
  botUserId: string;
  botToken: string;
  username: string;
  publicKey: string;
  privateKey: CryptoKey;
}

export async function createDiscordApp(): Promise<TestApp> {
  const { privateKey, publicKey } = await newSigningKeys();
  const applicationId = snowflake();
  const app = { applicationId, botUserId: applicationId, botToken: `${btoa(applicationId).replaceAll("=", "")}.GxY7Qa.${crypto.randomUUID().replaceAll("-", "")}`, username: `switchboard${counter}`, publicKey };
  await fetch(`${control}/apps`, { method: "POST", body: JSON.stringify(app) });
  return { ...app, privateKey };
}

export interface DiscordChannel {
  id: string;
  app: TestApp;
}

export function discordCredentials(app: TestApp, extra: Record<string, string> = {}) {
  return { botToken: app.botToken, applicationId: app.applicationId, publicKey: app.publicKey, ...extra };
}

/** Creates and starts a channel, pastes its URL in the "portal" and lets Discord PING it: running. */
export async function startDiscordChannel(options: { settings?: Record<string, unknown>; guildId?: string; workspaceId?: string } = {}): Promise<DiscordChannel> {
  const app = await createDiscordApp();
  const created = await api("POST", "/channels", {
    provider: "discord",
    workspaceId: options.workspaceId ?? "ws_default",
    credentials: discordCredentials(app, options.guildId ? { guildId: options.guildId } : {}),
    ...(options.settings ? { settings: options.settings } : {}),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const channel = { id: created.body.channel.id as string, app };
  expect((await api("POST", `/channels/${channel.id}/start`)).body.status).toBe("starting");
  await pasteEndpointUrl(channel);
  expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("running");
  return channel;
}

/** What saving the Interactions Endpoint URL in the developer portal does: set it, then PING. */
export async function pasteEndpointUrl(channel: DiscordChannel): Promise<void> {
  const url = `https://switchboard.example/webhooks/discord/${channel.id}`;
  await fetch(`${control}/endpoint`, { method: "POST", body: JSON.stringify({ applicationId: channel.app.applicationId, url }) });
  const pong = await interact(channel, { id: snowflake(), application_id: channel.app.applicationId, type: 1, token: "ping", version: 1 });
  expect(pong).toEqual({ status: 200, ack: { type: 1 } });
}

export interface TestUser {
  id: string;
  username: string;
  global_name: string;
}

export function discordUser(name = "Ada"): TestUser {
  return { id: snowflake(), username: `${name.toLowerCase()}${counter}`, global_name: name };
}

export interface Where {
  /** A server channel; without it the command comes from a DM with the bot. */
  guild?: { guildId: string; channelId: string };
  /** How long ago Discord created the interaction. */
  agoMs?: number;
}

/** A slash-command interaction as Discord sends it. */
export function command(app: TestApp, user: TestUser, name: string, options: Record<string, string | number> = {}, where: Where = {}) {
  const id = snowflake(where.agoMs);
  const data = { id: snowflake(), name, type: 1, ...(Object.keys(options).length ? { options: Object.entries(options).map(([key, value]) => ({ name: key, type: typeof value === "number" ? 4 : 3, value })) } : {}) };
  const base = { id, application_id: app.applicationId, type: 2, token: `aW50ZXJhY3Rpb246${id}${crypto.randomUUID().replaceAll("-", "")}`, version: 1, locale: "en-US", app_permissions: "562949953601536", entitlements: [], data };
  if (where.guild) {
    const { guildId, channelId } = where.guild;
    return { ...base, guild_id: guildId, channel_id: channelId, channel: { id: channelId, type: 0, guild_id: guildId, name: "support" }, context: 0, member: { user, nick: null, roles: [], permissions: "2248473465835073" } };
  }
  const dmChannel = `9${user.id.slice(1)}`;
  return { ...base, channel_id: dmChannel, channel: { id: dmChannel, type: 1 }, context: 1, user };
}

/** Delivers an interaction signed with the app's key (or a `signature` override); hands our answer to the fake. */
export async function interact(channel: DiscordChannel, body: Record<string, any>, signature: "valid" | "wrong" | "none" = "valid") {
  const raw = JSON.stringify(body);
  const signed = await signedHeaders(channel.app.privateKey, signature === "wrong" ? `${raw} ` : raw);
  const response = await worker(`/webhooks/discord/${channel.id}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(signature === "none" ? {} : signed) },
    body: raw,
  });
  const ack = await response.json();
  if (response.status === 200 && body.type === 2) {
    await fetch(`${control}/acknowledge`, { method: "POST", body: JSON.stringify({ applicationId: channel.app.applicationId, token: body.token, channelId: body.channel_id, dmUserId: body.user?.id, ack }) });
  }
  return { status: response.status, ack };
}

export interface ShownMessage {
  id: string;
  content: string;
  flags: number;
  edits: number;
}

/** What the user sees of an interaction: the deferred answer and its follow-ups. */
export async function shown(token: string): Promise<{ original: ShownMessage | null; followups: ShownMessage[] }> {
  return (await fetch(`${control}/interaction?${new URLSearchParams({ token })}`)).json();
}

/** Waits until the deferred answer has been replaced by a reply; returns what is shown. */
export async function answered(token: string, followups = 0, timeoutMs?: number) {
  return eventually(async () => {
    const view = await shown(token);
    expect(view.original?.edits ?? 0).toBeGreaterThan(0);
    expect(view.followups.length).toBeGreaterThanOrEqual(followups);
    return view;
  }, timeoutMs);
}

export async function discordCalls(app: TestApp, route?: string): Promise<{ route: string; body: any; at: number }[]> {
  const query = new URLSearchParams({ app: app.applicationId, ...(route ? { route } : {}) });
  return ((await (await fetch(`${control}/calls?${query}`)).json()) as { calls: { route: string; body: any; at: number }[] }).calls;
}

export async function registeredCommands(app: TestApp, scope = "global"): Promise<any[] | null> {
  return ((await (await fetch(`${control}/commands?${new URLSearchParams({ app: app.applicationId, scope })}`)).json()) as { commands: any[] | null }).commands;
}

export async function injectDiscordFaults(app: TestApp, route: string, responses: { status: number; body: unknown; headers?: Record<string, string> }[]) {
  await fetch(`${control}/faults`, { method: "POST", body: JSON.stringify({ applicationId: app.applicationId, route, responses }) });
}

/** Makes Discord refuse the interaction's token from now on, as it does after 15 minutes. */
export async function expireInteraction(token: string): Promise<void> {
  await fetch(`${control}/expire`, { method: "POST", body: JSON.stringify({ token }) });
}

/** The bot's DM channel with a user (opened through POST /users/@me/channels) and its messages. */
export async function dmMessages(app: TestApp, user: TestUser): Promise<{ channelId: string | null; messages: ShownMessage[] }> {
  const { channelId } = (await (await fetch(`${control}/dm?${new URLSearchParams({ app: app.applicationId, user: user.id })}`)).json()) as { channelId: string | null };
  if (!channelId) return { channelId, messages: [] };
  return { channelId, messages: ((await (await fetch(`${control}/channel?id=${channelId}`)).json()) as { messages: ShownMessage[] }).messages };
}

/** A DM user approved through an invite code, ready to chat. */
export async function approvedDiscordUser(channel: DiscordChannel, name = "Ada"): Promise<TestUser> {
  const user = discordUser(name);
  const invite = await api("POST", `/channels/${channel.id}/invite-codes`);
  const start = command(channel.app, user, "start", { code: invite.body.inviteCode.code });
  expect((await interact(channel, start)).status).toBe(200);
  expect((await answered(start.token)).original!.content).toMatch(/^Invite code accepted\./);
  return user;
}
