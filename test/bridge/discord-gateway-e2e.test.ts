// Discord's gateway end to end: the real Worker (`wrangler dev`), the real bridge process holding
// the gateway, the fake gateway (test/fakes/discord-gateway.ts) and the fake REST API
// (test/fakes/discord-api.ts) that receives the replies. One channel with the gateway on: pairing
// in a DM, `!` commands, a server mention and a reply to the bot under the group policy, a cut
// link caught up by a Resume, a redelivered message answered once, a bridge killed mid-stream
// whose queue delivers every message once, and a stop after which nothing is processed.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../browser/support/app-server.ts";
import { FakeDiscordGateway } from "../fakes/discord-gateway.ts";
import { startFakeProviders, type FakeProviders } from "../fakes/server.ts";
import { buildBridgeWithFakes, spawnBridge as spawnBridgeProcess, type BridgeProcess } from "./support/bridge-process.ts";

const SECRET = randomBytes(24).toString("base64url");
const CODE = /pairing code is ([2-9A-HJ-NP-Z]{8})/;
let app: AppServer;
let fakes: FakeProviders;
const gateway = new FakeDiscordGateway();
let work: string;
let driversModule: string;
let counter = 0;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "discord-gateway-e2e-"));
  driversModule = await buildBridgeWithFakes("discord-e2e-fake-drivers");
  fakes = await startFakeProviders();
  await gateway.listen();
  app = await startAppServer({ apiBases: { DISCORD_API_BASE: fakes.discordApiBase }, vars: { BRIDGE_SECRET: SECRET, BRIDGE_RUNS_IN: "external" } });
});

afterAll(async () => {
  await app?.stop();
  await gateway.close();
  await fakes?.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(driversModule, { force: true });
});

const running: BridgeProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((bridge) => bridge.kill()));
});

function spawnBridge(dataDir = mkdtempSync(join(work, "data-"))): BridgeProcess {
  const bridge = spawnBridgeProcess({ workerUrl: app.baseUrl, secret: SECRET, dataDir, driversModule, env: { DISCORD_GATEWAY_URL: gateway.url } });
  running.push(bridge);
  return bridge;
}

async function api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${app.baseUrl}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${app.adminToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const status = async (id: string) => (await api("GET", `/channels/${id}`)).body.channel as { status: string; statusReason: string | null };

interface Bot {
  token: string;
  applicationId: string;
  userId: string;
  username: string;
}

/** A Discord application known to the fake REST API and the fake gateway. */
function newBot(): Bot {
  counter += 1;
  const suffix = `${Date.now()}${counter}`.slice(-8);
  const bot = {
    token: `${randomBytes(18).toString("base64url")}.${randomBytes(4).toString("base64url")}.${randomBytes(20).toString("base64url")}`,
    applicationId: `1290000000${suffix}`,
    userId: `1290000000${suffix}`,
    username: `gatewaybot${counter}`,
  };
  fakes.discord.apps.set(bot.applicationId, { botToken: bot.token, applicationId: bot.applicationId, botUserId: bot.userId, username: bot.username, publicKey: "ab".repeat(32) });
  gateway.addBot({ token: bot.token, userId: bot.userId, username: bot.username, messageContent: true });
  return bot;
}

/** A channel with the gateway on, started: running once the gateway said READY. */
async function gatewayChannel(bot: Bot, settings: Record<string, unknown> = {}, workspaceId = "ws_default"): Promise<string> {
  const created = await api("POST", "/channels", {
    provider: "discord",
    workspaceId,
    credentials: { botToken: bot.token, applicationId: bot.applicationId, publicKey: "ab".repeat(32) },
    settings: { gateway: true, ...settings },
  });
  expect(created.status).toBe(201);
  const id = created.body.channel.id as string;
  const started = await api("POST", `/channels/${id}/start`);
  expect(started.body.status).toBe("starting");
  await until(async () => (await status(id)).status === "running", 15_000, "running after READY");
  return id;
}

/** A DM or server channel in the fake REST API, so replies can be posted there. */
function discordChannel(): string {
  const id = fakes.discord.snowflake();
  fakes.discord.channels.set(id, []);
  return id;
}

const posted = (channelId: string) => (fakes.discord.channels.get(channelId) ?? []).map((message) => message.content);

function say(bot: Bot, channelId: string, content: string, options: { guildId?: string; mention?: boolean; replyToBot?: boolean; author?: string; id?: string } = {}) {
  const id = options.id ?? fakes.discord.snowflake();
  gateway.dispatch(
    bot.token,
    "MESSAGE_CREATE",
    FakeDiscordGateway.message({
      id,
      channelId,
      guildId: options.guildId,
      author: { id: options.author ?? "3000000000000000001", username: "ana" },
      content: options.mention ? `<@${bot.userId}> ${content}` : content,
      mentions: options.mention ? [{ id: bot.userId }] : [],
      referencedAuthorId: options.replyToBot ? bot.userId : undefined,
    }),
  );
  return id;
}

describe("Discord through the gateway, the real bridge and the real Worker", () => {
  it("pairs a DM user, runs the ! commands, and answers server mentions and replies under the group policy", async () => {
    const bridge = spawnBridge();
    const bot = newBot();
    const id = await gatewayChannel(bot);
    const identify = gateway.connections.at(-1)!.received.find((frame) => frame.op === 2)!;
    expect(identify.d.intents).toBe(512 | 4096 | 32768);

    const dm = discordChannel();
    say(bot, dm, "hello from a DM");
    const notice = await until(() => posted(dm).find((text) => CODE.test(text)), 15_000, "the pairing code");
    const [request] = (await api("GET", `/channels/${id}/pairing`)).body.requests;
    expect(request.code).toBe(CODE.exec(notice)![1]);
    await api("POST", `/channels/${id}/pairing/${request.id}/approve`);
    await until(() => posted(dm).includes("Echo: hello from a DM"), 15_000, "the held message's answer");

    say(bot, dm, "!new Trip plans");
    await until(() => posted(dm).some((text) => text.includes("Trip plans")), 15_000, "the !new answer");
    say(bot, dm, "!threads");
    await until(() => posted(dm).some((text) => /1\..*Trip plans/.test(text)), 15_000, "the thread list");
    say(bot, dm, "!switch 1");
    await until(() => posted(dm).filter((text) => text.includes("Trip plans")).length >= 3, 15_000, "the !switch answer");
    say(bot, dm, "!help");
    await until(() => posted(dm).some((text) => text.includes("/threads")), 15_000, "the help");
    say(bot, dm, "!more");
    await until(() => posted(dm).length >= 7, 15_000, "the !more answer");
    expect(posted(dm).some((text) => text.startsWith("Echo: !"))).toBe(false);

    // Servers: open groups; a mention or a reply to the bot is for it, other talk is not.
    await api("PATCH", `/channels/${id}`, { settings: { groupPolicy: "open" } });
    const server = discordChannel();
    const guildId = "4000000000000000001";
    say(bot, server, "just chatting", { guildId });
    say(bot, server, "what time is it?", { guildId, mention: true });
    say(bot, server, "and tomorrow?", { guildId, replyToBot: true });
    await until(() => posted(server).includes("Echo: and tomorrow?"), 15_000, "the reply to the bot answered");
    expect(posted(server)).toContain("Echo: what time is it?");
    expect(posted(server).some((text) => text.includes("just chatting"))).toBe(false);
    expect(bridge.child.exitCode).toBeNull();
  });

  it("catches up after a cut link (Resume), answers a redelivered message once, and loses nothing when the bridge dies mid-stream", async () => {
    const slow = await api("POST", "/workspaces", { name: `Slow discord ${Date.now()}`, backend: "echo", config: { delayMs: 1200 } });
    const dataDir = mkdtempSync(join(work, "data-"));
    const first = spawnBridge(dataDir);
    const bot = newBot();
    const id = await gatewayChannel(bot, { dmPolicy: "open" }, slow.body.workspace.id);
    const dm = discordChannel();

    // Catch-up: messages sent while the gateway link is cut arrive with the Resume.
    gateway.cut(bot.token);
    say(bot, dm, "sent during the cut 1");
    say(bot, dm, "sent during the cut 2");
    await until(() => posted(dm).includes("Echo: sent during the cut 2") && posted(dm).includes("Echo: sent during the cut 1"), 20_000, "the caught-up answers");
    expect(gateway.sent(6).some((frame) => frame.d.token === bot.token)).toBe(true);

    // Redelivery: the same message id twice (a replay after a resume) gets one answer.
    const messageId = say(bot, dm, "only once please");
    say(bot, dm, "only once please", { id: messageId });
    await until(() => posted(dm).includes("Echo: only once please"), 15_000, "the answer");

    // Mid-stream: the bridge takes eight messages and is killed; the next one, on the same disk,
    // delivers what was not acknowledged yet.
    const texts = Array.from({ length: 6 }, (_, n) => `stream ${n}`);
    for (const text of texts) say(bot, dm, text, { author: `30000000000000001${texts.indexOf(text)}` });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await first.kill();
    spawnBridge(dataDir);
    await until(() => texts.every((text) => posted(dm).includes(`Echo: ${text}`)), 30_000, "every streamed answer");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const answers = posted(dm);
    expect(answers.filter((text) => text === "Echo: only once please")).toHaveLength(1);
    for (const text of texts) expect(answers.filter((answer) => answer === `Echo: ${text}`)).toHaveLength(1);
    await until(async () => (await status(id)).status === "running", 15_000, "running with the new bridge");
    // A slow answer shows "typing…", sent over REST from the Worker like the replies.
    expect(fakes.discord.calls.some((call) => call.applicationId === bot.applicationId && call.route === "POST /channels/:channel/typing")).toBe(true);
  });

  it("stops: the gateway closes with 1000 and nothing more is processed", async () => {
    spawnBridge();
    const bot = newBot();
    const id = await gatewayChannel(bot, { dmPolicy: "open" });
    const dm = discordChannel();
    say(bot, dm, "before the stop");
    await until(() => posted(dm).includes("Echo: before the stop"), 15_000, "the answer before the stop");
    const connection = gateway.connections.filter((item) => item.received.some((frame) => frame.op === 2 && frame.d.token === bot.token)).at(-1)!;
    expect((await api("POST", `/channels/${id}/stop`)).body.status).toBe("stopped");
    await until(() => connection.closed !== null, 10_000, "the gateway closed");
    expect(connection.closed!.code).toBe(1000);
    expect(gateway.session(bot.token)).toBeUndefined();
    const connections = gateway.connections.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(gateway.connections.length).toBe(connections);
    expect(posted(dm)).toEqual(["Echo: before the stop"]);
  });

  it("shows Discord's refusal of the Message Content intent as the channel's error", async () => {
    spawnBridge();
    const bot = newBot();
    gateway.addBot({ token: bot.token, userId: bot.userId, username: bot.username, messageContent: false });
    const created = await api("POST", "/channels", {
      provider: "discord",
      workspaceId: "ws_default",
      credentials: { botToken: bot.token, applicationId: bot.applicationId, publicKey: "ab".repeat(32) },
      settings: { gateway: true },
    });
    const id = created.body.channel.id as string;
    await api("POST", `/channels/${id}/start`);
    const failed = await until(async () => {
      const current = await status(id);
      return current.status === "error" ? current : undefined;
    }, 15_000, "the error status");
    expect(failed.statusReason).toContain("Message Content Intent");
  });
});
