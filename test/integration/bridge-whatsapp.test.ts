// WhatsApp through the bridge link, with the real hub, ChannelDO and adapter and a test bridge
// (test/support/test-bridge.ts) in place of bridge/: the QR login, messages in and replies out,
// signed and de-duplicated batches, the saved session sealed per entry and handed back on resume,
// logged out, and the impact scope of a number connected elsewhere.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { BridgeEvent } from "../../worker/bridge/protocol";
import { api, channelLogs, eventually, worker } from "../support/harness";
import { connectTestBridge, type TestBridge } from "../support/test-bridge";

let counter = 0;
const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter += 1)}`;
let bridge: TestBridge | null = null;

afterEach(() => {
  bridge?.close();
  bridge = null;
});

const newPhone = () => `1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
const OWN_LID = "987654321@lid";

function connectedEvent(phone: string): BridgeEvent {
  return {
    type: "login",
    login: { state: "connected", account: { id: phone, name: `+${phone}`, details: { jid: `${phone}:4@s.whatsapp.net`, lid: OWN_LID } } },
  };
}

function waText(options: { chat: string; text: string; participant?: string; fromMe?: boolean; mentions?: string[]; id?: string; pushName?: string }): BridgeEvent {
  return {
    type: "message",
    message: {
      key: { remoteJid: options.chat, fromMe: options.fromMe ?? false, id: options.id ?? unique("3EB0"), ...(options.participant ? { participant: options.participant } : {}) },
      message: options.mentions ? { extendedTextMessage: { text: options.text, contextInfo: { mentionedJid: options.mentions } } } : { conversation: options.text },
      messageTimestamp: Math.floor(Date.now() / 1000),
      pushName: options.pushName ?? "Ada",
      upsertType: "notify",
    },
  };
}

async function createWhatsApp(settings?: Record<string, unknown>): Promise<string> {
  const created = await api("POST", "/channels", { provider: "whatsapp", workspaceId: "ws_default", credentials: {}, ...(settings ? { settings } : {}) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.channel.id;
}

/** A channel whose QR login completed: running as `phone`. */
async function runningWhatsApp(settings?: Record<string, unknown>, phone = newPhone()): Promise<string> {
  const id = await createWhatsApp(settings);
  bridge ??= await connectTestBridge();
  expect((await api("POST", `/channels/${id}/start`)).body).toEqual({ status: "awaiting-login", reason: "waiting for the QR code to be scanned" });
  await bridge.deliver(id, "whatsapp", [connectedEvent(phone)]);
  expect((await api("GET", `/channels/${id}`)).body.channel.status).toBe("running");
  return id;
}

function sentTo(id: string, to: string): string[] {
  return bridge!.commandsFor(id, "send").flatMap((command) => (command.op === "send" && command.to === to ? [command.text] : []));
}

describe("the bridge endpoint", () => {
  it("lets in only a bridge with the shared secret, and only as a WebSocket", async () => {
    const upgrade = { upgrade: "websocket" };
    expect((await worker("/bridge/v1/connect", { headers: upgrade })).status).toBe(401);
    expect((await worker("/bridge/v1/connect", { headers: { ...upgrade, authorization: "Bearer wrong" } })).status).toBe(401);
    expect((await worker("/bridge/v1/connect", { headers: { authorization: `Bearer ${env.BRIDGE_SECRET}` } })).status).toBe(426);
    bridge = await connectTestBridge();
    await eventually(async () => expect(bridge!.welcomed).toBe(true));
  });
});

describe("a WhatsApp channel", () => {
  it("is created without a credential, logs in with a QR and records the number", async () => {
    const id = await createWhatsApp();
    const { body } = await api("GET", `/channels/${id}`);
    expect(body.channel).toMatchObject({ provider: "whatsapp", status: "stopped", account: { id: `pending:${id}` } });

    // No bridge yet: the session waits for it; the bridge's `ready` starts it.
    expect((await api("POST", `/channels/${id}/start`)).body.status).toBe("awaiting-login");
    bridge = await connectTestBridge();
    await eventually(async () => expect(bridge!.commandsFor(id, "start")).toHaveLength(1));
    expect(bridge.commandsFor(id, "start")[0]).toEqual({ op: "start", provider: "whatsapp", credentials: {}, options: { selfChat: false } });

    const expiresAt = Date.now() + 20_000;
    expect(await bridge.deliver(id, "whatsapp", [{ type: "login", login: { state: "qr", qr: "2@abc,def,ghi", expiresAt } }])).toMatchObject({ outcome: "stored" });
    expect((await api("GET", `/channels/${id}/qr`)).body).toMatchObject({ qr: { qr: "2@abc,def,ghi", expiresAt }, status: "awaiting-login", conflict: null });

    const phone = newPhone();
    await bridge.deliver(id, "whatsapp", [
      { type: "credentials", set: { creds: `{"me":{"id":"${phone}:3@s.whatsapp.net"}}`, "pre-key:1": '{"k":1}' }, removed: [], replace: false },
      connectedEvent(phone),
    ]);
    const channel = (await api("GET", `/channels/${id}`)).body.channel;
    expect(channel).toMatchObject({ status: "running", account: { id: phone, name: `+${phone}` } });
    expect((await api("GET", `/channels/${id}/qr`)).body).toEqual({ qr: null, status: "running", reason: null, account: { id: phone, name: `+${phone}` }, conflict: null });
  });

  it("publishes its QR capabilities in the catalog", async () => {
    const catalog = await api("GET", "/providers");
    const whatsapp = catalog.body.providers.find((provider: { id: string }) => provider.id === "whatsapp");
    expect(whatsapp).toMatchObject({ connection: "qr", available: true, credentialFields: [] });
    expect(whatsapp.capabilities).toMatchObject({ relogin: true, selfChat: true, edits: true, voice: true, typing: true, probe: true, loginHint: expect.stringContaining("Linked devices") });
  });

  it("answers a DM through the bridge, once however often the batch is delivered", async () => {
    const id = await runningWhatsApp({ dmPolicy: "open" });
    const message = waText({ chat: "15557654321@s.whatsapp.net", text: "hello there" });
    const [first, again] = [await bridge!.deliver(id, "whatsapp", [message]), await bridge!.deliver(id, "whatsapp", [message])];
    expect([first?.outcome, again?.outcome]).toEqual(["stored", "stored"]);
    await eventually(async () => expect(sentTo(id, "15557654321@s.whatsapp.net")).toEqual(["Echo: hello there"]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sentTo(id, "15557654321@s.whatsapp.net")).toHaveLength(1);
    expect((await channelLogs(id)).some((log) => log.event === "inbound.duplicate")).toBe(true);
  });

  it("splits a long reply at 4,000 characters and shows typing while a slow agent works", async () => {
    const slow = await api("POST", "/workspaces", { name: unique("Slow "), backend: "echo", config: { delayMs: 1500 } });
    const created = await api("POST", "/channels", { provider: "whatsapp", workspaceId: slow.body.workspace.id, credentials: {}, settings: { dmPolicy: "open" } });
    const id = created.body.channel.id as string;
    bridge ??= await connectTestBridge();
    await api("POST", `/channels/${id}/start`);
    await bridge.deliver(id, "whatsapp", [connectedEvent(newPhone())]);
    const chat = "15550000009@s.whatsapp.net";
    const long = "word ".repeat(1800).trim(); // 8,999 characters
    await bridge.deliver(id, "whatsapp", [waText({ chat, text: long })]);
    const chunks = await eventually(async () => {
      const texts = sentTo(id, chat);
      expect(texts.join("").replace(/\s+/g, " ").length).toBeGreaterThanOrEqual(`Echo: ${long}`.length - 5);
      return texts;
    }, 10_000);
    expect(chunks.length).toBe(3);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(4000);
    expect(bridge.commandsFor(id, "typing")).toContainEqual({ op: "typing", to: chat });
  });

  it("rejects a batch with a wrong signature and stores nothing", async () => {
    const id = await runningWhatsApp({ dmPolicy: "open" });
    const answer = await bridge!.deliver(id, "whatsapp", [waText({ chat: "15550000001@s.whatsapp.net", text: "forged" })], { secret: "not-the-secret" });
    expect(answer).toMatchObject({ outcome: "rejected", status: 401 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bridge!.commandsFor(id, "send")).toEqual([]);
  });

  it("keeps a send for later when the bridge is away, and retries it", async () => {
    const id = await runningWhatsApp({ dmPolicy: "open" });
    let refuse = 1;
    bridge!.handler = (_channel, command) => (command.op === "send" && refuse-- > 0 ? { ok: false, error: "the session is reconnecting", kind: "transient" } : undefined);
    await bridge!.deliver(id, "whatsapp", [waText({ chat: "15550000002@s.whatsapp.net", text: "are you there" })]);
    await eventually(async () => expect(sentTo(id, "15550000002@s.whatsapp.net")).toEqual(["Echo: are you there", "Echo: are you there"]), 6000);
    expect((await channelLogs(id, "warn")).some((log) => log.event === "outbound.retry")).toBe(true);
  });

  it("applies the group policy and require-mention", async () => {
    const phone = newPhone();
    const id = await runningWhatsApp({ groupPolicy: "open" }, phone);
    const group = "120363000000000001@g.us";
    await bridge!.deliver(id, "whatsapp", [
      waText({ chat: group, participant: "15550000003@s.whatsapp.net", text: "just chatting" }),
      waText({ chat: group, participant: "15550000003@s.whatsapp.net", text: `@${phone} status?`, mentions: [`${phone}@s.whatsapp.net`] }),
      waText({ chat: group, participant: "15550000004@s.whatsapp.net", text: "@lid mention", mentions: [OWN_LID] }),
    ]);
    await eventually(async () => expect(sentTo(id, group)).toEqual([`Echo: @${phone} status?`, "Echo: @lid mention"]));
    expect((await channelLogs(id)).some((log) => log.event === "inbound.dropped" && log.message.includes("does not mention"))).toBe(true);
  });

  it("answers in the account's own chat only in self-chat mode", async () => {
    const phone = newPhone();
    const own = `${phone}@s.whatsapp.net`;
    const id = await runningWhatsApp({ dmPolicy: "open" }, phone);
    await bridge!.deliver(id, "whatsapp", [waText({ chat: own, fromMe: true, text: "note to self" })]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sentTo(id, own)).toEqual([]);
    expect((await channelLogs(id)).some((log) => log.event === "inbound.ignored" && log.message.includes("self-chat mode is off"))).toBe(true);

    await api("PATCH", `/channels/${id}`, { settings: { selfChat: true } });
    await bridge!.deliver(id, "whatsapp", [waText({ chat: own, fromMe: true, text: "test entry" })]);
    await eventually(async () => expect(sentTo(id, own)).toEqual(["Echo: test entry"]));
  });
});

describe("the saved session", () => {
  it("is sealed entry by entry in the channel's object and handed back when the bridge reconnects", async () => {
    const id = await runningWhatsApp();
    await bridge!.deliver(id, "whatsapp", [
      { type: "credentials", set: { creds: '{"registered":true}', "session:15557654321.0": '{"ratchet":"A"}', "pre-key:7": "x" }, removed: [], replace: false },
      { type: "credentials", set: { "session:15557654321.0": '{"ratchet":"B"}' }, removed: ["pre-key:7"], replace: false },
    ]);
    const stored = await runInDurableObject(env.CHANNEL.getByName(id), async (_instance, state) =>
      state.storage.sql.exec<{ name: string; sealed: string }>("SELECT name, sealed FROM credential_entries ORDER BY name").toArray(),
    );
    expect(stored.map((row) => row.name)).toEqual(["creds", "session:15557654321.0"]);
    for (const row of stored) {
      expect(row.sealed).toMatch(/^v1\./);
      expect(row.sealed).not.toContain("ratchet");
    }

    // The bridge restarts (nothing alive): the hub resumes the channel with the saved entries.
    bridge!.close();
    bridge = await connectTestBridge();
    await eventually(async () => expect(bridge!.commandsFor(id, "start")).toHaveLength(1));
    expect(bridge.commandsFor(id, "start")[0]).toMatchObject({
      op: "start",
      credentials: { creds: '{"registered":true}', "session:15557654321.0": '{"ratchet":"B"}' },
    });

    // A bridge that reconnects with the session still alive gets no second start.
    bridge.close();
    bridge = await connectTestBridge({ sessions: [{ channelId: id, provider: "whatsapp" }] });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bridge.commandsFor(id, "start")).toEqual([]);
  });

  it("ends with a logout: error, saved session gone, no resume", async () => {
    const id = await runningWhatsApp();
    await bridge!.deliver(id, "whatsapp", [{ type: "credentials", set: { creds: "{}" }, removed: [], replace: false }]);
    await bridge!.deliver(id, "whatsapp", [{ type: "login", login: { state: "logged-out", reason: "the phone removed this linked device" } }]);
    const channel = (await api("GET", `/channels/${id}`)).body.channel;
    expect(channel.status).toBe("error");
    expect(channel.statusReason).toBe("logged out — relogin needed (the phone removed this linked device)");
    const entries = await runInDurableObject(env.CHANNEL.getByName(id), async (_instance, state) => state.storage.sql.exec("SELECT name FROM credential_entries").toArray());
    expect(entries).toEqual([]);

    bridge!.close();
    bridge = await connectTestBridge();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(bridge.commandsFor(id, "start")).toEqual([]);

    // Relogin: the old session is logged out and a new QR login begins, settings kept.
    expect((await api("POST", `/channels/${id}/relogin`)).body.status).toBe("awaiting-login");
    expect(bridge.commandsFor(id).map((command) => command.op)).toEqual(["logout", "start"]);
    expect(bridge.commandsFor(id, "start")[0]).toMatchObject({ credentials: {} });
  });

  it("carries out a relogin made while the bridge was away once it is back, even if it kept the old session", async () => {
    const id = await runningWhatsApp();
    bridge!.close();
    const hub = env.BRIDGE_HUB.getByName("hub");
    await eventually(async () => expect((await hub.status()).connected).toBe(false));
    expect((await api("POST", `/channels/${id}/relogin`)).body.status).toBe("awaiting-login");

    bridge = await connectTestBridge({ sessions: [{ channelId: id, provider: "whatsapp" }] });
    await eventually(async () => expect(bridge!.commandsFor(id).map((command) => command.op)).toEqual(["logout", "start"]));
    expect(bridge.commandsFor(id, "start")[0]).toMatchObject({ credentials: {} });
  });

  it("stays stopped when a login event arrives after the stop", async () => {
    const phone = newPhone();
    const id = await runningWhatsApp({}, phone);
    expect((await api("POST", `/channels/${id}/stop`)).body.status).toBe("stopped");
    expect(bridge!.commandsFor(id).at(-1)).toEqual({ op: "stop" });
    await bridge!.deliver(id, "whatsapp", [{ type: "login", login: { state: "qr", qr: "2@late", expiresAt: Date.now() + 20_000 } }, connectedEvent(phone)]);
    expect((await api("GET", `/channels/${id}`)).body.channel.status).toBe("stopped");
    expect((await api("GET", `/channels/${id}/qr`)).body.qr).toBeNull();
  });

  it("reports a replaced connection as an error without reconnecting, and a dropped one as reconnecting", async () => {
    const phone = newPhone();
    const id = await runningWhatsApp({}, phone);
    await bridge!.deliver(id, "whatsapp", [{ type: "login", login: { state: "disconnected", reason: "connection lost (408)", reconnecting: true } }]);
    expect((await api("GET", `/channels/${id}`)).body.channel).toMatchObject({ status: "starting", statusReason: "reconnecting: connection lost (408)" });
    await bridge!.deliver(id, "whatsapp", [connectedEvent(phone)]);
    expect((await api("GET", `/channels/${id}`)).body.channel.status).toBe("running");
    const reason = "connection replaced — another WhatsApp Web client took over this session";
    await bridge!.deliver(id, "whatsapp", [{ type: "login", login: { state: "disconnected", reason, reconnecting: false } }]);
    expect((await api("GET", `/channels/${id}`)).body.channel).toMatchObject({ status: "error", statusReason: reason });
  });

  it("shows a bridge that stays away as an error on the channel, and runs again once it is back", async () => {
    const phone = newPhone();
    const id = await runningWhatsApp({}, phone);
    bridge!.close();
    bridge = null;
    const hub = env.BRIDGE_HUB.getByName("hub");
    await eventually(async () => expect((await hub.status()).connected).toBe(false));
    // The grace period is over (the hub's alarm): the channel says the bridge is gone.
    expect(await runDurableObjectAlarm(hub)).toBe(true);
    const { body } = await api("GET", `/channels/${id}`);
    expect(body.channel.status).toBe("error");
    expect(body.channel.statusReason).toMatch(/^the bridge is not connected since /);

    bridge = await connectTestBridge();
    await eventually(async () => expect(bridge!.commandsFor(id, "start")).toHaveLength(1));
    await bridge.deliver(id, "whatsapp", [connectedEvent(phone)]);
    expect((await api("GET", `/channels/${id}`)).body.channel.status).toBe("running");
  });
});

describe("deleting a WhatsApp channel", () => {
  it("logs the session out, so the linked device disappears from the phone", async () => {
    const id = await runningWhatsApp();
    expect((await api("DELETE", `/channels/${id}`)).status).toBe(200);
    expect(bridge!.commandsFor(id).at(-1)).toEqual({ op: "logout" });
    expect((await env.BRIDGE_HUB.getByName("hub").status()).sessions.map((session) => session.channelId)).not.toContain(id);
  });
});

describe("a number connected to another channel", () => {
  it("stops the new channel with the impact at login, and moves the number only when forced", async () => {
    const phone = newPhone();
    const first = await runningWhatsApp({}, phone);
    const second = await createWhatsApp();
    await api("POST", `/channels/${second}/start`);
    await bridge!.deliver(second, "whatsapp", [connectedEvent(phone)]);

    const view = (await api("GET", `/channels/${second}/qr`)).body;
    expect(view.status).toBe("error");
    expect(view.reason).toContain(`is connected to channel ${first}`);
    expect(view.conflict).toMatchObject({ account: { id: phone }, channels: [{ channelId: first }] });
    expect(bridge!.commandsFor(second, "stop")).toHaveLength(1);
    expect((await api("GET", `/channels/${first}`)).body.channel.status).toBe("running");

    expect((await api("POST", `/channels/${second}/start`, { force: true })).status).toBe(200);
    await bridge!.deliver(second, "whatsapp", [connectedEvent(phone)]);
    expect((await api("GET", `/channels/${second}`)).body.channel).toMatchObject({ status: "running", account: { id: phone } });
    const stopped = (await api("GET", `/channels/${first}`)).body.channel;
    expect(stopped).toMatchObject({ status: "stopped", statusReason: `account +${phone} was connected to channel ${second}` });
  });
});
