// The Zalo Personal session against a fake zca-js (support/fake-zca.ts): the QR login with an
// image QR that renews itself, the saved login that resumes without a QR, the listener's close
// codes, messages and the friends/groups directory.
import { afterEach, describe, expect, it } from "vitest";
import type { BridgeEvent } from "../../worker/bridge/protocol.ts";
import { silentLogger } from "../../bridge/src/log.ts";
import { ZaloSession } from "../../bridge/src/zalo/session.ts";
import { FakeZalo, zaloMessage } from "./support/fake-zca.ts";
import { until } from "./support/until.ts";

const sessions: ZaloSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.stop()));
});

function start(fake: FakeZalo, credentials: Record<string, string> = {}) {
  const events: BridgeEvent[] = [];
  const session = new ZaloSession({ channelId: "ch_zalo", credentials, options: { selfChat: false }, emit: (event) => events.push(event), log: silentLogger }, fake.driver, {
    backoffMs: 20,
    maxBackoffMs: 100,
    qrTtlMs: 100_000,
  });
  sessions.push(session);
  void session.start();
  return { session, events };
}

const logins = (events: BridgeEvent[]) => events.flatMap((event) => (event.type === "login" ? [event.login] : []));

describe("the Zalo QR login", () => {
  it("shows the QR image, renews it when it expires, saves the login and reports the account", async () => {
    const fake = new FakeZalo("5000111");
    const { session, events } = start(fake);
    const qr = await until(() => logins(events).find((login) => login.state === "qr"));
    expect(qr).toMatchObject({ state: "qr", image: expect.stringMatching(/^data:image\/png;base64,iVBOR/) });
    fake.expire();
    await until(() => logins(events).filter((login) => login.state === "qr").length === 2);
    fake.confirm();
    const connected = await until(() => logins(events).find((login) => login.state === "connected"));
    expect(connected).toEqual({ state: "connected", account: { id: "5000111", name: "Lan", details: { uid: "5000111", phone: "84900000000" } } });
    expect(events.find((event) => event.type === "credentials")).toEqual({
      type: "credentials",
      set: { cookie: '[{"key":"zpw_sek","value":"secret-cookie"}]', imei: "imei-1", userAgent: "Mozilla/5.0 test" },
      removed: [],
      replace: true,
    });
    expect(session.status().state).toBe("running");
  });

  it("stops when the login is declined on the phone", async () => {
    const fake = new FakeZalo();
    const { events } = start(fake);
    await until(() => logins(events).find((login) => login.state === "qr"));
    fake.decline();
    expect(await until(() => logins(events).find((login) => login.state === "disconnected"))).toMatchObject({ reconnecting: false, reason: expect.stringContaining("declined") });
  });

  it("resumes from the saved login without a QR", async () => {
    const fake = new FakeZalo();
    const { events } = start(fake, { cookie: "[]", imei: "imei-1", userAgent: "Mozilla/5.0 test" });
    await until(() => logins(events).find((login) => login.state === "connected"));
    expect(fake.logins).toEqual(["saved"]);
    expect(logins(events).some((login) => login.state === "qr")).toBe(false);
  });
});

describe("the Zalo listener", () => {
  async function running() {
    const fake = new FakeZalo();
    const started = start(fake, { cookie: "[]", imei: "imei-1", userAgent: "UA" });
    await until(() => logins(started.events).find((login) => login.state === "connected"));
    return { fake, ...started };
  }

  it("does not fight Zalo Web opened elsewhere (3000), and needs a relogin when kicked (3003)", async () => {
    const first = await running();
    first.fake.latest.listener.emit("closed", 3000, "DuplicateConnection");
    expect(logins(first.events).at(-1)).toMatchObject({ state: "disconnected", reconnecting: false });
    const second = await running();
    second.fake.latest.listener.emit("closed", 3003, "KickConnection");
    expect(logins(second.events).at(-1)).toMatchObject({ state: "logged-out" });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(first.fake.apis).toHaveLength(1);
    expect(second.fake.apis).toHaveLength(1);
  });

  it("reconnects with the saved login after an abnormal close", async () => {
    const { fake, events } = await running();
    fake.latest.listener.emit("closed", 1006, "abnormal");
    expect(logins(events).at(-1)).toMatchObject({ state: "disconnected", reconnecting: true });
    await until(() => logins(events).filter((login) => login.state === "connected").length === 2);
    expect(fake.logins).toEqual(["saved", "saved"]);
  });

  it("forwards messages, replies by thread type with quotes, and lists friends and groups", async () => {
    const { fake, session, events } = await running();
    fake.latest.listener.emit("message", zaloMessage({ from: "7001", text: "xin chào", msgId: "111" }));
    fake.latest.listener.emit("message", zaloMessage({ from: "7002", group: "9001", text: "@Lan hi", mentions: ["5000111"], msgId: "112" }));
    expect(events.filter((event) => event.type === "message")).toHaveLength(2);
    await session.send("u:7001", "Echo: xin chào", "111");
    await session.send("g:9001", "Echo: hi");
    expect(fake.sent).toEqual([
      { content: { msg: "Echo: xin chào", quote: expect.objectContaining({ msgId: "111" }) }, threadId: "7001", type: 0 },
      { content: "Echo: hi", threadId: "9001", type: 1 },
    ]);
    expect(await session.directory()).toEqual({
      users: [
        { id: "7001", name: "An" },
        { id: "7002", name: "Binh" },
      ],
      groups: [
        { id: "9001", name: "Ops team" },
        { id: "9002", name: "Family" },
      ],
    });
  });
});
