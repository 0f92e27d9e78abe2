// The Slack story, continued: mentions answered in threads under the question (once, though Slack
// sends them twice), channel chatter ignored, rate limits waited out, streamed answers completed
// with chat.update, and a stopped channel that acknowledges but does nothing.
import { describe, expect, it } from "vitest";
import { fakeOpenAi } from "../support/backend-fakes";
import { api, channelLogs, eventually } from "../support/harness";
import {
  channelEvent,
  deliverSlack,
  dmEvent,
  injectSlackFaults,
  mentionOf,
  slackCalls,
  slackId,
  slackMessages,
  startSlackChannel,
  waitForSlackTexts,
} from "../support/slack";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Slack channels", () => {
  it("answers a mention once in a thread under it, though it came as message.channels and app_mention; chatter is logged and ignored", async () => {
    const channel = await startSlackChannel({ settings: { groupPolicy: "open" } });
    const [room, user] = [slackId("C"), slackId("U")];
    const chatter = channelEvent(channel.bot, room, user, "lunch anyone?");
    const question = channelEvent(channel.bot, room, user, `<@${channel.bot.userId}> what is the deploy status?`);
    for (const body of [chatter, question, mentionOf(channel.bot, question)]) expect((await deliverSlack(channel, body)).status).toBe(200);

    await waitForSlackTexts(channel.bot, room, 1);
    await sleep(300);
    expect(await slackMessages(channel.bot, room)).toEqual([expect.objectContaining({ text: "Echo: what is the deploy status?", threadTs: question.event.ts })]);
    const logs = await channelLogs(channel.id);
    expect(logs.filter((log) => log.event === "inbound.duplicate")).toHaveLength(1);
    expect(logs.some((log) => log.event === "inbound.dropped" && log.message.includes("does not mention the bot"))).toBe(true);
  });

  it("answers a mention inside an existing thread in that thread", async () => {
    const channel = await startSlackChannel({ settings: { groupPolicy: "open" } });
    const room = slackId("C");
    const inThread = mentionOf(channel.bot, channelEvent(channel.bot, room, slackId("U"), `<@${channel.bot.userId}> and now?`, { thread_ts: "1712000000.000100" }));
    await deliverSlack(channel, inThread);
    await waitForSlackTexts(channel.bot, room, 1);
    expect((await slackCalls(channel.bot, "chat.postMessage"))[0]!.params).toEqual({ channel: room, text: "Echo: and now?", thread_ts: "1712000000.000100" });
  });
});

describe("Slack delivery", () => {
  it("waits out a 429 on chat.postMessage for Retry-After, then delivers once", async () => {
    const channel = await startSlackChannel({ settings: { dmPolicy: "open" } });
    const dm = slackId("D");
    await injectSlackFaults(channel.bot, "chat.postMessage", [{ status: 429, headers: { "retry-after": "1" }, body: { ok: false, error: "ratelimited" } }]);
    await deliverSlack(channel, dmEvent(channel.bot, dm, slackId("U"), "busy?"));
    expect(await waitForSlackTexts(channel.bot, dm, 1, 6000)).toEqual(["Echo: busy?"]);
    const posts = await slackCalls(channel.bot, "chat.postMessage");
    expect(posts).toHaveLength(2);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(950);
    expect((await channelLogs(channel.id, "warn")).filter((log) => log.event === "outbound.retry")).toHaveLength(1);
  });

  it("marks the channel in error when Slack says the token was revoked", async () => {
    const channel = await startSlackChannel({ settings: { dmPolicy: "open" } });
    await injectSlackFaults(channel.bot, "chat.postMessage", [{ status: 200, body: { ok: false, error: "token_revoked" } }]);
    await deliverSlack(channel, dmEvent(channel.bot, slackId("D"), slackId("U"), "still there?"));
    await eventually(async () =>
      expect((await api("GET", `/channels/${channel.id}`)).body.channel).toMatchObject({
        status: "error",
        statusReason: "token revoked or invalid (Slack chat.postMessage: token_revoked (the token was revoked))",
      }),
    );
  });

  it("streams a long answer into one message, edited with chat.update and completed with the full text", async () => {
    const answer = Array.from({ length: 30 }, (_, i) => `word${i}`).join(" ");
    const fake = await fakeOpenAi({ reply: answer, chunkDelayMs: 300 });
    const created = await api("POST", "/workspaces", { name: "Streaming", backend: "openai", config: { baseUrl: fake.baseUrl, model: "gpt-test" }, secrets: { apiKey: fake.apiKey! } });
    const channel = await startSlackChannel({ workspaceId: created.body.workspace.id, settings: { dmPolicy: "open" } });
    const dm = slackId("D");
    await deliverSlack(channel, dmEvent(channel.bot, dm, slackId("U"), "Tell me a long story"));

    const updates = await eventually(async () => {
      const calls = await slackCalls(channel.bot, "chat.update");
      expect(calls.at(-1)?.params.text).toBe(answer);
      return calls;
    }, 15_000);
    const posts = await slackCalls(channel.bot, "chat.postMessage");
    expect(posts).toHaveLength(1); // the preview, completed by edits: never a second copy
    expect(answer.startsWith(posts[0]!.params.text)).toBe(true);
    expect(posts[0]!.params.text.length).toBeLessThan(answer.length);
    const [message, ...others] = await slackMessages(channel.bot, dm);
    expect(others).toEqual([]);
    expect(message).toMatchObject({ text: answer, edits: updates.length });
    // Preview edits keep Slack's pace (the final completion comes from the outbox at once).
    const times = [posts[0]!.at, ...updates.map((update) => update.at)];
    for (let i = 1; i < times.length - 1; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1100);
  });

  it("after stop, acknowledges deliveries but processes nothing", async () => {
    const channel = await startSlackChannel({ settings: { dmPolicy: "open" } });
    expect((await api("POST", `/channels/${channel.id}/stop`)).body).toEqual({ status: "stopped", reason: "stopped by an admin" });
    const response = await deliverSlack(channel, dmEvent(channel.bot, slackId("D"), slackId("U"), "anyone?"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    await sleep(300);
    expect(await slackCalls(channel.bot, "chat.postMessage")).toEqual([]);
    expect((await channelLogs(channel.id)).some((log) => log.event === "inbound.dropped" && log.message === "Dropped: the channel is stopped")).toBe(true);
  });
});
