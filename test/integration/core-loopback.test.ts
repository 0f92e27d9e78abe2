// The core through the provider seam, with a provider that has no wire format of its own
// (test/support/loopback-provider.ts): manual connect, pairing, commands, catch-up, a command
// overtaking a running agent turn, redelivery, send retries, stop.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ProviderError } from "../../worker/providers/errors";
import { loopbackFaults, loopbackSent } from "../support/loopback-provider";
import { api, channelLogs, eventually, worker } from "../support/harness";

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter += 1)}`;

interface Loopback {
  id: string;
  secret: string;
}

async function createLoopback(options: { workspaceId?: string; settings?: Record<string, unknown> } = {}): Promise<Loopback> {
  const secret = unique("secret-");
  const created = await api("POST", "/channels", {
    provider: "loopback",
    workspaceId: options.workspaceId ?? "ws_default",
    credentials: { secret, account: unique("acct") },
    ...(options.settings ? { settings: options.settings } : {}),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: created.body.channel.id, secret };
}

async function startLoopback(options?: Parameters<typeof createLoopback>[0]): Promise<Loopback> {
  const channel = await createLoopback(options);
  await api("POST", `/channels/${channel.id}/start`);
  return channel;
}

function send(channel: Loopback, events: Record<string, unknown>[], secret = channel.secret) {
  return worker(`/webhooks/loopback/${channel.id}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-loopback-secret": secret },
    body: JSON.stringify({ events }),
  });
}

const dm = (user: string, text: string, id = unique("ev")) => ({ id, chat: { id: `c-${user}`, type: "direct" }, sender: { id: user, name: user }, text });

function textsTo(channel: Loopback, address: string): string[] {
  return loopbackSent.filter((item) => item.channelId === channel.id && item.address === address).map((item) => item.text);
}

async function waitForTexts(channel: Loopback, address: string, count: number, timeoutMs?: number): Promise<string[]> {
  return eventually(async () => {
    const texts = textsTo(channel, address);
    expect(texts.length).toBeGreaterThanOrEqual(count);
    return texts;
  }, timeoutMs);
}

describe("a manually connected provider", () => {
  it("starts as 'starting' with the URL and steps to paste, and runs once the provider calls", async () => {
    const channel = await createLoopback();
    const started = await api("POST", `/channels/${channel.id}/start`);
    expect(started.body).toEqual({ status: "starting", reason: "waiting for Loopback to call the webhook URL (see the setup steps)" });
    const setup = await api("GET", `/channels/${channel.id}/setup`);
    const url = `https://switchboard.example/webhooks/loopback/${channel.id}`;
    expect(setup.body).toEqual({ webhookUrl: url, guide: { steps: [`Point the loopback sender at ${url}`] } });

    // A wrong secret proves nothing: still starting, and nothing stored.
    expect((await send(channel, [dm("u0", "hi")], "wrong-secret")).status).toBe(401);
    expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("starting");

    const response = await send(channel, []);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: 0 });
    expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("running");
    expect(textsTo(channel, "c-u0")).toEqual([]);
  });

  it("publishes its capabilities in the catalog, and token channels have no relogin or QR", async () => {
    const catalog = await api("GET", "/providers");
    const loopback = catalog.body.providers.find((provider: { id: string }) => provider.id === "loopback");
    expect(loopback.capabilities).toMatchObject({
      commandSyntax: "slash",
      limits: { maxTextLength: 500, editIntervalMs: 200 },
      edits: true,
      voice: false,
      typing: false,
      manualSetup: true,
      relogin: false,
    });
    const telegram = catalog.body.providers.find((provider: { id: string }) => provider.id === "telegram");
    expect(telegram.capabilities).toMatchObject({ voice: true, typing: true, manualSetup: false, relogin: false });
    const channel = await createLoopback();
    expect((await api("POST", `/channels/${channel.id}/relogin`)).status).toBe(400);
    expect((await api("GET", `/channels/${channel.id}/qr`)).status).toBe(400);
  });
});

describe("the core through the seam", () => {
  it("pairs an unknown user, answers the held message on approval, and runs the commands", async () => {
    const channel = await startLoopback();
    await send(channel, [dm("ada", "What is on today?")]);
    const [pairingText] = await waitForTexts(channel, "c-ada", 1);
    expect(pairingText).toMatch(/pairing code is [2-9A-HJ-NP-Z]{8}/);

    const { body } = await api("GET", `/channels/${channel.id}/pairing`);
    expect((await api("POST", `/channels/${channel.id}/pairing/${body.requests[0].id}/approve`)).status).toBe(200);
    expect((await waitForTexts(channel, "c-ada", 3)).slice(1)).toEqual(["You're approved! You are now connected to Default (echo).", "Echo: What is on today?"]);

    await send(channel, [dm("ada", "/new Plans")]);
    expect((await waitForTexts(channel, "c-ada", 4))[3]).toBe("Started a new thread: Plans");
    await send(channel, [dm("ada", "/threads")]);
    expect((await waitForTexts(channel, "c-ada", 5))[4]).toBe(
      ["Your threads:", "1. Plans (active)", "2. What is on today?", "", "Use /switch <n> to change thread."].join("\n"),
    );
  });

  it("answers a command sent while a slow turn runs first; the late answer is held, announced on /switch, delivered by /more", async () => {
    const slow = await api("POST", "/workspaces", { name: unique("Slow "), backend: "echo", config: { delayMs: 2000 } });
    const channel = await startLoopback({ workspaceId: slow.body.workspace.id, settings: { dmPolicy: "open" } });
    await send(channel, [dm("bo", "Summarise the incident")]);
    // Half a second later the turn is running and nothing else waits in the chat.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await send(channel, [dm("bo", "/new Other topic")]);
    const answeredAt = Date.now();
    expect(await waitForTexts(channel, "c-bo", 1, 1200)).toEqual(["Started a new thread: Other topic"]);
    expect(Date.now() - answeredAt).toBeLessThan(1200);

    await eventually(async () => {
      const held = await env.DB.prepare("SELECT text FROM missed_replies WHERE channel_id = ?").bind(channel.id).all();
      expect(held.results).toEqual([{ text: "Echo: Summarise the incident" }]);
    });
    expect(textsTo(channel, "c-bo")).not.toContain("Echo: Summarise the incident");
    await send(channel, [dm("bo", "/threads")]);
    await waitForTexts(channel, "c-bo", 2);
    await send(channel, [dm("bo", "/switch 1")]);
    expect((await waitForTexts(channel, "c-bo", 3))[2]).toBe("Switched to: Summarise the incident\n1 reply while you were away. Use /more to read all.");
    await send(channel, [dm("bo", "/more")]);
    expect((await waitForTexts(channel, "c-bo", 4))[3]).toBe("Echo: Summarise the incident");
  });

  it("stores an event delivered three times at once, and in a later retry, once: one reply", async () => {
    const channel = await startLoopback({ settings: { dmPolicy: "open" } });
    const event = dm("cy", "only once");
    const responses = await Promise.all([send(channel, [event]), send(channel, [event]), send(channel, [event])]);
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    await waitForTexts(channel, "c-cy", 1);
    await send(channel, [event]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(textsTo(channel, "c-cy")).toEqual(["Echo: only once"]);
    // Three redeliveries, one log entry: repeats within a minute are counted, not written again.
    expect((await channelLogs(channel.id)).filter((log) => log.event === "inbound.duplicate")).toHaveLength(1);
  });

  it("waits out a rate limit and a server error before sending, in order", async () => {
    const channel = await startLoopback({ settings: { dmPolicy: "open" } });
    loopbackFaults.push(new ProviderError("rate-limited", "slow down", 300), new ProviderError("transient", "HTTP 502"));
    await send(channel, [dm("di", "first"), dm("di", "second")]);
    expect(await waitForTexts(channel, "c-di", 2, 6000)).toEqual(["Echo: first", "Echo: second"]);
    const retries = (await channelLogs(channel.id, "warn")).filter((log) => log.event === "outbound.retry");
    expect(retries).toHaveLength(2);
  });

  it("replies under a threaded group question, and ignores a group message without a mention", async () => {
    const channel = await startLoopback({ settings: { groupPolicy: "open" } });
    const group = (text: string, mentioned: boolean) => ({ id: unique("g"), chat: { id: "room", type: "group" }, sender: { id: "ed" }, text, mentioned, threaded: true });
    const asked = group("status?", true);
    await send(channel, [group("chatter", false), asked]);
    expect(await waitForTexts(channel, `room/${asked.id}`, 1)).toEqual(["Echo: status?"]);
    expect(loopbackSent.filter((item) => item.channelId === channel.id)).toHaveLength(1);
    expect((await channelLogs(channel.id)).some((log) => log.event === "inbound.dropped" && log.message.includes("does not mention"))).toBe(true);
  });

  it("after stop, acknowledges deliveries but processes nothing", async () => {
    const channel = await startLoopback({ settings: { dmPolicy: "open" } });
    await api("POST", `/channels/${channel.id}/stop`);
    expect((await send(channel, [dm("fi", "anyone?")])).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(textsTo(channel, "c-fi")).toEqual([]);
  });
});

describe("session events through the seam", () => {
  function report(channel: Loopback, payload: Record<string, unknown>, secret = channel.secret) {
    return worker(`/webhooks/loopback/${channel.id}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-loopback-secret": secret },
      body: JSON.stringify({ events: [], ...payload }),
    });
  }
  const status = async (channel: Loopback) => (await api("GET", `/channels/${channel.id}`)).body.channel;

  it("a QR puts the channel in awaiting-login; connected records the account and runs it; logged-out asks for a relogin", async () => {
    const channel = await startLoopback();
    await report(channel, { login: { state: "qr", qr: "2@abc", expiresAt: Date.now() + 60_000 } });
    expect(await status(channel)).toMatchObject({ status: "awaiting-login", statusReason: "waiting for the QR code to be scanned" });

    await report(channel, { login: { state: "connected", account: { id: "+15550100", name: "+1 555 0100", details: { platform: "test" } } } });
    expect(await status(channel)).toMatchObject({ status: "running", account: { id: "+15550100", name: "+1 555 0100" } });

    await report(channel, { login: { state: "logged-out", reason: "the phone unlinked this device" } });
    expect(await status(channel)).toMatchObject({ status: "error", statusReason: "logged out — relogin needed (the phone unlinked this device)" });
  });

  it("renewed credentials are sealed in D1 and used from then on", async () => {
    const channel = await startLoopback({ settings: { dmPolicy: "open" } });
    const before = await env.DB.prepare("SELECT credentials_enc AS sealed FROM channels WHERE id = ?").bind(channel.id).first<{ sealed: string }>();
    const renewed = unique("renewed-secret-");
    expect((await report(channel, { credentials: { secret: renewed, account: "acct" } })).status).toBe(200);
    const after = await env.DB.prepare("SELECT credentials_enc AS sealed FROM channels WHERE id = ?").bind(channel.id).first<{ sealed: string }>();
    expect(after!.sealed).not.toBe(before!.sealed);
    expect(after!.sealed).not.toContain(renewed);
    // The old secret no longer verifies; the renewed one does, also after the object reloads.
    expect((await send(channel, [dm("gi", "old")])).status).toBe(401);
    await api("PATCH", `/channels/${channel.id}`, { displayName: "reloaded" });
    expect((await send(channel, [dm("gi", "new")], renewed)).status).toBe(200);
    expect(await waitForTexts(channel, "c-gi", 1)).toEqual(["Echo: new"]);
  });
});
