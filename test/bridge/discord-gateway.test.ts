// The bridge's Discord gateway client against the fake gateway (test/fakes/discord-gateway.ts):
// identify with the intents, heartbeats, resume after a cut, op 7 and zombie connections (every
// missed event replayed, none taken twice), invalid sessions (resume or identify anew as Discord
// says), and the close codes that must not be retried.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../bridge/src/log.ts";
import { DiscordGateway, GATEWAY_INTENTS } from "../../bridge/src/discord/gateway.ts";
import { FakeDiscordGateway } from "../fakes/discord-gateway.ts";

const fake = new FakeDiscordGateway();
let counter = 0;

beforeAll(async () => {
  await fake.listen();
});
afterAll(async () => {
  await fake.close();
});

const clients: DiscordGateway[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.stop();
  fake.ackHeartbeats = true;
  fake.heartbeatIntervalMs = 41_250;
});

async function until(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function bot(options: { messageContent?: boolean } = {}) {
  counter += 1;
  const token = `fake-bot-token-${counter}.${Date.now()}.abcdefghijklmnopqrstuvwxyz`;
  fake.addBot({ token, userId: `90000000000000${counter}`, username: `bot${counter}`, messageContent: options.messageContent ?? true });
  return token;
}

function client(token: string, options: { failOn?: (id: string) => boolean } = {}) {
  const events = { ready: 0, resumed: 0, messages: [] as string[], down: [] as { reason: string; reconnecting: boolean }[] };
  const gateway = new DiscordGateway({
    token,
    url: fake.url,
    log: silentLogger,
    timings: { backoffMs: 20, maxBackoffMs: 100, invalidSessionDelayMs: () => 30, jitter: () => 0 },
    handlers: {
      ready: () => (events.ready += 1),
      resumed: () => (events.resumed += 1),
      dispatch: (type, data) => {
        const id = (data as { id: string }).id;
        if (options.failOn?.(id)) throw new Error("disk full");
        if (type === "MESSAGE_CREATE") events.messages.push(id);
      },
      down: (reason, reconnecting) => events.down.push({ reason, reconnecting }),
    },
  });
  clients.push(gateway);
  gateway.start();
  return { gateway, events };
}

const message = (id: string) => FakeDiscordGateway.message({ id, channelId: "1000", author: { id: "2000", username: "ana" }, content: `hi ${id}` });

describe("Discord gateway client", () => {
  it("identifies with the message intents, gets READY and keeps heartbeats going", async () => {
    fake.heartbeatIntervalMs = 50;
    const token = bot();
    const before = fake.sent(1).length;
    const { gateway, events } = client(token);
    await until(() => events.ready === 1, 5000, "READY");
    const identify = fake.connections.at(-1)!.received.find((frame) => frame.op === 2)!;
    expect(identify.d.token).toBe(token);
    expect(identify.d.intents).toBe(GATEWAY_INTENTS);
    expect(GATEWAY_INTENTS & 512).toBe(512);
    expect(GATEWAY_INTENTS & 4096).toBe(4096);
    expect(GATEWAY_INTENTS & 32768).toBe(32768);
    expect(fake.connections.at(-1)!.query).toMatchObject({ v: "10", encoding: "json" });
    expect(gateway.sessionId).toBe(fake.session(token)!.id);
    await until(() => fake.sent(1).length - before >= 3, 5000, "three heartbeats");
    fake.dispatch(token, "MESSAGE_CREATE", message("m1"));
    await until(() => events.messages.length === 1);
    // Heartbeats carry the last sequence taken.
    await until(() => fake.sent(1).at(-1)!.d === gateway.seq);
  });

  it("resumes on resume_gateway_url after a cut, replaying what was missed, each event once", async () => {
    const token = bot();
    const { gateway, events } = client(token);
    await until(() => events.ready === 1);
    fake.dispatch(token, "MESSAGE_CREATE", message("a1"));
    await until(() => events.messages.length === 1);
    fake.cut(token);
    // Dispatched while the client is away: kept by the session, replayed on Resume.
    fake.dispatch(token, "MESSAGE_CREATE", message("a2"));
    fake.dispatch(token, "MESSAGE_CREATE", message("a3"));
    await until(() => events.resumed === 1, 5000, "RESUMED");
    const resume = fake.connections.at(-1)!;
    expect(resume.path).toBe("/resume");
    expect(resume.received.find((frame) => frame.op === 6)!.d).toEqual({ token, session_id: gateway.sessionId, seq: 2 });
    await until(() => events.messages.length === 3);
    fake.dispatch(token, "MESSAGE_CREATE", message("a4"));
    await until(() => events.messages.length === 4);
    expect(events.messages).toEqual(["a1", "a2", "a3", "a4"]);
    expect(events.ready).toBe(1);
    expect(events.down.every((down) => down.reconnecting)).toBe(true);
  });

  it("resumes when Discord asks for a reconnect (op 7) and when heartbeats go unanswered", async () => {
    fake.heartbeatIntervalMs = 60;
    const token = bot();
    const { events } = client(token);
    await until(() => events.ready === 1);
    fake.requestReconnect(token);
    await until(() => events.resumed === 1, 5000, "resumed after op 7");
    fake.ackHeartbeats = false;
    await until(() => events.resumed === 2, 5000, "resumed after a zombied connection");
    fake.ackHeartbeats = true;
    fake.dispatch(token, "MESSAGE_CREATE", message("z1"));
    await until(() => events.messages.includes("z1"));
    expect(events.ready).toBe(1);
  });

  it("answers Invalid Session with a Resume when resumable, and with a fresh Identify when not", async () => {
    const token = bot();
    const { gateway, events } = client(token);
    await until(() => events.ready === 1);
    const first = gateway.sessionId;
    fake.invalidate(token, true);
    await until(() => events.resumed === 1, 5000, "resumed");
    expect(gateway.sessionId).toBe(first);
    fake.invalidate(token, false);
    await until(() => events.ready === 2, 5000, "a new READY");
    expect(gateway.sessionId).not.toBe(first);
    fake.dispatch(token, "MESSAGE_CREATE", message("n1"));
    await until(() => events.messages.includes("n1"));
  });

  it("does not advance past an event it could not store: the Resume brings it again", async () => {
    const token = bot();
    let failures = 1;
    const { events } = client(token, { failOn: (id) => id === "f2" && failures-- > 0 });
    await until(() => events.ready === 1);
    fake.dispatch(token, "MESSAGE_CREATE", message("f1"));
    fake.dispatch(token, "MESSAGE_CREATE", message("f2"));
    fake.dispatch(token, "MESSAGE_CREATE", message("f3"));
    await until(() => events.messages.includes("f3"), 5000, "every event");
    expect(events.messages).toEqual(["f1", "f2", "f3"]);
  });

  it("stops for good on 4014 (Message Content intent not allowed) and on a refused token", async () => {
    const token = bot({ messageContent: false });
    const { gateway, events } = client(token);
    await until(() => events.down.length === 1, 5000, "the failure");
    expect(events.down[0]).toEqual({ reason: expect.stringContaining("Message Content Intent"), reconnecting: false });
    expect(gateway.state).toBe("failed");
    const connections = fake.connections.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.connections.length).toBe(connections);

    const refused = client("not-a-known-token.abc.defghijklmnopqrstuvwxyz");
    await until(() => refused.events.down.length === 1);
    expect(refused.events.down[0]).toEqual({ reason: expect.stringContaining("4004"), reconnecting: false });
  });

  it("closes with 1000 on stop, which ends the session on Discord's side", async () => {
    const token = bot();
    const { gateway, events } = client(token);
    await until(() => events.ready === 1);
    gateway.stop();
    await until(() => fake.connections.at(-1)!.closed !== null);
    expect(fake.connections.at(-1)!.closed!.code).toBe(1000);
    expect(fake.session(token)).toBeUndefined();
  });
});
