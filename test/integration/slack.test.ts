// The Slack story end to end: Slack's signed deliveries into the webhook, the fake Web API
// recording what the bot posts. Setup (challenge, manifest), signatures, pairing and the
// plain-word commands, de-duplication, ignored bot messages. Channels, rate limits, streaming
// and stop continue in slack-delivery.test.ts.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { helpText } from "../../worker/core/commands";
import { api, channelLogs, eventually } from "../support/harness";
import {
  createSlackChannel,
  deliverSlack,
  dmEvent,
  nowSeconds,
  slackCalls,
  slackId,
  slackMessages,
  startSlackChannel,
  waitForSlackTexts,
} from "../support/slack";

const CODE = /pairing code is ([2-9A-HJ-NP-Z]{8})/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inboxSize(channelId: string): Promise<number> {
  return runInDurableObject(env.CHANNEL.getByName(channelId), (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM inbox").one().n);
}

describe("Slack setup", () => {
  it("waits for the Request URL, answers Slack's challenge and runs; the setup page carries the URL in the manifest", async () => {
    const channel = await createSlackChannel();
    expect((await api("POST", `/channels/${channel.id}/start`)).body).toEqual({ status: "starting", reason: "waiting for Slack to call the webhook URL (see the setup steps)" });

    const setup = await api("GET", `/channels/${channel.id}/setup`);
    const webhookUrl = `https://switchboard.example/webhooks/slack/${channel.id}`;
    expect(setup.body.webhookUrl).toBe(webhookUrl);
    expect(setup.body.guide.steps.join("\n")).toMatch(/Create New App → From a manifest[\s\S]*Install to Workspace[\s\S]*Messages tab/);
    expect(setup.body.guide.artifact).toMatchObject({ label: "App manifest (JSON)", format: "json" });
    const manifest = JSON.parse(setup.body.guide.artifact.content);
    expect(manifest.settings).toMatchObject({ event_subscriptions: { request_url: webhookUrl }, socket_mode_enabled: false });
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(expect.arrayContaining(["message.im", "app_mention"]));
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(["chat:write", "im:history", "app_mentions:read", "users:read"]));
    expect(manifest.features.app_home).toMatchObject({ messages_tab_enabled: true, messages_tab_read_only_enabled: false });
    expect(manifest.features.bot_user.display_name).toBe("switchboard");

    // A challenge signed with another secret proves nothing.
    const challenge = { token: "legacy", challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", type: "url_verification" };
    expect((await deliverSlack(channel, challenge, { secret: "not-the-signing-secret" })).status).toBe(401);
    expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("starting");

    const answered = await deliverSlack(channel, challenge);
    expect(answered.status).toBe(200);
    expect(answered.headers.get("content-type")).toBe("application/json");
    expect(await answered.json()).toEqual({ challenge: challenge.challenge });
    expect((await api("GET", `/channels/${channel.id}`)).body.channel).toMatchObject({
      status: "running",
      account: { id: `${channel.bot.teamId}:${channel.bot.userId}`, name: "switchboard" },
    });
  });

  it("is listed as available with its capabilities", async () => {
    const { body } = await api("GET", "/providers");
    const slack = body.providers.find((provider: { id: string }) => provider.id === "slack");
    expect(slack).toMatchObject({ label: "Slack", connection: "token", available: true });
    expect(slack.credentialFields.map((field: { name: string; secret: boolean; transport?: string }) => [field.name, field.secret, field.transport ?? null])).toEqual([
      ["botToken", true, null],
      ["signingSecret", true, "webhook"],
      ["appToken", true, "socket"],
    ]);
    expect(slack.capabilities).toMatchObject({
      commandSyntax: "plain",
      limits: { maxTextLength: 4000, editIntervalMs: 1200 },
      edits: true,
      voice: false,
      typing: false,
      probe: true,
      threadedReplies: true,
      manualSetup: true,
      bridgeSocket: { setting: "socketMode", replacesWebhook: true },
    });
  });

  it("401s a bad, missing or stale signature and stores nothing", async () => {
    const channel = await startSlackChannel({ settings: { dmPolicy: "open" } });
    const event = dmEvent(channel.bot, slackId("D"), slackId("U"), "hi");
    const stale = nowSeconds(-6 * 60);
    const refused = [
      await deliverSlack(channel, event, { secret: "0123456789abcdef0123456789abcdef" }),
      await deliverSlack(channel, event, { signature: null }),
      await deliverSlack(channel, event, { timestamp: null }),
      await deliverSlack(channel, event, { timestamp: stale }),
    ];
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401, 401]);
    expect(await refused[0]!.json()).toEqual({ error: "unauthorized" });
    expect(await inboxSize(channel.id)).toBe(0);
    const users = await env.DB.prepare("SELECT count(*) AS n FROM channel_users WHERE channel_id = ?").bind(channel.id).first<{ n: number }>();
    expect(users!.n).toBe(0);
    expect(await slackCalls(channel.bot, "chat.postMessage")).toEqual([]);
    const logs = await channelLogs(channel.id, "warn");
    // Four rejections within a minute: one entry; the repeats are counted into a later summary.
    expect(logs.filter((log) => log.event === "inbound.rejected")).toHaveLength(1);
    expect(JSON.stringify(logs)).not.toContain(channel.signingSecret);
  });
});

describe("Slack DMs", () => {
  it("pairs an unknown user: code, approval, then told and the held message answered", async () => {
    const channel = await startSlackChannel();
    const [dm, user] = [slackId("D"), slackId("U")];
    expect((await deliverSlack(channel, dmEvent(channel.bot, dm, user, "What is on today?"))).status).toBe(200);
    const [codeText] = await waitForSlackTexts(channel.bot, dm, 1);
    const code = CODE.exec(codeText!)![1];
    const { body } = await api("GET", `/channels/${channel.id}/pairing`);
    expect(body.requests).toEqual([expect.objectContaining({ code, heldMessage: true, user: expect.objectContaining({ providerUserId: user }) })]);
    expect((await api("POST", `/channels/${channel.id}/pairing/${body.requests[0].id}/approve`)).status).toBe(200);
    expect((await waitForSlackTexts(channel.bot, dm, 3)).slice(1)).toEqual(["You're approved! You are now connected to Default (echo).", "Echo: What is on today?"]);
    // DM replies go to the DM itself, not into a thread.
    expect((await slackCalls(channel.bot, "chat.postMessage")).every((call) => call.params.thread_ts === undefined)).toBe(true);
  });

  it("runs the plain-word commands: start CODE, help, new, threads, switch 2, more", async () => {
    const channel = await startSlackChannel();
    const [dm, user] = [slackId("D"), slackId("U")];
    const invite = await api("POST", `/channels/${channel.id}/invite-codes`);
    const conversation: [string, string][] = [
      [`start ${invite.body.inviteCode.code}`, "Invite code accepted. You are now connected to Default (echo)."],
      ["help", helpText("plain")],
      ["help me draft an email", "Echo: help me draft an email"],
      ["new Plans", "Started a new thread: Plans"],
      ["threads", ["Your threads:", "1. Plans (active)", "2. help me draft an email", "", "Use switch <n> to change thread."].join("\n")],
      ["switch 2", "Switched to: help me draft an email"],
      ["more", "No missed replies in this thread."],
    ];
    for (const [index, [said, answer]] of conversation.entries()) {
      expect((await deliverSlack(channel, dmEvent(channel.bot, dm, user, said))).status).toBe(200);
      expect((await waitForSlackTexts(channel.bot, dm, index + 1))[index]).toBe(answer);
    }
    expect(helpText("plain")).toContain("switch <n> — switch to thread n of the last list");
  });

  it("stores one event delivered three times at once and again as X-Slack-Retry-Num 1: one reply", async () => {
    const channel = await startSlackChannel({ settings: { dmPolicy: "open" } });
    const dm = slackId("D");
    const event = dmEvent(channel.bot, dm, slackId("U"), "only once");
    const responses = await Promise.all([deliverSlack(channel, event), deliverSlack(channel, event), deliverSlack(channel, event)]);
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(await Promise.all(responses.map((response) => response.json()))).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    await waitForSlackTexts(channel.bot, dm, 1);
    expect((await deliverSlack(channel, event, { retryNum: 1 })).status).toBe(200);
    await sleep(300);
    expect((await slackMessages(channel.bot, dm)).map((message) => message.text)).toEqual(["Echo: only once"]);
    expect((await channelLogs(channel.id)).filter((log) => log.event === "inbound.duplicate")).toHaveLength(1);
  });

  it("ignores its own replies and other bots' messages", async () => {
    const channel = await startSlackChannel({ settings: { dmPolicy: "open" } });
    const dm = slackId("D");
    const own = dmEvent(channel.bot, dm, channel.bot.userId, "Echo: hi", { bot_id: channel.bot.botId, app_id: "A0FAKEAPP1" });
    const other = dmEvent(channel.bot, dm, slackId("U"), "Build passed", { subtype: "bot_message", bot_id: slackId("B") });
    expect((await deliverSlack(channel, own)).status).toBe(200);
    expect((await deliverSlack(channel, other)).status).toBe(200);
    const ignored = await eventually(async () => {
      const logs = (await channelLogs(channel.id)).filter((log) => log.event === "inbound.ignored");
      expect(logs).toHaveLength(2);
      return logs.map((log) => log.message);
    });
    expect(ignored.sort()).toEqual(["Ignored: message from another bot", "Ignored: our own message"]);
    expect(await inboxSize(channel.id)).toBe(0);
    expect(await slackCalls(channel.bot, "chat.postMessage")).toEqual([]);
  });
});
