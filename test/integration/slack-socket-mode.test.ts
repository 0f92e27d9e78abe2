// Moving a Slack channel from the Request URL to Socket Mode, through the admin API and the bridge
// link (a test bridge in place of bridge/; the fake Web API answers apps.connections.open): the
// app-level token added and tested (a wrong one refused, another bot refused), the socket opened
// with the app-level token alone, events from the socket read like the Request URL's (same
// de-duplication by channel:ts), and a Request URL delivery without a signing secret refused.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { BridgeEvent } from "../../worker/bridge/protocol";
import { api, eventually, worker } from "../support/harness";
import { connectTestBridge, type TestBridge } from "../support/test-bridge";
import { createSlackBot, createSlackChannel, dmEvent, slackId, waitForSlackTexts } from "../support/slack";

let bridge: TestBridge | null = null;
afterEach(() => {
  bridge?.close();
  bridge = null;
});

/** Makes the fake Web API accept this app-level token once for apps.connections.open. */
async function acceptAppToken(appToken: string, times = 1): Promise<void> {
  const responses = Array.from({ length: times }, () => ({ status: 200, body: { ok: true, url: "wss://wss-primary.slack.example/link/?ticket=t" } }));
  await fetch(`${env.FAKES_BASE}/slack/__control/faults`, { method: "POST", body: JSON.stringify({ token: appToken, method: "apps.connections.open", responses }) });
}

const hello: BridgeEvent = { type: "login", login: { state: "connected", account: { id: "A0APP", name: "A0APP", details: {} } } };

describe("a Slack channel in Socket Mode", () => {
  it("takes an app-level token on its page, then opens the socket with it alone and reads its events like the Request URL's", async () => {
    const channel = await createSlackChannel({ settings: { dmPolicy: "open" } });
    const refused = await api("PATCH", `/channels/${channel.id}/credentials`, { credentials: { appToken: "xapp-1-A0WRONG-1-0000000000abcdef" } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain("app-level token");
    expect((await api("PATCH", `/channels/${channel.id}/credentials`, { credentials: { nonsense: "x" } })).status).toBe(400);

    const appToken = `xapp-1-A0${Date.now()}-1-abcdef0123456789`;
    await acceptAppToken(appToken);
    const added = await api("PATCH", `/channels/${channel.id}/credentials`, { credentials: { appToken } });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
    expect(added.body).toEqual({ updated: ["appToken"] });

    await api("PATCH", `/channels/${channel.id}`, { settings: { socketMode: true } });
    bridge = await connectTestBridge();
    expect((await api("POST", `/channels/${channel.id}/start`)).body).toEqual({ status: "starting", reason: "the bridge is connecting to Slack" });
    expect(bridge.commandsFor(channel.id, "start")).toEqual([{ op: "start", provider: "slack", credentials: { appToken }, options: { selfChat: false } }]);
    await bridge.deliver(channel.id, "slack", [hello]);
    expect((await api("GET", `/channels/${channel.id}`)).body.channel).toMatchObject({ status: "running", account: { name: channel.bot.name } });

    const dm = slackId("D");
    const event = dmEvent(channel.bot, dm, slackId("U"), "over the socket");
    // Slack's retry of the same event arrives as a second envelope with the same message.
    await bridge.deliver(channel.id, "slack", [{ type: "message", message: event }, { type: "message", message: { ...event, event_id: `${event.event_id}R` } }]);
    expect(await waitForSlackTexts(channel.bot, dm, 1)).toEqual(["Echo: over the socket"]);
    await eventually(async () => {
      const logs = (await api("GET", `/channels/${channel.id}/logs`)).body.logs as { event: string }[];
      expect(logs.some((log) => log.event === "inbound.duplicate")).toBe(true);
    });

    const setup = (await api("GET", `/channels/${channel.id}/setup`)).body;
    const manifest = JSON.parse(setup.guide.artifact.content);
    expect(manifest.settings).toMatchObject({ socket_mode_enabled: true, event_subscriptions: { bot_events: expect.arrayContaining(["message.im"]) } });
    expect(manifest.settings.event_subscriptions.request_url).toBeUndefined();
  });

  it("refuses a token of another bot, and a start in Socket Mode without an app-level token", async () => {
    const channel = await createSlackChannel({ settings: { socketMode: true } });
    const other = await createSlackBot();
    const moved = await api("PATCH", `/channels/${channel.id}/credentials`, { credentials: { botToken: other.token } });
    expect(moved.status).toBe(400);
    expect(moved.body.error).toContain("another Slack account");
    const started = await api("POST", `/channels/${channel.id}/start`);
    expect(started.body.status).toBe("error");
    expect(started.body.reason).toContain("app-level token");
  });

  it("creates a Socket Mode channel without a signing secret, and then refuses unsigned Request URL deliveries", async () => {
    const bot = await createSlackBot();
    const appToken = `xapp-1-A1${Date.now()}-1-abcdef0123456789`;
    await acceptAppToken(appToken);
    const created = await api("POST", "/channels", { provider: "slack", workspaceId: "ws_default", credentials: { botToken: bot.token, appToken }, settings: { socketMode: true } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await api("POST", "/channels/test", { provider: "slack", credentials: { botToken: bot.token } })).status).toBe(400);
    const id = created.body.channel.id as string;
    const body = JSON.stringify(dmEvent(bot, slackId("D"), slackId("U"), "unsigned"));
    const response = await worker(`/webhooks/slack/${id}`, { method: "POST", headers: { "content-type": "application/json", "x-slack-request-timestamp": String(Math.floor(Date.now() / 1000)), "x-slack-signature": `v0=${"0".repeat(64)}` }, body });
    expect(response.status).toBe(401);
  });
});
