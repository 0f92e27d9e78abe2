// The DingTalk adapter's outbound side against the fake: credential test, replies through the
// session webhook and through the robot send API (one-to-one and group), the access-token cache,
// and how each failure DingTalk reports is classified for the outbox.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { dingTalkAdapter } from "../../worker/providers/dingtalk/adapter";
import { CredentialError, ProviderError } from "../../worker/providers/errors";
import type { ChannelContext } from "../../worker/providers/types";
import {
  conversationId,
  createDingTalkApp,
  dingtalkCalls,
  dingtalkDm,
  dingtalkMention,
  dingtalkMessages,
  expireDingTalkTokens,
  injectDingTalkFaults,
  newDingTalkUser,
  type DingTalkTestApp,
} from "../support/dingtalk";

const dingEnv = { DINGTALK_API_BASE: env.DINGTALK_API_BASE };

async function contextFor(app: DingTalkTestApp): Promise<ChannelContext> {
  const credentials = { appKey: app.appKey, appSecret: app.appSecret, robotCode: "" };
  return { channelId: `ch_${crypto.randomUUID().slice(0, 8)}`, credentials, webhookSecret: "unused", account: await dingTalkAdapter.testCredentials(credentials, dingEnv), env: dingEnv };
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

/** Plays a callback through parse, as the channel does, so its session webhook is known. */
async function received(channel: ChannelContext, body: unknown): Promise<string> {
  const parsed = dingTalkAdapter.parse(channel, { method: "POST", url: "https://x/", headers: new Headers(), rawBody: JSON.stringify(body) });
  return (parsed.events[0] as { message: { address: string } }).message.address;
}

describe("DingTalk credentials", () => {
  it("gets an access token: the account is the AppKey", async () => {
    const app = await createDingTalkApp();
    const channel = await contextFor(app);
    expect(channel.account).toEqual({ id: app.appKey, name: app.appKey, details: { robotCode: app.appKey } });
    expect((await dingtalkCalls(app, "token"))[0]!.body).toEqual({ appKey: app.appKey });
  });

  it("refuses a wrong secret with DingTalk's answer, and malformed fields before calling", async () => {
    const app = await createDingTalkApp();
    const refused = await dingTalkAdapter.testCredentials({ appKey: app.appKey, appSecret: "0123456789abcdef0123456789abcdef" }, dingEnv).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CredentialError);
    expect((refused as Error).message).toBe("DingTalk /v1.0/oauth2/accessToken: invalidClientIdOrSecret (无效的clientId或者clientSecret)");
    const issue = (input: Record<string, string>) => dingTalkAdapter.credentialsSchema.safeParse(input).error?.issues[0]?.message;
    expect(issue({ appKey: "ding key", appSecret: app.appSecret })).toMatch(/AppKey/);
    expect(issue({ appKey: app.appKey, appSecret: "short" })).toMatch(/AppSecret/);
    expect(dingTalkAdapter.credentialsSchema.parse({ appKey: app.appKey, appSecret: app.appSecret })).toEqual({ appKey: app.appKey, appSecret: app.appSecret, robotCode: "" });
  });
});

describe("DingTalk sends", () => {
  it("answers through the session webhook while it is valid, then through the robot send API", async () => {
    const app = await createDingTalkApp();
    const channel = await contextFor(app);
    const [user, group] = [newDingTalkUser(), conversationId()];
    const dmAddress = await received(channel, await dingtalkDm({ id: channel.channelId, app }, user, "hi"));
    const groupAddress = await received(channel, await dingtalkMention({ id: channel.channelId, app }, group, user, "hi all", { sessionMs: -1000 }));

    await dingTalkAdapter.sendText(channel, { address: dmAddress, text: "via the session" });
    await dingTalkAdapter.sendText(channel, { address: groupAddress, text: "via the group API" });
    expect(await dingtalkMessages(app, user.dm)).toEqual([{ conversationId: user.dm, text: "via the session", via: "session" }]);
    expect(await dingtalkMessages(app, group)).toEqual([{ conversationId: group, text: "via the group API", via: "groupSend" }]);
    expect((await dingtalkCalls(app, "groupSend"))[0]!.body).toEqual({ robotCode: app.robotCode, openConversationId: group, msgKey: "sampleText", msgParam: JSON.stringify({ content: "via the group API" }) });

    // A session DingTalk no longer accepts (errcode ≠ 0) hands over to batchSend for good.
    await injectDingTalkFaults(app, "session", [{ status: 200, body: { errcode: 300001, errmsg: "session expired" } }]);
    await dingTalkAdapter.sendText(channel, { address: dmAddress, text: "via batchSend" });
    await dingTalkAdapter.sendText(channel, { address: dmAddress, text: "again via batchSend" });
    expect((await dingtalkMessages(app, user.dm)).map((message) => [message.text, message.via])).toEqual([
      ["via the session", "session"],
      ["via batchSend", "batchSend"],
      ["again via batchSend", "batchSend"],
    ]);
    expect((await dingtalkCalls(app, "batchSend"))[0]!.body).toMatchObject({ robotCode: app.robotCode, userIds: [user.staffId], msgKey: "sampleText" });
    expect(await dingtalkCalls(app, "session")).toHaveLength(2);
  });

  it("reuses the access token and fetches a new one once when DingTalk calls it invalid", async () => {
    const app = await createDingTalkApp();
    const channel = await contextFor(app);
    const send = () => dingTalkAdapter.sendText(channel, { address: `2:${conversationId()}`, text: "hi" });
    await send();
    await send();
    expect(await dingtalkCalls(app, "token")).toHaveLength(2); // Test's own, then one for both sends
    await expireDingTalkTokens(app);
    await send();
    expect(await dingtalkCalls(app, "token")).toHaveLength(3);
    expect(await dingtalkCalls(app, "groupSend")).toHaveLength(4);
  });

  it("classifies 429, QPS limits, 5xx, refusals, flow control, a token refused twice, a reset secret and network errors", async () => {
    const app = await createDingTalkApp();
    const channel = await contextFor(app);
    const user = newDingTalkUser();
    const toGroup = () => dingTalkAdapter.sendText(channel, { address: `2:${conversationId()}`, text: "hi" });
    const invalid = { status: 400, body: { code: "InvalidAuthentication", message: "不合法的access_token" } };
    await injectDingTalkFaults(app, "groupSend", [
      { status: 429, headers: { "retry-after": "2" }, body: { code: "Throttling", message: "too many requests" } },
      { status: 403, body: { code: "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", message: "QPS limit" } },
      { status: 502, body: "<html>Bad Gateway</html>" },
      { status: 403, body: { code: "Forbidden.AccessDenied.AccessTokenPermissionDenied", message: "没有调用该接口的权限" } },
      invalid,
      invalid,
    ]);
    expect(await failureOf(toGroup())).toMatchObject({ kind: "rate-limited", retryAfterMs: 2000, message: "DingTalk /v1.0/robot/groupMessages/send: rate limited" });
    expect(await failureOf(toGroup())).toMatchObject({ kind: "rate-limited", retryAfterMs: undefined });
    expect(await failureOf(toGroup())).toMatchObject({ kind: "transient", message: "DingTalk /v1.0/robot/groupMessages/send: HTTP 502" });
    expect(await failureOf(toGroup())).toMatchObject({ kind: "permanent", message: "DingTalk /v1.0/robot/groupMessages/send: Forbidden.AccessDenied.AccessTokenPermissionDenied (没有调用该接口的权限)" });
    expect(await failureOf(toGroup())).toMatchObject({ kind: "unauthorized", message: "DingTalk /v1.0/robot/groupMessages/send: InvalidAuthentication (不合法的access_token)" });

    await injectDingTalkFaults(app, "batchSend", [{ status: 200, body: { processQueryKey: "k", invalidStaffIdList: [], flowControlledStaffIdList: [user.staffId] } }]);
    expect(await failureOf(dingTalkAdapter.sendText(channel, { address: `1:${user.dm}:${user.staffId}`, text: "hi" }))).toMatchObject({ kind: "rate-limited" });
    expect(await failureOf(dingTalkAdapter.sendText(channel, { address: `1:${user.dm}:`, text: "hi" }))).toMatchObject({ kind: "permanent" });

    const reset = { ...channel, credentials: { ...channel.credentials, appSecret: "ffffffffffffffffffffffffffffffff" } };
    expect(await failureOf(dingTalkAdapter.sendText(reset, { address: `2:${conversationId()}`, text: "hi" }))).toMatchObject({ kind: "unauthorized", message: expect.stringContaining("invalidClientIdOrSecret") });
    expect(await failureOf(dingTalkAdapter.probe!(reset))).toMatchObject({ kind: "unauthorized" });
    expect(await dingTalkAdapter.probe!(channel)).toEqual({ ok: true });
    const offline = { ...channel, env: { DINGTALK_API_BASE: "http://127.0.0.1:9" } };
    expect(await failureOf(dingTalkAdapter.sendText(offline, { address: `2:${conversationId()}`, text: "hi" }))).toMatchObject({ kind: "transient" });
  });
});
