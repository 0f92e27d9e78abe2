// The Lark adapter's outbound side against the fake Open Platform: credential test, sends into
// chats and replies (with a uuid per queued message), the tenant_access_token cache, and how each
// failure Lark reports is classified for the outbox.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CredentialError, ProviderError } from "../../worker/providers/errors";
import { larkAdapter } from "../../worker/providers/lark/adapter";
import { larkAppOf } from "../../worker/providers/lark/api";
import { larkUuid } from "../../worker/providers/lark/send";
import type { ChannelContext } from "../../worker/providers/types";
import { createLarkApp, expireLarkTokens, injectLarkFaults, larkCalls, larkId, larkMessages, recallLarkMessage, setLarkTokenLifetime, type LarkTestApp } from "../support/lark";

const larkEnv = { LARK_API_BASE: env.LARK_API_BASE };
const credentialsOf = (app: LarkTestApp) => ({ domain: "open.feishu.cn", appId: app.appId, appSecret: app.appSecret, verificationToken: "verification", encryptKey: "encrypt-key" });

async function contextFor(app: LarkTestApp): Promise<ChannelContext> {
  const credentials = credentialsOf(app);
  return { channelId: `ch_${crypto.randomUUID().slice(0, 8)}`, credentials, webhookSecret: "unused", account: await larkAdapter.testCredentials(credentials, larkEnv), env: larkEnv };
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("Lark credentials", () => {
  it("fetches a tenant_access_token and the bot's identity: the account is the app, the bot's open_id kept", async () => {
    const app = await createLarkApp();
    const channel = await contextFor(app);
    expect(channel.account).toEqual({ id: app.appId, name: "Switchboard", details: { openId: app.openId, appName: "Switchboard", activateStatus: 2, domain: "open.feishu.cn" } });
    expect((await larkCalls(app)).map((call) => call.op)).toEqual(["token", "bot.info"]);
  });

  it("refuses a wrong secret or an unknown app with Lark's answer, and malformed fields before calling", async () => {
    const app = await createLarkApp();
    const refused = (credentials: Record<string, string>) => larkAdapter.testCredentials(credentials, larkEnv).catch((error: unknown) => error);
    const wrongSecret = await refused({ ...credentialsOf(app), appSecret: "0123456789abcdef0123456789abcdef" });
    expect(wrongSecret).toBeInstanceOf(CredentialError);
    expect((wrongSecret as Error).message).toBe("Lark /open-apis/auth/v3/tenant_access_token/internal: code 10014 (app secret invalid)");
    expect(((await refused({ ...credentialsOf(app), appId: "cli_0000000000000000" })) as Error).message).toMatch(/code 10003 \(invalid param\)/);

    const issue = (input: Record<string, string>) => larkAdapter.credentialsSchema.safeParse(input).error?.issues[0]?.message;
    expect(issue({ ...credentialsOf(app), domain: "open.example.com" })).toMatch(/open\.feishu\.cn \(Feishu\) or open\.larksuite\.com \(Lark\)/);
    expect(issue({ ...credentialsOf(app), appId: "a5f7d29e1ab8d00c" })).toMatch(/starts with cli_/);
    expect(issue({ ...credentialsOf(app), encryptKey: "" })).toMatch(/Encrypt Key/);
    expect(larkAdapter.credentialsSchema.safeParse(credentialsOf(app)).success).toBe(true);
  });

  it("calls the host the Platform field names unless LARK_API_BASE is set", () => {
    const credentials = { domain: "open.larksuite.com", appId: "cli_x", appSecret: "s" };
    expect(larkAppOf({}, credentials).base).toBe("https://open.larksuite.com");
    expect(larkAppOf({}, { ...credentials, domain: "open.feishu.cn" }).base).toBe("https://open.feishu.cn");
    expect(larkAppOf({ LARK_API_BASE: "http://127.0.0.1:9/lark/" }, credentials).base).toBe("http://127.0.0.1:9/lark");
  });
});

describe("Lark sends", () => {
  it("sends into a chat, replies to a question, and falls back to the chat when the question was recalled", async () => {
    const app = await createLarkApp();
    const channel = await contextFor(app);
    const [dm, group, question, recalled] = [larkId("oc_"), larkId("oc_"), larkId("om_"), larkId("om_")];
    await fetch(`${env.FAKES_BASE}/lark/__control/incoming`, { method: "POST", body: JSON.stringify({ messageId: question, chatId: group }) });
    await recallLarkMessage(recalled);

    await larkAdapter.sendText(channel, { address: dm, text: 'hi <at user_id="all">everyone</at>', idempotencyKey: "ev1:0" });
    await larkAdapter.sendText(channel, { address: group, text: "in reply", replyTo: question, idempotencyKey: "ev2:0" });
    await larkAdapter.sendText(channel, { address: group, text: "question gone", replyTo: recalled, idempotencyKey: "ev3:0" });

    const [create] = await larkCalls(app, "message.create");
    expect(create).toMatchObject({
      path: "/open-apis/im/v1/messages?receive_id_type=chat_id",
      body: { receive_id: dm, msg_type: "text", content: JSON.stringify({ text: 'hi <\u200bat user_id="all">everyone<\u200b/at>' }), uuid: await larkUuid(channel.channelId, "ev1:0") },
    });
    expect((await larkCalls(app, "message.reply")).map((call) => call.path)).toEqual([`/open-apis/im/v1/messages/${question}/reply`, `/open-apis/im/v1/messages/${recalled}/reply`]);
    expect((await larkMessages(app, group)).map((message) => [message.text, message.parentId])).toEqual([["in reply", question], ["question gone", undefined]]);
  });

  it("sends one message per idempotency key: a retry with the same key gets the message already sent", async () => {
    const app = await createLarkApp();
    const channel = await contextFor(app);
    const chat = larkId("oc_");
    const first = await larkAdapter.sendText(channel, { address: chat, text: "once", idempotencyKey: "ev:0" });
    const again = await larkAdapter.sendText(channel, { address: chat, text: "once", idempotencyKey: "ev:0" });
    await larkAdapter.sendText(channel, { address: chat, text: "once", idempotencyKey: "ev:1" });
    expect(again).toEqual(first);
    expect((await larkMessages(app, chat)).map((message) => message.text)).toEqual(["once", "once"]);
    expect((await larkUuid("ch_a", "ev:0")).length).toBeLessThanOrEqual(50);
    expect(await larkUuid("ch_a", "ev:0")).not.toBe(await larkUuid("ch_b", "ev:0"));
  });

  it("reuses the tenant_access_token, refreshes it before expiry, and once more when Lark calls it invalid", async () => {
    const app = await createLarkApp();
    const channel = await contextFor(app);
    const send = () => larkAdapter.sendText(channel, { address: larkId("oc_"), text: "hi" });
    const tokenCalls = async () => (await larkCalls(app, "token")).length;
    await send();
    await send();
    expect(await tokenCalls()).toBe(2); // Test's own, then one for both sends

    await expireLarkTokens(app);
    await send();
    const creates = await larkCalls(app, "message.create");
    expect(creates).toHaveLength(4); // the refused one, retried with a fresh token
    expect(await tokenCalls()).toBe(3);

    // A token that lives less than the refresh margin is replaced before every send.
    await setLarkTokenLifetime(app, 120);
    await expireLarkTokens(app);
    await send();
    await send();
    expect(await tokenCalls()).toBe(5);
    expect(await larkCalls(app, "message.create")).toHaveLength(7);
  });

  it("classifies 429 (x-ogw-ratelimit-reset), code 99991400, 5xx, refusals, a token refused twice, and a bad secret", async () => {
    const app = await createLarkApp();
    const channel = await contextFor(app);
    const send = () => larkAdapter.sendText(channel, { address: larkId("oc_"), text: "hi" });
    const invalidToken = { status: 400, body: { code: 99991663, msg: "Invalid access token for authorization." } };
    await injectLarkFaults(app, "message.create", [
      { status: 429, headers: { "x-ogw-ratelimit-limit": "50", "x-ogw-ratelimit-reset": "2" }, body: { code: 99991400, msg: "request trigger frequency limit" } },
      { status: 400, body: { code: 99991400, msg: "request trigger frequency limit" } },
      { status: 503, body: "<html>Service Unavailable</html>" },
      { status: 400, body: { code: 230002, msg: "Bot/User can NOT be out of the chat." } },
      invalidToken,
      invalidToken,
    ]);
    expect(await failureOf(send())).toMatchObject({ kind: "rate-limited", retryAfterMs: 2000, message: "Lark /open-apis/im/v1/messages: rate limited" });
    expect(await failureOf(send())).toMatchObject({ kind: "rate-limited", retryAfterMs: undefined });
    expect(await failureOf(send())).toMatchObject({ kind: "transient", message: "Lark /open-apis/im/v1/messages: HTTP 503" });
    expect(await failureOf(send())).toMatchObject({ kind: "permanent", message: "Lark /open-apis/im/v1/messages: code 230002 (Bot/User can NOT be out of the chat.)" });
    expect(await failureOf(send())).toMatchObject({ kind: "unauthorized", message: "Lark /open-apis/im/v1/messages: code 99991663 (Invalid access token for authorization.)" });

    const reset = { ...channel, credentials: { ...channel.credentials, appSecret: "ffffffffffffffffffffffffffffffff" } };
    expect(await failureOf(larkAdapter.sendText(reset, { address: larkId("oc_"), text: "hi" }))).toMatchObject({ kind: "unauthorized", message: expect.stringContaining("code 10014") });
    const offline = { ...channel, env: { LARK_API_BASE: "http://127.0.0.1:9" } };
    expect(await failureOf(larkAdapter.sendText(offline, { address: larkId("oc_"), text: "hi" }))).toMatchObject({ kind: "transient" });
  });

  it("probes with bot/v3/info as the app", async () => {
    const app = await createLarkApp();
    const channel = await contextFor(app);
    expect(await larkAdapter.probe!(channel)).toEqual({ ok: true });
    expect((await larkCalls(app, "bot.info")).length).toBe(2);
  });
});
