// The Slack adapter's outbound side against the fake Web API: credential test, sends into DMs and
// threads, and how each failure Slack reports is classified for the outbox.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CredentialError, ProviderError } from "../../worker/providers/errors";
import { slackAdapter } from "../../worker/providers/slack/adapter";
import type { ChannelContext } from "../../worker/providers/types";
import { createSlackBot, injectSlackFaults, slackCalls, slackId, slackMessages, type SlackTestBot } from "../support/slack";

const slackEnv = { SLACK_API_BASE: env.SLACK_API_BASE };

async function contextFor(bot: SlackTestBot): Promise<ChannelContext> {
  const credentials = { botToken: bot.token, signingSecret: "0123456789abcdef0123456789abcdef" };
  return { channelId: "ch_api", credentials, webhookSecret: "unused", account: await slackAdapter.testCredentials(credentials, slackEnv), env: slackEnv };
}

async function failureOf(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("Slack credentials", () => {
  it("auth.test names the account team:bot-user, with the ids kept for later", async () => {
    const bot = await createSlackBot();
    const channel = await contextFor(bot);
    expect(channel.account).toEqual({
      id: `${bot.teamId}:${bot.userId}`,
      name: "switchboard",
      details: { team: "Acme", team_id: bot.teamId, user_id: bot.userId, bot_id: bot.botId, url: "https://acme.slack.com/" },
    });
    expect((await slackCalls(bot, "auth.test"))[0]).toMatchObject({ method: "auth.test", params: {} });
  });

  it("refuses an unknown or revoked token with Slack's answer, and the wrong kind of token before calling", async () => {
    const refused = await slackAdapter.testCredentials({ botToken: "xoxb-0-unknown-token", signingSecret: "x" }, slackEnv).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CredentialError);
    expect((refused as Error).message).toBe("Slack auth.test: invalid_auth (the token is not valid)");

    const schema = slackAdapter.credentialsSchema;
    const issue = (input: Record<string, string>) => schema.safeParse(input).error?.issues[0]?.message;
    expect(issue({ botToken: "xapp-1-A0-123-abc", signingSecret: "0123456789abcdef0123456789abcdef" })).toMatch(/app-level token/);
    expect(issue({ botToken: "xoxp-123-456-789-abc", signingSecret: "0123456789abcdef0123456789abcdef" })).toMatch(/user token/);
    expect(issue({ botToken: "hello", signingSecret: "0123456789abcdef0123456789abcdef" })).toMatch(/starts with xoxb-/);
    expect(issue({ botToken: "xoxb-123-456-abcdef" })).toBeDefined();
    expect(issue({ botToken: "xoxb-123-456-abcdef", signingSecret: "short" })).toMatch(/signing secret/);
  });
});

describe("Slack sends", () => {
  it("posts into a DM and into a thread (escaping <, >, &), and edits with chat.update", async () => {
    const bot = await createSlackBot();
    const channel = await contextFor(bot);
    const dm = slackId("D");
    const room = slackId("C");
    const { messageId } = await slackAdapter.sendText(channel, { address: dm, text: "a < b & <!channel>" });
    await slackAdapter.sendText(channel, { address: `${room}:1712345700.000200`, text: "in the thread", replyTo: "1712345700.000200" });
    await slackAdapter.editText!(channel, dm, messageId, "edited");
    const posts = await slackCalls(bot, "chat.postMessage");
    expect(posts.map((call) => call.params)).toEqual([
      { channel: dm, text: "a &lt; b &amp; &lt;!channel&gt;" },
      { channel: room, text: "in the thread", thread_ts: "1712345700.000200" },
    ]);
    expect(await slackMessages(bot, dm)).toEqual([{ channel: dm, ts: messageId, text: "edited", edits: 1 }]);
    expect((await slackMessages(bot, room))[0]).toMatchObject({ threadTs: "1712345700.000200" });
  });

  it("classifies 429 + Retry-After, 5xx, internal_error, revoked tokens, refusals and network errors", async () => {
    const bot = await createSlackBot();
    const channel = await contextFor(bot);
    const send = () => slackAdapter.sendText(channel, { address: slackId("D"), text: "hi" });
    await injectSlackFaults(bot, "chat.postMessage", [
      { status: 429, headers: { "retry-after": "3" }, body: { ok: false, error: "ratelimited" } },
      { status: 503, body: "<html>Service Unavailable</html>" },
      { status: 200, body: { ok: false, error: "internal_error" } },
      { status: 200, body: { ok: false, error: "token_revoked" } },
      { status: 200, body: { ok: false, error: "channel_not_found" } },
    ]);
    expect(await failureOf(send())).toMatchObject({ kind: "rate-limited", retryAfterMs: 3000, message: "Slack chat.postMessage: rate limited" });
    expect(await failureOf(send())).toMatchObject({ kind: "transient", message: "Slack chat.postMessage: HTTP 503" });
    expect(await failureOf(send())).toMatchObject({ kind: "transient" });
    expect(await failureOf(send())).toMatchObject({ kind: "unauthorized", message: "Slack chat.postMessage: token_revoked (the token was revoked)" });
    expect(await failureOf(send())).toMatchObject({ kind: "permanent", message: "Slack chat.postMessage: channel_not_found" });
    expect(await failureOf(slackAdapter.editText!(channel, slackId("D"), "1.000001", "x"))).toMatchObject({ kind: "permanent", message: "Slack chat.update: message_not_found" });

    const offline = { ...channel, env: { SLACK_API_BASE: "http://127.0.0.1:9/api" } };
    expect(await failureOf(slackAdapter.sendText(offline, { address: slackId("D"), text: "hi" }))).toMatchObject({ kind: "transient" });
  });

  it("probes with auth.test: a revoked token is 'unauthorized'", async () => {
    const bot = await createSlackBot();
    const channel = await contextFor(bot);
    expect(await slackAdapter.probe!(channel)).toEqual({ ok: true });
    await injectSlackFaults(bot, "auth.test", [{ status: 200, body: { ok: false, error: "account_inactive" } }]);
    expect(await failureOf(slackAdapter.probe!(channel))).toMatchObject({ kind: "unauthorized" });
  });
});
