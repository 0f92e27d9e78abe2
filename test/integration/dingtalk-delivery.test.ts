// The DingTalk story, continued: group @mentions answered through the session webhook, expired
// sessions handed over to the robot send API (batchSend, groupMessages/send), an expired access
// token refreshed mid-conversation, 429 and 5xx waited out, a reply URL off DingTalk's hosts
// never called, and a stopped channel that acknowledges but does nothing.
import { describe, expect, it } from "vitest";
import { api, channelLogs, eventually } from "../support/harness";
import {
  conversationId,
  deliverDingTalk,
  dingtalkCalls,
  dingtalkDm,
  dingtalkMention,
  dingtalkMessages,
  expireDingTalkTokens,
  injectDingTalkFaults,
  newDingTalkUser,
  startDingTalkChannel,
  waitForDingTalkTexts,
} from "../support/dingtalk";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const EXPIRED = { sessionMs: -1000 };

describe("DingTalk groups", () => {
  it("answers an @mention through the session webhook; a message without it is dropped and logged", async () => {
    const channel = await startDingTalkChannel({ settings: { groupPolicy: "open" } });
    const [group, user] = [conversationId(), newDingTalkUser()];
    await deliverDingTalk(channel, await dingtalkMention(channel, group, user, "lunch anyone?", { extra: { isInAtList: false, atUsers: [] } }));
    await deliverDingTalk(channel, await dingtalkMention(channel, group, user, " what is the deploy status?"));
    await waitForDingTalkTexts(channel.app, group, 1);
    await sleep(300);
    expect(await dingtalkMessages(channel.app, group)).toEqual([{ conversationId: group, text: "Echo: what is the deploy status?", via: "session" }]);
    expect((await channelLogs(channel.id)).some((log) => log.event === "inbound.dropped" && log.message.includes("does not mention the bot"))).toBe(true);
  });

  it("answers through groupMessages/send once the session webhook has expired", async () => {
    const channel = await startDingTalkChannel({ settings: { groupPolicy: "open" } });
    const group = conversationId();
    await deliverDingTalk(channel, await dingtalkMention(channel, group, newDingTalkUser(), "/new Release", EXPIRED));
    expect(await waitForDingTalkTexts(channel.app, group, 1)).toEqual(["Started a new thread: Release"]);
    expect((await dingtalkMessages(channel.app, group))[0]!.via).toBe("groupSend");
    expect(await dingtalkCalls(channel.app, "session")).toEqual([]);
  });
});

describe("DingTalk delivery", () => {
  it("answers a DM through batchSend once its session has expired, and refreshes an expired access token on the way", async () => {
    const channel = await startDingTalkChannel({ settings: { dmPolicy: "open" } });
    const user = newDingTalkUser();
    await deliverDingTalk(channel, await dingtalkDm(channel, user, "first", EXPIRED));
    await waitForDingTalkTexts(channel.app, user.dm, 1);
    const tokensBefore = (await dingtalkCalls(channel.app, "token")).length;

    await expireDingTalkTokens(channel.app);
    await deliverDingTalk(channel, await dingtalkDm(channel, user, "second", EXPIRED));
    expect(await waitForDingTalkTexts(channel.app, user.dm, 2)).toEqual(["Echo: first", "Echo: second"]);
    expect((await dingtalkMessages(channel.app, user.dm)).map((message) => message.via)).toEqual(["batchSend", "batchSend"]);
    expect((await dingtalkCalls(channel.app, "token")).length).toBe(tokensBefore + 1);
    expect(await dingtalkCalls(channel.app, "batchSend")).toHaveLength(3); // the refused try, then the retry
    expect((await dingtalkCalls(channel.app, "batchSend"))[0]!.body.userIds).toEqual([user.staffId]);
    expect((await channelLogs(channel.id, "warn")).filter((log) => log.event === "outbound.retry")).toEqual([]);
  });

  it("waits out a 429 and a 503 from the robot API, and a 502 from the session webhook, then delivers once", async () => {
    const channel = await startDingTalkChannel({ settings: { dmPolicy: "open" } });
    const [viaApi, viaSession] = [newDingTalkUser(), newDingTalkUser()];
    await injectDingTalkFaults(channel.app, "batchSend", [
      { status: 429, headers: { "retry-after": "1" }, body: { code: "Throttling", message: "too many requests" } },
      { status: 503, body: "<html>Service Unavailable</html>" },
    ]);
    await injectDingTalkFaults(channel.app, "session", [{ status: 502, body: "<html>Bad Gateway</html>" }]);
    await deliverDingTalk(channel, await dingtalkDm(channel, viaApi, "busy?", EXPIRED));
    await deliverDingTalk(channel, await dingtalkDm(channel, viaSession, "there?"));
    expect(await waitForDingTalkTexts(channel.app, viaApi.dm, 1, 8000)).toEqual(["Echo: busy?"]);
    expect(await waitForDingTalkTexts(channel.app, viaSession.dm, 1, 8000)).toEqual(["Echo: there?"]);
    const sends = await dingtalkCalls(channel.app, "batchSend");
    expect(sends).toHaveLength(3);
    expect(sends[1]!.at - sends[0]!.at).toBeGreaterThanOrEqual(950);
    expect((await dingtalkMessages(channel.app, viaSession.dm))[0]!.via).toBe("session");
    const retries = (await channelLogs(channel.id, "warn")).filter((log) => log.event === "outbound.retry").map((log) => log.message);
    expect(retries.sort()).toEqual([
      "Send failed (rate-limited), retrying in 1 s: DingTalk /v1.0/robot/oToMessages/batchSend: rate limited",
      "Send failed (transient), retrying in 1 s: DingTalk session webhook: HTTP 502",
      "Send failed (transient), retrying in 2 s: DingTalk /v1.0/robot/oToMessages/batchSend: HTTP 503",
    ]);
  });

  it("never posts to a reply URL off DingTalk's hosts (the sign does not cover the body): the robot API answers", async () => {
    const channel = await startDingTalkChannel({ settings: { dmPolicy: "open" } });
    const user = newDingTalkUser();
    const forged = await dingtalkDm(channel, user, "where does this go?", { sessionWebhook: "https://attacker.example/robot/sendBySession?session=x" });
    await deliverDingTalk(channel, forged);
    expect(await waitForDingTalkTexts(channel.app, user.dm, 1)).toEqual(["Echo: where does this go?"]);
    expect((await dingtalkMessages(channel.app, user.dm))[0]!.via).toBe("batchSend");
    expect(JSON.stringify(await channelLogs(channel.id))).not.toContain("attacker.example");
  });

  it("marks the channel in error when the AppSecret no longer works", async () => {
    const channel = await startDingTalkChannel({ settings: { dmPolicy: "open" } });
    await expireDingTalkTokens(channel.app);
    await injectDingTalkFaults(channel.app, "token", [{ status: 400, body: { code: "invalidClientIdOrSecret", message: "无效的clientId或者clientSecret" } }]);
    await deliverDingTalk(channel, await dingtalkDm(channel, newDingTalkUser(), "still there?", EXPIRED));
    await eventually(async () =>
      expect((await api("GET", `/channels/${channel.id}`)).body.channel).toMatchObject({
        status: "error",
        statusReason: "token revoked or invalid (DingTalk /v1.0/oauth2/accessToken: invalidClientIdOrSecret (无效的clientId或者clientSecret))",
      }),
    );
  });

  it("after stop, acknowledges callbacks but processes nothing", async () => {
    const channel = await startDingTalkChannel({ settings: { dmPolicy: "open" } });
    expect((await api("POST", `/channels/${channel.id}/stop`)).body).toEqual({ status: "stopped", reason: "stopped by an admin" });
    const response = await deliverDingTalk(channel, await dingtalkDm(channel, newDingTalkUser(), "anyone?"));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    await sleep(300);
    expect(await dingtalkCalls(channel.app, "session")).toEqual([]);
    expect((await channelLogs(channel.id)).some((log) => log.event === "inbound.dropped" && log.message === "Dropped: the channel is stopped")).toBe(true);
  });
});
