// The WeChat session against the fake iLink API over HTTP (test/fakes/wechat-api.ts): the QR
// login and its renewals, the getupdates long poll and the cursor it saves after the messages it
// covers, resuming from a saved cursor, replies carrying the conversation's context_token, an
// expired session that stops polling for good, and a stop that ends the held poll.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BridgeEvent } from "../../worker/bridge/protocol.ts";
import { silentLogger } from "../../bridge/src/log.ts";
import { WeChatSession, type WeChatTimings } from "../../bridge/src/wechat/session.ts";
import { startFakeProviders, type FakeProviders } from "../fakes/server.ts";
import { until } from "./support/until.ts";

const TIMINGS: WeChatTimings = { qrTtlMs: 60_000, maxQrRenewals: 2, qrPollPauseMs: 20, pollTimeoutMs: 20_000, idlePauseMs: 50, backoffMs: 20, maxBackoffMs: 100 };
let fakes: FakeProviders;
beforeAll(async () => {
  fakes = await startFakeProviders();
  fakes.wechat.qrHoldMs = 200;
  fakes.wechat.longPollMs = 10_000;
});
afterAll(() => fakes.close());

const sessions: WeChatSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.stop()));
});

function start(credentials: Record<string, string> = {}, timings = TIMINGS) {
  const events: BridgeEvent[] = [];
  const session = new WeChatSession({ channelId: "ch_wechat", credentials, options: { selfChat: false }, emit: (event) => events.push(event), log: silentLogger }, fakes.wechatApiBase, timings);
  sessions.push(session);
  void session.start();
  return { session, events };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const logins = (events: BridgeEvent[]) => events.flatMap((event) => (event.type === "login" ? [event.login] : []));
const saved = (events: BridgeEvent[]) => Object.assign({}, ...events.flatMap((event) => (event.type === "credentials" ? [event.set] : []))) as Record<string, string>;
const messageIds = (events: BridgeEvent[]) => events.flatMap((event) => (event.type === "message" ? [String(event.message.message_id)] : []));

/** A session logged in through the QR flow, polling. */
async function loggedIn() {
  const { session, events } = start();
  await until(() => logins(events).some((login) => login.state === "qr"));
  const bot = fakes.wechat.confirm();
  await until(() => logins(events).some((login) => login.state === "connected"));
  await until(() => bot.polls.length > 0);
  return { session, events, bot };
}

describe("the WeChat QR login", () => {
  it("shows iLink's QR, renews it when it expires, saves the bot token and reports the bot account", async () => {
    const { session, events } = start();
    const first = await until(() => logins(events).find((login) => login.state === "qr"));
    expect(first).toMatchObject({ state: "qr", qr: fakes.wechat.latestQr()!.imageContent });
    expect(session.status().state).toBe("awaiting-login");
    fakes.wechat.expireQr();
    await until(() => logins(events).filter((login) => login.state === "qr").length === 2);
    fakes.wechat.scan();
    await sleep(100);
    expect(logins(events).some((login) => login.state === "connected")).toBe(false);
    const bot = fakes.wechat.confirm({ userId: "wxid_owner@im.wechat" });
    const connected = await until(() => logins(events).find((login) => login.state === "connected"));
    expect(connected).toEqual({ state: "connected", account: { id: bot.botId, name: bot.botId, details: { botId: bot.botId, userId: "wxid_owner@im.wechat" } } });
    expect(events.find((event) => event.type === "credentials")).toEqual({
      type: "credentials",
      set: { token: bot.token, botId: bot.botId, userId: "wxid_owner@im.wechat", baseUrl: fakes.wechatApiBase },
      removed: [],
      replace: true,
    });
    expect(session.status().state).toBe("running");
  });

  it("gives up after the renewals, without a retry loop", async () => {
    const { session, events } = start({}, { ...TIMINGS, maxQrRenewals: 1 });
    await until(() => logins(events).filter((login) => login.state === "qr").length === 1);
    fakes.wechat.expireQr();
    await until(() => logins(events).filter((login) => login.state === "qr").length === 2);
    const issued = fakes.wechat.qrs.length;
    fakes.wechat.expireQr();
    const ended = await until(() => logins(events).find((login) => login.state === "disconnected"));
    expect(ended).toEqual({ state: "disconnected", reason: "the QR code expired without being scanned — Relogin for a new code", reconnecting: false });
    await sleep(300);
    expect(fakes.wechat.qrs.length).toBe(issued);
    expect(session.status().state).toBe("stopped");
  });
});

describe("the getupdates long poll", () => {
  it("forwards messages in order, then saves the cursor after them; an idle poll is held, not repeated", async () => {
    const { events, bot } = await loggedIn();
    const a = fakes.wechat.userSays(bot.botId, { from: "alice@im.wechat", text: "one" });
    const b = fakes.wechat.userSays(bot.botId, { from: "alice@im.wechat", text: "two" });
    await until(() => messageIds(events).length === 2);
    expect(messageIds(events)).toEqual([String(a.message_id), String(b.message_id)]);
    // The cursor entry follows the messages it covers (the queue delivers in this order).
    const cursorAt = await until(() => events.findLastIndex((event) => event.type === "credentials" && "cursor" in event.set) + 1);
    expect(cursorAt - 1).toBeGreaterThan(events.findLastIndex((event) => event.type === "message"));
    // The context token travels with the cursor, not in the forwarded message.
    expect(events.filter((event) => event.type === "message").every((event) => !("context_token" in (event as { message: object }).message))).toBe(true);
    expect(saved(events)["ctx:alice@im.wechat"]).toBe(b.context_token);

    const polls = bot.polls.length;
    await sleep(400);
    expect(bot.polls.length - polls).toBeLessThanOrEqual(1);
  });

  it("resumes from a saved cursor: nothing the channel stored comes again, nothing after it is missed", async () => {
    const first = await loggedIn();
    fakes.wechat.userSays(first.bot.botId, { from: "bob@im.wechat", text: "before" });
    await until(() => messageIds(first.events).length === 1 && saved(first.events).cursor);
    const credentials = saved(first.events);
    await first.session.stop();
    // Arrives while no bridge polls.
    const later = fakes.wechat.userSays(first.bot.botId, { from: "bob@im.wechat", text: "while away" });

    const second = start(credentials);
    await until(() => messageIds(second.events).length === 1);
    await sleep(200);
    expect(messageIds(second.events)).toEqual([String(later.message_id)]);
    expect(fakes.wechat.bot(first.bot.botId).polls.at(-1)!.cursor).not.toBe(credentials.cursor);
  });

  it("an older cursor (the channel had not stored the last batch) brings those messages again, with the same ids", async () => {
    const first = await loggedIn();
    const message = fakes.wechat.userSays(first.bot.botId, { from: "carol@im.wechat", text: "hello" });
    await until(() => messageIds(first.events).length === 1 && saved(first.events).cursor);
    const { cursor: _lost, ...credentials } = saved(first.events);
    await first.session.stop();
    const second = start(credentials);
    await until(() => messageIds(second.events).length === 1);
    expect(messageIds(second.events)).toEqual([String(message.message_id)]);
  });

  it("keeps a message without an id or a sender out of the batch, so it cannot sink the others", async () => {
    const { events, bot } = await loggedIn();
    bot.inbox.push({ seq: 1_000_000, message: { from_user_id: "gina@im.wechat", item_list: [] } });
    const good = fakes.wechat.userSays(bot.botId, { from: "gina@im.wechat", text: "readable" });
    await until(() => saved(events).cursor && messageIds(events).length === 1);
    expect(messageIds(events)).toEqual([String(good.message_id)]);
  });

  it("calls the API base the operator set, not the host iLink named at login", async () => {
    const first = await loggedIn();
    const credentials = { ...saved(first.events), baseUrl: "http://127.0.0.1:9/elsewhere" };
    await first.session.stop();
    const polls = first.bot.polls.length;
    const again = start(credentials);
    await until(() => first.bot.polls.length > polls);
    expect(again.session.status().state).toBe("running");
  });

  it("retries a failed poll with back-off, saying so, and runs again with the same cursor", async () => {
    const { session, events, bot } = await loggedIn();
    // The poll held now answers; the two after it fail.
    fakes.wechat.failPolls(bot.botId, 2);
    fakes.wechat.userSays(bot.botId, { from: "frank@im.wechat", text: "before the outage" });
    const cursor = await until(() => messageIds(events).length === 1 && saved(events).cursor);
    fakes.wechat.userSays(bot.botId, { from: "frank@im.wechat", text: "during the outage" });
    await until(() => messageIds(events).length === 2);
    // Both failed polls and the one that then succeeded asked from the same cursor.
    expect(bot.polls.filter((poll) => poll.cursor === cursor)).toHaveLength(3);
    expect(logins(events).map((login) => login.state)).toEqual(["qr", "connected", "disconnected", "connected"]);
    expect(logins(events)[2]).toMatchObject({ reconnecting: true, reason: expect.stringContaining("HTTP 502") });
    expect(session.status().state).toBe("running");
  });
});

describe("replies", () => {
  it("carry the conversation's latest context_token, also after a restart from the saved state", async () => {
    const { session, events, bot } = await loggedIn();
    await expect(session.send("dave@im.wechat", "hi")).rejects.toMatchObject({ kind: "permanent", message: expect.stringContaining("no conversation with this user") });
    fakes.wechat.userSays(bot.botId, { from: "dave@im.wechat", text: "first" });
    const latest = fakes.wechat.userSays(bot.botId, { from: "dave@im.wechat", text: "second" });
    await until(() => saved(events)["ctx:dave@im.wechat"] === latest.context_token);
    await session.send("dave@im.wechat", "answer");
    expect(bot.sent.at(-1)).toMatchObject({ to: "dave@im.wechat", text: "answer", contextToken: latest.context_token });

    await session.stop();
    const again = start(saved(events));
    await until(() => again.session.status().state === "running");
    await again.session.send("dave@im.wechat", "still here");
    expect(bot.sent.at(-1)).toMatchObject({ text: "still here", contextToken: latest.context_token });
    expect(fakes.wechat.refused).toEqual([]);
  });
});

describe("the session's end", () => {
  it("an expired session reports logged-out and stops polling for good", async () => {
    const { session, events, bot } = await loggedIn();
    fakes.wechat.expireSession(bot.botId);
    const out = await until(() => logins(events).find((login) => login.state === "logged-out"));
    expect(out).toEqual({ state: "logged-out", reason: "the WeChat bot session expired; scan a new QR code" });
    expect(session.status().state).toBe("logged-out");
    const polls = bot.polls.length;
    await sleep(500);
    expect(bot.polls.length).toBe(polls);
    expect(logins(events).filter((login) => login.state === "disconnected")).toEqual([]);
    await expect(session.send("x@im.wechat", "hi")).rejects.toMatchObject({ kind: "transient" });
  });

  it("a stop ends the held poll and polls no more", async () => {
    const { session, bot } = await loggedIn();
    await session.stop();
    const polls = bot.polls.length;
    fakes.wechat.userSays(bot.botId, { from: "erin@im.wechat", text: "anyone?" });
    await sleep(300);
    expect(bot.polls.length).toBe(polls);
    expect(session.status().state).toBe("stopped");
  });
});
