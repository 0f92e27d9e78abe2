// The Lark story, continued: group mentions answered with the reply API (chatter dropped, other
// apps ignored), an expired tenant_access_token refreshed mid-conversation, 429 and 5xx waited
// out, a lost response retried with the same uuid (one message), and a stopped channel that
// acknowledges but does nothing.
import { describe, expect, it } from "vitest";
import { api, channelLogs, eventually } from "../support/harness";
import {
  deliverLark,
  expireLarkTokens,
  injectLarkFaults,
  larkCalls,
  larkDm,
  larkId,
  larkMention,
  larkMessage,
  larkMessages,
  startLarkChannel,
  waitForLarkTexts,
} from "../support/lark";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("Lark groups", () => {
  it("answers a mention with a reply to the question, mention removed; chatter is dropped and logged", async () => {
    const channel = await startLarkChannel({ settings: { groupPolicy: "open" } });
    const [group, user] = [larkId("oc_"), larkId("ou_")];
    const chatter = larkMessage(channel, { id: group, type: "group" }, user, "lunch anyone?");
    const question = larkMention(channel, group, user, "what is the deploy status?");
    for (const body of [chatter, question]) expect((await deliverLark(channel, body)).status).toBe(200);

    await waitForLarkTexts(channel.app, group, 1);
    await sleep(300);
    expect(await larkMessages(channel.app, group)).toEqual([expect.objectContaining({ text: "Echo: what is the deploy status?", parentId: question.event.message.message_id })]);
    expect((await larkCalls(channel.app, "message.reply"))[0]!.path).toBe(`/open-apis/im/v1/messages/${question.event.message.message_id}/reply`);
    expect((await channelLogs(channel.id)).some((log) => log.event === "inbound.dropped" && log.message.includes("does not mention the bot"))).toBe(true);
  });

  it("runs commands addressed with a mention (@bot /new) and ignores other apps' messages", async () => {
    const channel = await startLarkChannel({ settings: { groupPolicy: "open" } });
    const group = larkId("oc_");
    await deliverLark(channel, larkMention(channel, group, larkId("ou_"), "/new Release"));
    expect(await waitForLarkTexts(channel.app, group, 1)).toEqual(["Started a new thread: Release"]);

    const fromApp = larkMention(channel, group, larkId("ou_"), "build passed");
    fromApp.event.sender.sender_type = "app";
    expect((await deliverLark(channel, fromApp)).status).toBe(200);
    await eventually(async () => expect((await channelLogs(channel.id)).some((log) => log.message === "Ignored: message from an app or bot")).toBe(true));
    expect(await larkMessages(channel.app, group)).toHaveLength(1);
  });
});

describe("Lark delivery", () => {
  it("refreshes an expired tenant_access_token mid-conversation: Lark's 99991663, a new token, the reply sent once", async () => {
    const channel = await startLarkChannel({ settings: { dmPolicy: "open" } });
    const [chat, user] = [larkId("oc_"), larkId("ou_")];
    await deliverLark(channel, larkDm(channel, chat, user, "first"));
    await waitForLarkTexts(channel.app, chat, 1);
    const tokensBefore = (await larkCalls(channel.app, "token")).length;

    await expireLarkTokens(channel.app);
    await deliverLark(channel, larkDm(channel, chat, user, "second"));
    expect(await waitForLarkTexts(channel.app, chat, 2)).toEqual(["Echo: first", "Echo: second"]);
    expect((await larkCalls(channel.app, "token")).length).toBe(tokensBefore + 1);
    expect(await larkCalls(channel.app, "message.create")).toHaveLength(3); // the refused try, then the retry
    expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("running");
    expect((await channelLogs(channel.id, "warn")).filter((log) => log.event === "outbound.retry")).toEqual([]);
  });

  it("waits out a 429 for x-ogw-ratelimit-reset and a 503 with back-off, then delivers once", async () => {
    const channel = await startLarkChannel({ settings: { dmPolicy: "open" } });
    const chat = larkId("oc_");
    await injectLarkFaults(channel.app, "message.create", [
      { status: 429, headers: { "x-ogw-ratelimit-limit": "5", "x-ogw-ratelimit-reset": "1" }, body: { code: 99991400, msg: "request trigger frequency limit" } },
      { status: 503, body: "<html>Service Unavailable</html>" },
    ]);
    await deliverLark(channel, larkDm(channel, chat, larkId("ou_"), "busy?"));
    expect(await waitForLarkTexts(channel.app, chat, 1, 8000)).toEqual(["Echo: busy?"]);
    const creates = await larkCalls(channel.app, "message.create");
    expect(creates).toHaveLength(3);
    expect(creates[1]!.at - creates[0]!.at).toBeGreaterThanOrEqual(950);
    expect(new Set(creates.map((call) => call.body.uuid)).size).toBe(1);
    expect((await channelLogs(channel.id, "warn")).filter((log) => log.event === "outbound.retry").map((log) => log.message)).toEqual([
      "Send failed (transient), retrying in 2 s: Lark /open-apis/im/v1/messages: HTTP 503",
      "Send failed (rate-limited), retrying in 1 s: Lark /open-apis/im/v1/messages: rate limited",
    ]);
  });

  it("sends once when Lark posted the message but the response was lost: the retry carries the same uuid", async () => {
    const channel = await startLarkChannel({ settings: { dmPolicy: "open" } });
    const chat = larkId("oc_");
    await injectLarkFaults(channel.app, "message.create", [{ status: 502, body: "<html>Bad Gateway</html>", afterSending: true }]);
    await deliverLark(channel, larkDm(channel, chat, larkId("ou_"), "exactly once"));
    await eventually(async () => expect(await larkCalls(channel.app, "message.create")).toHaveLength(2), 6000);
    await sleep(200);
    expect((await larkMessages(channel.app, chat)).map((message) => message.text)).toEqual(["Echo: exactly once"]);
    expect((await channelLogs(channel.id)).some((log) => log.event === "outbound.sent")).toBe(true);
  });

  it("marks the channel in error when the app secret no longer works", async () => {
    const channel = await startLarkChannel({ settings: { dmPolicy: "open" } });
    await expireLarkTokens(channel.app);
    await injectLarkFaults(channel.app, "token", [{ status: 400, body: { code: 10014, msg: "app secret invalid" } }]);
    await deliverLark(channel, larkDm(channel, larkId("oc_"), larkId("ou_"), "still there?"));
    await eventually(async () =>
      expect((await api("GET", `/channels/${channel.id}`)).body.channel).toMatchObject({
        status: "error",
        statusReason: "token revoked or invalid (Lark /open-apis/auth/v3/tenant_access_token/internal: code 10014 (app secret invalid))",
      }),
    );
  });

  it("after stop, acknowledges deliveries but processes nothing", async () => {
    const channel = await startLarkChannel({ settings: { dmPolicy: "open" } });
    expect((await api("POST", `/channels/${channel.id}/stop`)).body).toEqual({ status: "stopped", reason: "stopped by an admin" });
    const response = await deliverLark(channel, larkDm(channel, larkId("oc_"), larkId("ou_"), "anyone?"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    await sleep(300);
    expect(await larkCalls(channel.app, "message.create")).toEqual([]);
    expect((await channelLogs(channel.id)).some((log) => log.event === "inbound.dropped" && log.message === "Dropped: the channel is stopped")).toBe(true);
  });
});
