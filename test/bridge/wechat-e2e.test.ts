// WeChat end to end: the real Worker (`wrangler dev`, local D1 and Durable Objects), the real
// bridge process (bridge/dist/main.js) with its real WeChat session, and the fake iLink API
// (test/fakes/wechat-api.ts) started here. The QR login through the admin API, pairing, the chat
// commands, messages sent while no bridge ran, an iLink redelivery, a bridge killed mid-stream
// and restarted on an empty disk, an expired session, and a stopped channel.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeProviders, type FakeProviders } from "../fakes/server.ts";
import type { FakeWeChatBot } from "../fakes/wechat-api.ts";
import type { BridgeProcess } from "./support/bridge-process.ts";
import { startE2eRig, type E2eRig } from "./support/e2e-rig.ts";
import { until as untilEvery } from "./support/until.ts";

let rig: E2eRig;
let fakes: FakeProviders;
beforeAll(async () => {
  fakes = await startFakeProviders();
  fakes.wechat.longPollMs = 3000;
  fakes.wechat.qrHoldMs = 500;
  rig = await startE2eRig("wechat-e2e", { bridgeEnv: { WECHAT_API_BASE: fakes.wechatApiBase } });
});
afterAll(async () => {
  await rig?.stop();
  await fakes?.close();
});
afterEach(() => rig.killBridges());

const spawnBridge = (dataDir?: string): BridgeProcess => rig.spawnBridge(dataDir);
const api = <T = any>(method: string, path: string, body?: unknown) => rig.api<T>(method, path, body);
/** Polls the API gently (every 50 ms). */
const until = <T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = "condition") => untilEvery(check, timeoutMs, what, 50);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const channelOf = async (id: string) => (await api("GET", `/channels/${id}`)).body.channel as { status: string; statusReason: string | null; account: { id: string } };
const sentTo = (bot: FakeWeChatBot, user: string) => bot.sent.filter((sent) => sent.to === user).map((sent) => sent.text);
let users = 0;
const newUser = () => `wxid_${Date.now().toString(36)}${(users += 1)}@im.wechat`;

/** A WeChat channel logged in through the QR flow: created, started, QR shown, scanned, confirmed. */
async function loggedIn(bridge: BridgeProcess, settings: Record<string, unknown> = { dmPolicy: "open" }, workspaceId = "ws_default") {
  const created = await api("POST", "/channels", { provider: "wechat", workspaceId, credentials: {}, settings });
  expect(created.status).toBe(201);
  const id = created.body.channel.id as string;
  expect((await api("POST", `/channels/${id}/start`)).body.status).toBe("awaiting-login");
  const qr = await until(async () => (await api("GET", `/channels/${id}/qr`)).body.qr, 15_000, "a QR in the admin API").catch((error: Error) => {
    throw new Error(`${error.message}\n--- bridge output ---\n${bridge.output.join("").slice(-3000)}`);
  });
  // Other channels of this file may be showing QRs too: the phone scans the one on this page.
  expect(fakes.wechat.qrs.map((issued) => issued.imageContent)).toContain(qr.qr);
  fakes.wechat.scan(qr.qr);
  const bot = fakes.wechat.confirm({ shown: qr.qr });
  await until(async () => (await channelOf(id)).status === "running", 15_000, "running after the confirmation");
  expect((await channelOf(id)).account.id).toBe(bot.botId);
  expect((await api("GET", `/channels/${id}/qr`)).body.qr).toBeNull();
  return { id, bot };
}

describe("WeChat through the real Worker and the real bridge process", () => {
  it("logs in with a QR, pairs a stranger, and runs the chat commands", async () => {
    const bridge = spawnBridge();
    const { id, bot } = await loggedIn(bridge, {});
    const user = newUser();
    fakes.wechat.userSays(bot.botId, { from: user, text: "hello" });
    const code = await until(() => /pairing code is ([2-9A-HJ-NP-Z]{8})/.exec(sentTo(bot, user)[0] ?? "")?.[1], 15_000, "the pairing code");
    const request = (await api("GET", `/channels/${id}/pairing`)).body.requests.find((item: { code: string }) => item.code === code);
    expect(request.user).toMatchObject({ providerUserId: user });
    expect((await api("POST", `/channels/${id}/pairing/${request.id}/approve`)).status).toBe(200);
    await until(() => sentTo(bot, user).includes("Echo: hello"), 15_000, "the held message answered");

    const say = async (text: string, count: number) => {
      fakes.wechat.userSays(bot.botId, { from: user, text });
      return until(() => sentTo(bot, user).length >= count && sentTo(bot, user).at(-1), 15_000, `the answer to ${text}`);
    };
    const base = sentTo(bot, user).length;
    expect(await say("/new Budget", base + 1)).toBe("Started a new thread: Budget");
    const askedAt = Date.now();
    expect(await say("Q3 numbers", base + 2)).toBe("Echo: Q3 numbers");
    console.info(`message to reply through iLink (fake), the bridge and the Worker: ${Date.now() - askedAt} ms (echo agent, polled every 50 ms)`);
    expect(await say("/new Launch", base + 3)).toBe("Started a new thread: Launch");
    const threads = await say("/threads", base + 4);
    expect(threads).toContain("Your threads:");
    expect(threads).toMatch(/1\. Launch \(active\)\n2\. Budget/);
    expect(await say("/switch 2", base + 5)).toBe("Switched to: Budget");
    expect(await say("/more", base + 6)).toBe("No missed replies in this thread.");
    expect(await say("/help", base + 7)).toContain("/new [title] — start a fresh thread");
    // Every reply carried a context token iLink issued for this user.
    expect(fakes.wechat.refused).toEqual([]);
  });

  it("catches up on messages sent while no bridge ran, answers a redelivered message once, and survives a kill mid-stream", async () => {
    const slow = await api("POST", "/workspaces", { name: `Slow ${Date.now()}`, backend: "echo", config: { delayMs: 1000 } });
    const first = spawnBridge();
    const { id, bot } = await loggedIn(first, { dmPolicy: "open" }, slow.body.workspace.id);
    const user = newUser();
    const texts = Array.from({ length: 6 }, (_, n) => `message ${n}`);
    for (const text of texts) fakes.wechat.userSays(bot.botId, { from: user, text });
    await until(() => sentTo(bot, user).length >= 2, 15_000, "the first answers");
    // More arrive; the bridge dies right after taking them (a poll asked past the last one),
    // before it knows whether the channel stored them, with answers still owed.
    const late = ["late 0", "late 1", "late 2"];
    for (const text of late) fakes.wechat.userSays(bot.botId, { from: user, text });
    const polledPast = (seq: number) => bot.polls.some((poll) => Buffer.from(poll.cursor || "e30=", "base64").toString().includes(`"seq":${seq}`));
    const last = bot.inbox.at(-1)!.seq;
    await until(() => polledPast(last), 15_000, "the bridge took every message");
    await first.kill();
    const answeredBeforeKill = sentTo(bot, user).length;

    // Written while no bridge runs; one of them is delivered twice by iLink.
    const away = fakes.wechat.userSays(bot.botId, { from: user, text: "while away" });
    bot.inbox.push({ seq: last + 1000, message: { ...away } });

    // A new container: nothing on disk; the session resumes from the cursor the channel saved.
    const restartedAt = Date.now();
    const second = spawnBridge();
    const expected = [...texts, ...late, "while away"].map((text) => `Echo: ${text}`);
    await until(() => expected.every((text) => sentTo(bot, user).includes(text)), 30_000, "every answer");
    const catchUpMs = Date.now() - restartedAt;
    await sleep(2500);
    expect(sentTo(bot, user).sort()).toEqual(expected.sort());
    console.info(`answered before the kill: ${answeredBeforeKill} of ${expected.length - 1}; the rest within ${catchUpMs} ms of the restart (echo agent 1 s per message), none twice`);
    const logs = (await api("GET", `/channels/${id}/logs`)).body.logs as { event: string }[];
    expect(logs.some((log) => log.event === "inbound.duplicate")).toBe(true);
    expect(second.output.join("")).not.toContain(bot.token);
  });

  it("shows an expired session as relogin needed and stops polling", async () => {
    const bridge = spawnBridge();
    const { id, bot } = await loggedIn(bridge);
    fakes.wechat.expireSession(bot.botId);
    await until(async () => (await channelOf(id)).status === "error", 15_000, "the error status");
    expect((await channelOf(id)).statusReason).toBe("logged out — relogin needed (the WeChat bot session expired; scan a new QR code)");
    const polls = bot.polls.length;
    await sleep(2000);
    expect(bot.polls.length).toBe(polls);

    // Relogin: a new QR, the settings kept.
    const issued = fakes.wechat.qrs.length;
    expect((await api("POST", `/channels/${id}/relogin`)).body.status).toBe("awaiting-login");
    const shown = await until(async () => (await api("GET", `/channels/${id}/qr`)).body.qr?.qr as string | undefined, 15_000, "a new QR");
    expect(fakes.wechat.qrs.slice(issued).map((qr) => qr.imageContent)).toContain(shown);
    expect((await api("GET", `/channels/${id}`)).body.channel.settings).toMatchObject({ dmPolicy: "open" });
    // Not left waiting for a scan while the next test runs.
    await api("POST", `/channels/${id}/stop`);
  });

  it("processes nothing while the channel is stopped", async () => {
    const bridge = spawnBridge();
    const { id, bot } = await loggedIn(bridge);
    const user = newUser();
    fakes.wechat.userSays(bot.botId, { from: user, text: "before the stop" });
    await until(() => sentTo(bot, user).includes("Echo: before the stop"), 15_000, "the reply");
    expect((await api("POST", `/channels/${id}/stop`)).body.status).toBe("stopped");
    await sleep(500);
    const polls = bot.polls.length;
    fakes.wechat.userSays(bot.botId, { from: user, text: "after the stop" });
    await sleep(2500);
    expect(sentTo(bot, user)).toEqual(["Echo: before the stop"]);
    expect(bot.polls.length).toBe(polls);
  });
});
