// Slack in Socket Mode end to end: the real Worker (`wrangler dev`), the real bridge process
// holding the Socket Mode connection, the fake Socket Mode server (test/fakes/slack-socket.ts) and
// the fake Web API (test/fakes/slack-api.ts: apps.connections.open, and the replies). One channel
// with an app-level token and no Request URL: the manifest for Socket Mode, pairing, commands,
// every envelope acknowledged within 3 s, a cut connection caught up, Slack's redeliveries
// answered once, a bridge killed mid-stream whose queue delivers every message once, and a stop
// after which nothing is processed.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeProviders, type FakeProviders } from "../fakes/server.ts";
import { FakeSlackSocketMode } from "../fakes/slack-socket.ts";
import { startE2eRig, type E2eRig } from "./support/e2e-rig.ts";
import { until } from "./support/until.ts";

const CODE = /pairing code is ([2-9A-HJ-NP-Z]{8})/;
let rig: E2eRig;
let fakes: FakeProviders;
const socket = new FakeSlackSocketMode();
let counter = 0;

beforeAll(async () => {
  fakes = await startFakeProviders();
  await socket.listen();
  fakes.slack.socketMode = socket;
  rig = await startE2eRig("slack-socket-e2e", { bridgeEnv: { SLACK_API_BASE: fakes.slackApiBase }, apiBases: { SLACK_API_BASE: fakes.slackApiBase } });
});

afterAll(async () => {
  await rig?.stop();
  await socket.close();
  await fakes?.close();
});

afterEach(() => rig.killBridges());

const spawnBridge = (dataDir?: string) => rig.spawnBridge(dataDir);
const api = <T = any>(method: string, path: string, body?: unknown) => rig.api<T>(method, path, body);
/** Polls every 50 ms: many checks here ask the Worker's API. */
const waitFor = <T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, what: string) => until(check, timeoutMs, what, 50);

const status = async (id: string) => (await api("GET", `/channels/${id}`)).body.channel as { status: string; statusReason: string | null };

interface App {
  botToken: string;
  appToken: string;
  appId: string;
  teamId: string;
  userId: string;
}

function newApp(): App {
  counter += 1;
  const tag = `${Date.now().toString(36)}${counter}`.toUpperCase();
  const slackApp = { botToken: `xoxb-1-${tag}-socketmodetest`, appToken: `xapp-1-A${tag}-1-socketmodetest`, appId: `A${tag}`, teamId: `T${tag}`, userId: `UBOT${tag}` };
  fakes.slack.addBot({ token: slackApp.botToken, teamId: slackApp.teamId, team: "Socket Team", userId: slackApp.userId, botId: `B${tag}`, name: `socketbot${counter}` });
  socket.addApp(slackApp.appToken, slackApp.appId);
  return slackApp;
}

/** A Socket Mode channel (no signing secret at all), started: running once Slack said hello. */
async function socketChannel(slackApp: App, settings: Record<string, unknown> = {}, workspaceId = "ws_default"): Promise<string> {
  const created = await api("POST", "/channels", {
    provider: "slack",
    workspaceId,
    credentials: { botToken: slackApp.botToken, appToken: slackApp.appToken },
    settings: { socketMode: true, ...settings },
  });
  expect(created.status).toBe(201);
  const id = created.body.channel.id as string;
  expect((await api("POST", `/channels/${id}/start`)).body.status).toBe("starting");
  await waitFor(async () => (await status(id)).status === "running", 15_000, "running after hello");
  return id;
}

let tsCounter = 0;
function say(slackApp: App, channel: string, text: string, options: { ts?: string; user?: string; channelType?: string; type?: "message" | "app_mention" } = {}) {
  const ts = options.ts ?? `${Math.floor(Date.now() / 1000)}.${String((tsCounter += 1)).padStart(6, "0")}`;
  const payload = FakeSlackSocketMode.messagePayload({ teamId: slackApp.teamId, appId: slackApp.appId, channel, user: options.user ?? "U0ANA", text, ts, channelType: options.channelType, type: options.type });
  socket.deliver(slackApp.appToken, payload);
  return { ts, payload };
}

const posted = (slackApp: App, channel: string) => fakes.slack.channelMessages(slackApp.botToken, channel).map((message) => message.text);

describe("Slack in Socket Mode through the real bridge and the real Worker", () => {
  it("needs no Request URL: pairs, runs the commands, and acknowledges every envelope within 3 s", async () => {
    spawnBridge();
    const slackApp = newApp();
    const id = await socketChannel(slackApp);

    const setup = (await api("GET", `/channels/${id}/setup`)).body;
    const manifest = JSON.parse(setup.guide.artifact.content);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.request_url).toBeUndefined();
    expect(manifest.settings.event_subscriptions.bot_events).toContain("message.im");

    const dm = "D0SOCKET1";
    say(slackApp, dm, "hello over the socket");
    const notice = await waitFor(() => posted(slackApp, dm).find((text) => CODE.test(text)), 15_000, "the pairing code");
    const [request] = (await api("GET", `/channels/${id}/pairing`)).body.requests;
    expect(request.code).toBe(CODE.exec(notice)![1]);
    await api("POST", `/channels/${id}/pairing/${request.id}/approve`);
    await waitFor(() => posted(slackApp, dm).includes("Echo: hello over the socket"), 15_000, "the held message's answer");

    say(slackApp, dm, "new Budget");
    await waitFor(() => posted(slackApp, dm).some((text) => text.includes("Budget")), 15_000, "the new-thread answer");
    say(slackApp, dm, "threads");
    await waitFor(() => posted(slackApp, dm).some((text) => /1\..*Budget/.test(text)), 15_000, "the thread list");
    say(slackApp, dm, "help");
    await waitFor(() => posted(slackApp, dm).some((text) => text.includes("threads")), 15_000, "the help");
    expect(posted(slackApp, dm).some((text) => text.startsWith("Echo: new") || text.startsWith("Echo: threads"))).toBe(false);

    // A mention in a channel, answered in a thread under it (open groups).
    await api("PATCH", `/channels/${id}`, { settings: { groupPolicy: "open" } });
    const { ts } = say(slackApp, "C0SOCKET1", `<@${slackApp.userId}> what is the plan?`, { channelType: "channel", type: "app_mention" });
    await waitFor(() => fakes.slack.channelMessages(slackApp.botToken, "C0SOCKET1").find((message) => message.text === "Echo: what is the plan?" && message.threadTs === ts), 15_000, "the threaded answer");

    const acked = socket.acks.filter((ack) => ack.latencyMs >= 0);
    expect(acked.length).toBeGreaterThan(0);
    expect(Math.max(...acked.map((ack) => ack.latencyMs))).toBeLessThan(3000);
  });

  it("catches up after a cut, answers Slack's redeliveries once, and loses nothing when the bridge dies mid-stream", async () => {
    const slow = await api("POST", "/workspaces", { name: `Slow slack ${Date.now()}`, backend: "echo", config: { delayMs: 800 } });
    const dataDir = rig.dataDir();
    const first = spawnBridge(dataDir);
    const slackApp = newApp();
    const id = await socketChannel(slackApp, { dmPolicy: "open" }, slow.body.workspace.id);
    const dm = "D0SOCKET2";

    // Catch-up: Slack holds events while no connection is open; the bridge reconnects and gets them.
    socket.cut(slackApp.appToken);
    say(slackApp, dm, "while the socket was down");
    await waitFor(() => posted(slackApp, dm).includes("Echo: while the socket was down"), 20_000, "the caught-up answer");

    // Redelivery: the same message twice (Slack's retry of an event) gets one answer.
    const { payload } = say(slackApp, dm, "answer me once");
    socket.deliver(slackApp.appToken, { ...payload, event_id: `${payload.event_id}R` });
    await waitFor(() => posted(slackApp, dm).includes("Echo: answer me once"), 15_000, "the answer");

    // A refresh in the middle changes nothing.
    socket.disconnect(slackApp.appToken, "refresh_requested", 300);
    const texts = Array.from({ length: 6 }, (_, n) => `stream ${n}`);
    for (const text of texts) say(slackApp, dm, text);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await first.kill();
    spawnBridge(dataDir);
    await waitFor(() => texts.every((text) => posted(slackApp, dm).includes(`Echo: ${text}`)), 30_000, "every streamed answer");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const answers = posted(slackApp, dm);
    expect(answers.filter((text) => text === "Echo: answer me once")).toHaveLength(1);
    for (const text of texts) expect(answers.filter((answer) => answer === `Echo: ${text}`)).toHaveLength(1);
    await waitFor(async () => (await status(id)).status === "running", 15_000, "running with the new bridge");
  });

  it("stops: the connection closes and nothing more is processed", async () => {
    spawnBridge();
    const slackApp = newApp();
    const id = await socketChannel(slackApp, { dmPolicy: "open" });
    const dm = "D0SOCKET3";
    say(slackApp, dm, "before the stop");
    await waitFor(() => posted(slackApp, dm).includes("Echo: before the stop"), 15_000, "the answer before the stop");
    expect((await api("POST", `/channels/${id}/stop`)).body.status).toBe("stopped");
    await waitFor(() => socket.connectionCount(slackApp.appToken) === 0, 10_000, "the connection closed");
    say(slackApp, dm, "after the stop");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(socket.connectionCount(slackApp.appToken)).toBe(0);
    expect(posted(slackApp, dm)).toEqual(["Echo: before the stop"]);
  });
});
