// Discord's gateway end to end: the real Worker (`wrangler dev`), the real bridge process holding
// the gateway, the fake gateway (test/fakes/discord-gateway.ts) and the fake REST API
// (test/fakes/discord-api.ts) that receives the replies. One channel with the gateway on: pairing
// in a DM, `!` commands, a server mention and a reply to the bot under the group policy, a cut
// link caught up by a Resume, a redelivered message answered once, a bridge killed mid-stream
// whose queue delivers every message once, and a stop after which nothing is processed.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeDiscordGateway } from "../fakes/discord-gateway.ts";
import { startFakeProviders, type FakeProviders } from "../fakes/server.ts";
import { startE2eRig, type E2eRig } from "./support/e2e-rig.ts";
import { until } from "./support/until.ts";

const CODE = /pairing code is ([2-9A-HJ-NP-Z]{8})/;
let rig: E2eRig;
let fakes: FakeProviders;
const gateway = new FakeDiscordGateway();
let counter = 0;

beforeAll(async () => {
  fakes = await startFakeProviders();
  await gateway.listen();
  rig = await startE2eRig("discord-gateway-e2e", { bridgeEnv: { DISCORD_GATEWAY_URL: gateway.url }, apiBases: { DISCORD_API_BASE: fakes.discordApiBase } });
});

afterAll(async () => {
  await rig?.stop();
  await gateway.close();
  await fakes?.close();
});

afterEach(() => rig.killBridges());

const spawnBridge = (dataDir?: string) => rig.spawnBridge(dataDir);
const api = <T = any>(method: string, path: string, body?: unknown) => rig.api<T>(method, path, body);
/** Polls every 50 ms: many checks here ask the Worker's API. */
const waitFor = <T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, what: string) => until(check, timeoutMs, what, 50);

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
  await waitFor(async () => (await status(id)).status === "running", 15_000, "running after READY");
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
    const notice = await waitFor(() => posted(dm).find((text) => CODE.test(text)), 15_000, "the pairing code");
    const [request] = (await api("GET", `/channels/${id}/pairing`)).body.requests;
    expect(request.code).toBe(CODE.exec(notice)![1]);
    await api("POST", `/channels/${id}/pairing/${request.id}/approve`);
    await waitFor(() => posted(dm).includes("Echo: hello from a DM"), 15_000, "the held message's answer");

    say(bot, dm, "!new Trip plans");
    await waitFor(() => posted(dm).some((text) => text.includes("Trip plans")), 15_000, "the !new answer");
    say(bot, dm, "!threads");
    await waitFor(() => posted(dm).some((text) => /1\..*Trip plans/.test(text)), 15_000, "the thread list");
    say(bot, dm, "!switch 1");
    await waitFor(() => posted(dm).filter((text) => text.includes("Trip plans")).length >= 3, 15_000, "the !switch answer");
    say(bot, dm, "!help");
    await waitFor(() => posted(dm).some((text) => text.includes("/threads")), 15_000, "the help");
    say(bot, dm, "!more");
    await waitFor(() => posted(dm).length >= 7, 15_000, "the !more answer");
    expect(posted(dm).some((text) => text.startsWith("Echo: !"))).toBe(false);

    // Servers: open groups; a mention or a reply to the bot is for it, other talk is not.
    await api("PATCH", `/channels/${id}`, { settings: { groupPolicy: "open" } });
    const server = discordChannel();
    const guildId = "4000000000000000001";
    say(bot, server, "just chatting", { guildId });
    say(bot, server, "what time is it?", { guildId, mention: true });
    say(bot, server, "and tomorrow?", { guildId, replyToBot: true });
    await waitFor(() => posted(server).includes("Echo: and tomorrow?"), 15_000, "the reply to the bot answered");
    expect(posted(server)).toContain("Echo: what time is it?");
    expect(posted(server).some((text) => text.includes("just chatting"))).toBe(false);
    expect(bridge.child.exitCode).toBeNull();
  });

  it("catches up after a cut link (Resume), answers a redelivered message once, and loses nothing when the bridge dies mid-stream", async () => {
    const slow = await api("POST", "/workspaces", { name: `Slow discord ${Date.now()}`, backend: "echo", config: { delayMs: 1200 } });
    const dataDir = rig.dataDir();
    const first = spawnBridge(dataDir);
    const bot = newBot();
    const id = await gatewayChannel(bot, { dmPolicy: "open" }, slow.body.workspace.id);
    const dm = discordChannel();

    // Catch-up: messages sent while the gateway link is cut arrive with the Resume.
    gateway.cut(bot.token);
    say(bot, dm, "sent during the cut 1");
    say(bot, dm, "sent during the cut 2");
    await waitFor(() => posted(dm).includes("Echo: sent during the cut 2") && posted(dm).includes("Echo: sent during the cut 1"), 20_000, "the caught-up answers");
    expect(gateway.sent(6).some((frame) => frame.d.token === bot.token)).toBe(true);

    // Redelivery: the same message id twice (a replay after a resume) gets one answer.
    const messageId = say(bot, dm, "only once please");
    say(bot, dm, "only once please", { id: messageId });
    await waitFor(() => posted(dm).includes("Echo: only once please"), 15_000, "the answer");

    // Mid-stream: the bridge takes eight messages and is killed; the next one, on the same disk,
    // delivers what was not acknowledged yet.
    const texts = Array.from({ length: 6 }, (_, n) => `stream ${n}`);
    for (const text of texts) say(bot, dm, text, { author: `30000000000000001${texts.indexOf(text)}` });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await first.kill();
    spawnBridge(dataDir);
    await waitFor(() => texts.every((text) => posted(dm).includes(`Echo: ${text}`)), 30_000, "every streamed answer");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const answers = posted(dm);
    expect(answers.filter((text) => text === "Echo: only once please")).toHaveLength(1);
    for (const text of texts) expect(answers.filter((answer) => answer === `Echo: ${text}`)).toHaveLength(1);
    await waitFor(async () => (await status(id)).status === "running", 15_000, "running with the new bridge");
    // A slow answer shows "typing…", sent over REST from the Worker like the replies.
    expect(fakes.discord.calls.some((call) => call.applicationId === bot.applicationId && call.route === "POST /channels/:channel/typing")).toBe(true);
  });

  it("stops: the gateway closes with 1000 and nothing more is processed", async () => {
    spawnBridge();
    const bot = newBot();
    const id = await gatewayChannel(bot, { dmPolicy: "open" });
    const dm = discordChannel();
    say(bot, dm, "before the stop");
    await waitFor(() => posted(dm).includes("Echo: before the stop"), 15_000, "the answer before the stop");
    const connection = gateway.connections.filter((item) => item.received.some((frame) => frame.op === 2 && frame.d.token === bot.token)).at(-1)!;
    expect((await api("POST", `/channels/${id}/stop`)).body.status).toBe("stopped");
    await waitFor(() => connection.closed !== null, 10_000, "the gateway closed");
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
    const failed = await waitFor(async () => {
      const current = await status(id);
      return current.status === "error" ? current : undefined;
    }, 15_000, "the error status");
    expect(failed.statusReason).toContain("Message Content Intent");
  });
});
