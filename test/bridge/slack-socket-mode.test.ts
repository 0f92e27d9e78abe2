// The bridge's Slack Socket Mode client against the fake (test/fakes/slack-socket.ts, opened
// through the fake Web API's apps.connections.open): every envelope acknowledged within Slack's
// 3 s once stored, an envelope not stored left unacknowledged (Slack retries it), a new connection
// opened on `disconnect` warnings before the old one goes, drops reconnected without losing the
// events Slack held meanwhile, and the failures that must not be retried.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../bridge/src/log.ts";
import { SlackSocketMode, type SocketEnvelope } from "../../bridge/src/slack/socket-mode.ts";
import { startFakeProviders, type FakeProviders } from "../fakes/server.ts";
import { FakeSlackSocketMode } from "../fakes/slack-socket.ts";

let fakes: FakeProviders;
const socket = new FakeSlackSocketMode();
let counter = 0;

beforeAll(async () => {
  fakes = await startFakeProviders();
  await socket.listen();
  fakes.slack.socketMode = socket;
});
afterAll(async () => {
  await socket.close();
  await fakes.close();
});

const clients: SlackSocketMode[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.stop();
  socket.ackTimeoutMs = 3000;
});

async function until(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function app() {
  counter += 1;
  const token = `xapp-1-A0${counter}-${Date.now()}-abcdef0123456789`;
  socket.addApp(token, `A0${counter}`);
  return token;
}

function client(token: string, options: { failOn?: (text: string) => boolean } = {}) {
  const events = { hello: 0, envelopes: [] as SocketEnvelope[], down: [] as { reason: string; reconnecting: boolean }[] };
  const mode = new SlackSocketMode({
    appToken: token,
    apiBase: fakes.slackApiBase,
    log: silentLogger,
    timings: { backoffMs: 20, maxBackoffMs: 100, handoverMs: 300 },
    handlers: {
      hello: () => (events.hello += 1),
      envelope: (envelope) => {
        const text = ((envelope.payload?.event as { text?: string }) ?? {}).text ?? "";
        if (options.failOn?.(text)) throw new Error("disk full");
        events.envelopes.push(envelope);
      },
      down: (reason, reconnecting) => events.down.push({ reason, reconnecting }),
    },
  });
  clients.push(mode);
  mode.start();
  const texts = () => events.envelopes.map((envelope) => (envelope.payload!.event as { text: string }).text);
  return { mode, events, texts };
}

const payload = (text: string, n = 0) =>
  FakeSlackSocketMode.messagePayload({ teamId: "T1", appId: "A1", channel: "D123", user: "U42", text, ts: `1712345678.${String(100000 + n)}` });

describe("Slack Socket Mode client", () => {
  it("opens a connection with the app-level token, and acknowledges each envelope at once", async () => {
    const token = app();
    const { events, texts } = client(token);
    await until(() => events.hello === 1, 5000, "hello");
    expect(fakes.slack.calls.filter((call) => call.method === "apps.connections.open").at(-1)!.token).toBe(token);
    for (let n = 0; n < 5; n++) socket.deliver(token, payload(`hello ${n}`, n));
    await until(() => texts().length === 5);
    await until(() => socket.acks.filter((ack) => events.envelopes.some((envelope) => envelope.envelope_id === ack.envelopeId)).length === 5, 5000, "five acks");
    const mine = socket.acks.filter((ack) => events.envelopes.some((envelope) => envelope.envelope_id === ack.envelopeId));
    expect(Math.max(...mine.map((ack) => ack.latencyMs))).toBeLessThan(3000);
    expect(texts()).toEqual(["hello 0", "hello 1", "hello 2", "hello 3", "hello 4"]);
  });

  it("leaves an envelope it could not store unacknowledged, so Slack sends it again", async () => {
    socket.ackTimeoutMs = 200;
    const token = app();
    let failures = 1;
    const { events, texts } = client(token, { failOn: (text) => text === "retry me" && failures-- > 0 });
    await until(() => events.hello === 1);
    socket.deliver(token, payload("retry me"));
    await until(() => texts().includes("retry me"), 5000, "the retry");
    expect(events.envelopes.at(-1)!.retry_attempt).toBe(1);
  });

  it("opens the next connection on a disconnect warning before the old one closes, losing nothing", async () => {
    const token = app();
    const { events, texts } = client(token);
    await until(() => events.hello === 1);
    const opens = socket.opens.filter((item) => item === token).length;
    socket.disconnect(token, "refresh_requested", 1000);
    await until(() => events.hello === 2, 5000, "the second hello");
    expect(socket.opens.filter((item) => item === token).length).toBe(opens + 1);
    socket.deliver(token, payload("after refresh", 1));
    await until(() => texts().includes("after refresh"));
    socket.disconnect(token, "warning", 100);
    await until(() => events.hello === 3, 5000, "the third hello");
    await until(() => socket.connectionCount(token) === 1, 5000, "the old connections closed");
    expect(events.down).toEqual([]);
  });

  it("reconnects after a drop and receives what Slack held meanwhile", async () => {
    const token = app();
    const { events, texts } = client(token);
    await until(() => events.hello === 1);
    socket.cut(token);
    await until(() => socket.connectionCount(token) === 0);
    socket.deliver(token, payload("while away", 2));
    await until(() => events.hello === 2, 5000, "reconnected");
    await until(() => texts().includes("while away"));
    expect(events.down).toHaveLength(1);
    expect(events.down[0]!.reconnecting).toBe(true);
  });

  it("stops for good on a refused token and on link_disabled", async () => {
    const refused = client("xapp-1-unknown-0000-abcdef");
    await until(() => refused.events.down.length === 1);
    expect(refused.events.down[0]).toEqual({ reason: expect.stringContaining("invalid_auth"), reconnecting: false });
    expect(refused.mode.state).toBe("failed");

    const token = app();
    const disabled = client(token);
    await until(() => disabled.events.hello === 1);
    socket.disconnect(token, "link_disabled");
    await until(() => disabled.events.down.length === 1);
    expect(disabled.events.down[0]).toEqual({ reason: expect.stringContaining("link_disabled"), reconnecting: false });
    const opens = socket.opens.length;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(socket.opens.length).toBe(opens);
  });
});
