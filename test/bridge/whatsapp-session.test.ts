// The WhatsApp session logic against a fake Baileys socket (support/fake-baileys.ts): QR login and
// the restart WhatsApp demands after a scan, the session state leaving as credential entries and
// resuming from them without a QR, the reconnect policy, the watchdog, messages in and out.
import { afterEach, describe, expect, it } from "vitest";
import type { BridgeEvent } from "../../worker/bridge/protocol.ts";
import { silentLogger } from "../../bridge/src/log.ts";
import { WhatsAppSession, type WhatsAppTimings } from "../../bridge/src/whatsapp/session.ts";
import { FakeWhatsApp, textMessage } from "./support/fake-baileys.ts";
import { until } from "./support/until.ts";

const FAST: WhatsAppTimings = { backoffMs: 20, maxBackoffMs: 100, silentMs: 50, watchdogEveryMs: 20, pingTimeoutMs: 30, qrTtlMs: 30_000 };
const sessions: WhatsAppSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.stop()));
});

function startSession(server: FakeWhatsApp, credentials: Record<string, string> = {}, timings = FAST) {
  const events: BridgeEvent[] = [];
  const session = new WhatsAppSession({ channelId: "ch_test", credentials, options: { selfChat: false }, emit: (event) => events.push(event), log: silentLogger }, server.driver, timings);
  sessions.push(session);
  return { session, events };
}

const logins = (events: BridgeEvent[]) => events.flatMap((event) => (event.type === "login" ? [event.login] : []));

/** Everything the session saved, merged as the Worker keeps it. */
function savedEntries(events: BridgeEvent[]): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const event of events) {
    if (event.type !== "credentials") continue;
    Object.assign(entries, event.set);
    for (const name of event.removed) delete entries[name];
  }
  return entries;
}

describe("the QR login", () => {
  it("shows each QR, restarts after the scan as WhatsApp demands, and reports the number", async () => {
    const server = new FakeWhatsApp("15551230000");
    const { session, events } = startSession(server);
    await session.start();
    await until(() => logins(events).find((login) => login.state === "qr"));
    expect(session.status().state).toBe("awaiting-login");
    server.showQr();
    expect(logins(events).filter((login) => login.state === "qr")).toHaveLength(2);

    await server.scan();
    const connected = await until(() => logins(events).find((login) => login.state === "connected"));
    expect(connected).toEqual({
      state: "connected",
      account: { id: "15551230000", name: "+15551230000", details: { jid: "15551230000@s.whatsapp.net", lid: "240000000000001@lid", pushName: "Ops phone" } },
    });
    expect(server.sockets).toHaveLength(2); // the restart after the scan
    expect(session.status().state).toBe("running");
    // creds and keys left as entries, never as files
    expect(Object.keys(savedEntries(events)).sort()).toEqual(["app-state-sync-key:AAAA", "creds", "pre-key:1", "pre-key:2"]);
  });

  it("gives up when the QR was never scanned and says so", async () => {
    const server = new FakeWhatsApp();
    const { session, events } = startSession(server);
    await session.start();
    await until(() => logins(events).find((login) => login.state === "qr"));
    server.close(408); // Baileys: QR refs ran out
    const last = await until(() => logins(events).find((login) => login.state === "disconnected"));
    expect(last).toEqual({ state: "disconnected", reason: "the QR code was not scanned in time — Relogin for a new one", reconnecting: false });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(server.sockets).toHaveLength(1);
  });
});

describe("a saved session", () => {
  it("resumes from the Worker's entries with no QR", async () => {
    const first = new FakeWhatsApp("15551230001");
    const login = startSession(first);
    await login.session.start();
    await until(() => logins(login.events).find((item) => item.state === "qr"));
    await first.scan();
    await until(() => logins(login.events).find((item) => item.state === "connected"));
    await login.session.stop();

    const saved = savedEntries(login.events);
    const resumed = startSession(first, saved);
    await resumed.session.start();
    await until(() => logins(resumed.events).find((item) => item.state === "connected"));
    expect(logins(resumed.events).some((item) => item.state === "qr")).toBe(false);
    // the keys came back too
    expect(await first.latest.auth.keys.get("pre-key", ["1", "2", "3"])).toEqual({ "1": { public: "p1", private: "k1" }, "2": { public: "p2", private: "k2" } });
  });

  it("sends only changed keys, and removals, as the session advances", async () => {
    const server = new FakeWhatsApp("15551230002");
    const { session, events } = startSession(server);
    await session.start();
    await until(() => logins(events).find((item) => item.state === "qr"));
    await server.scan();
    await until(() => logins(events).find((item) => item.state === "connected"));
    const before = events.length;
    await server.latest.auth.keys.set({ "pre-key": { "1": null as unknown as Record<string, unknown> }, session: { "1555.0": { r: 1 } } });
    expect(events.slice(before)).toEqual([{ type: "credentials", set: { "session:1555.0": '{"r":1}' }, removed: ["pre-key:1"], replace: false }]);
  });
});

describe("the reconnect policy", () => {
  async function running(phone: string) {
    const server = new FakeWhatsApp(phone);
    const started = startSession(server);
    await started.session.start();
    await until(() => logins(started.events).find((item) => item.state === "qr"));
    await server.scan();
    await until(() => logins(started.events).find((item) => item.state === "connected"));
    return { server, ...started };
  }

  it("stops for good when logged out from the phone", async () => {
    const { server, session, events } = await running("15551230003");
    const sockets = server.sockets.length;
    server.close(401);
    expect(logins(events).at(-1)).toEqual({ state: "logged-out", reason: "the phone unlinked this device" });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.sockets).toHaveLength(sockets);
    expect(session.status().state).toBe("logged-out");
  });

  it("does not fight a client that replaced the connection", async () => {
    const { server, session, events } = await running("15551230004");
    const sockets = server.sockets.length;
    server.close(440);
    expect(logins(events).at(-1)).toMatchObject({ state: "disconnected", reconnecting: false });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(server.sockets).toHaveLength(sockets);
    expect(session.status().state).toBe("replaced");
  });

  it("reconnects with back-off after other disconnects", async () => {
    const { server, events } = await running("15551230005");
    const sockets = server.sockets.length;
    server.close(428);
    expect(logins(events).at(-1)).toMatchObject({ state: "disconnected", reconnecting: true });
    await until(() => server.sockets.length === sockets + 1);
    await until(() => logins(events).filter((item) => item.state === "connected").length === 2);
  });

  it("reconnects a socket that is connected but silent and does not answer a ping", async () => {
    const { server, events } = await running("15551230006");
    // A silent socket that answers its ping is left alone.
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(server.sockets).toHaveLength(2);
    const sockets = server.sockets.length;
    server.latest.pingAnswers = false;
    await until(() => server.sockets.length === sockets + 1);
    expect(logins(events).find((item) => item.state === "disconnected")).toMatchObject({ reconnecting: true, reason: expect.stringContaining("no traffic") });
    await until(() => logins(events).filter((item) => item.state === "connected").length === 2);
  });
});

describe("messages", () => {
  it("forwards new messages without binary fields, and replies with quotes, typing and voice", async () => {
    const server = new FakeWhatsApp("15551230007");
    const { session, events } = startSession(server);
    await session.start();
    await until(() => logins(events).find((item) => item.state === "qr"));
    await server.scan();
    await until(() => logins(events).find((item) => item.state === "connected"));

    const incoming = textMessage({ from: "15559990000@s.whatsapp.net", text: "hello", id: "IN1" });
    await server.deliver(incoming);
    await server.deliver(textMessage({ from: "15559990000@s.whatsapp.net", text: "old", id: "IN0" }), "append");
    const messages = events.flatMap((event) => (event.type === "message" ? [event.message] : []));
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({ key: { remoteJid: "15559990000@s.whatsapp.net", id: "IN1" }, message: { conversation: "hello", messageContextInfo: { deviceListMetadata: {} } }, upsertType: "notify" });
    expect(messages[1]).toMatchObject({ upsertType: "append" });

    const { messageId } = await session.send("15559990000@s.whatsapp.net", "Echo: hello", "IN1");
    expect(server.sent.at(-1)).toMatchObject({ jid: "15559990000@s.whatsapp.net", content: { text: "Echo: hello" }, options: { quoted: { key: { id: "IN1" } } }, id: messageId });
    await session.edit("15559990000@s.whatsapp.net", messageId, "Echo: hello!");
    expect(server.sent.at(-1)!.content).toEqual({ text: "Echo: hello!", edit: { remoteJid: "15559990000@s.whatsapp.net", fromMe: true, id: messageId } });
    await session.typing("15559990000@s.whatsapp.net");
    expect(server.presence.at(-1)).toEqual({ type: "composing", jid: "15559990000@s.whatsapp.net" });
    await session.voice("15559990000@s.whatsapp.net", Buffer.from("OggS"), "audio/ogg");
    expect(server.sent.at(-1)!.content).toMatchObject({ mimetype: "audio/ogg; codecs=opus", ptt: true });

    expect(await session.directory()).toEqual({ users: [], groups: [{ id: "120363000000000001@g.us", name: "Ops room" }] });

    // The echo of our own reply in the chat (as in self-chat) is not a new message.
    const before = events.length;
    await server.deliver({ ...textMessage({ from: "15551230007@s.whatsapp.net", text: "Echo: hello", fromMe: true }), key: { remoteJid: "15551230007@s.whatsapp.net", fromMe: true, id: messageId } });
    expect(events.slice(before).filter((event) => event.type === "message")).toEqual([]);
  });

  it("refuses to send while not connected, as a transient failure", async () => {
    const server = new FakeWhatsApp("15551230008");
    const { session, events } = startSession(server);
    await session.start();
    await until(() => logins(events).find((item) => item.state === "qr"));
    await expect(session.send("1@s.whatsapp.net", "hi")).rejects.toMatchObject({ kind: "transient" });
  });
});
