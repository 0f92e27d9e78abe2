// The DingTalk story end to end: DingTalk's signed robot callbacks into the webhook, the fake
// recording what the robot sends (session webhooks and robot send API). Setup (steps, catalog,
// first signed callback), signatures, pairing and the slash commands, replays of one msgId.
// Groups, expired sessions, token expiry, rate limits and stop continue in dingtalk-delivery.test.ts.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { slashCommandTour } from "../support/command-tour";
import { api, channelLogs } from "../support/harness";
import {
  createDingTalkChannel,
  deliverDingTalk,
  dingtalkCalls,
  dingtalkDm,
  dingtalkMessages,
  newDingTalkUser,
  startDingTalkChannel,
  waitForDingTalkTexts,
} from "../support/dingtalk";

const CODE = /pairing code is ([2-9A-HJ-NP-Z]{8})/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inboxSize(channelId: string): Promise<number> {
  return runInDurableObject(env.CHANNEL.getByName(channelId), (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM inbox").one().n);
}

describe("DingTalk setup", () => {
  it("waits for the receiving address, runs from the first signed callback; the setup page names the URL and the console steps", async () => {
    const channel = await createDingTalkChannel({ settings: { dmPolicy: "open" } });
    expect((await api("POST", `/channels/${channel.id}/start`)).body).toEqual({ status: "starting", reason: "waiting for DingTalk to call the webhook URL (see the setup steps)" });

    const setup = await api("GET", `/channels/${channel.id}/setup`);
    const webhookUrl = `https://switchboard.example/webhooks/dingtalk/${channel.id}`;
    expect(setup.body.webhookUrl).toBe(webhookUrl);
    const steps = setup.body.guide.steps.join("\n");
    expect(steps).toContain(`the internal app with the AppKey (Client ID) ${channel.app.appKey}`);
    expect(steps).toContain(`HTTP mode for receiving messages and set the message receiving address to ${webhookUrl}`);
    expect(steps).toMatch(/qyapi_robot_sendmsg[\s\S]*publish/);

    const user = newDingTalkUser();
    expect((await deliverDingTalk(channel, await dingtalkDm(channel, user, "hello"), { secret: "not-the-app-secret-0000000000" })).status).toBe(401);
    expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("starting");
    const first = await deliverDingTalk(channel, await dingtalkDm(channel, user, "hello"));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({});
    expect((await api("GET", `/channels/${channel.id}`)).body.channel).toMatchObject({ status: "running", account: { id: channel.app.appKey } });
    expect(await waitForDingTalkTexts(channel.app, user.dm, 1)).toEqual(["Echo: hello"]);
  });

  it("is listed as available with its fields and capabilities; Test answers with DingTalk's refusal", async () => {
    const { body } = await api("GET", "/providers");
    const dingtalk = body.providers.find((provider: { id: string }) => provider.id === "dingtalk");
    expect(dingtalk).toMatchObject({ label: "DingTalk", connection: "token", available: true });
    expect(dingtalk.credentialFields.map((field: { name: string; required: boolean }) => [field.name, field.required])).toEqual([
      ["appKey", true],
      ["appSecret", true],
      ["robotCode", false],
    ]);
    expect(dingtalk.capabilities).toMatchObject({ commandSyntax: "slash", edits: false, voice: false, typing: false, probe: true, threadedReplies: false, manualSetup: true });
    expect(body.providers.filter((provider: { id: string }) => provider.id === "dingtalk")).toHaveLength(1);

    const tested = await api("POST", "/channels/test", { provider: "dingtalk", credentials: { appKey: "dingnotknown0000", appSecret: "0123456789abcdef0123456789abcdef" } });
    expect(tested).toEqual({ status: 400, body: { error: "credential rejected: DingTalk /v1.0/oauth2/accessToken: invalidClientIdOrSecret (无效的clientId或者clientSecret)" } });
  });

  it("401s a wrong, missing or stale sign and stores nothing", async () => {
    const channel = await startDingTalkChannel({ settings: { dmPolicy: "open" } });
    const event = await dingtalkDm(channel, newDingTalkUser(), "hi");
    const refused = [
      await deliverDingTalk(channel, event, { secret: "0123456789abcdef0123456789abcdef" }),
      await deliverDingTalk(channel, event, { sign: null }),
      await deliverDingTalk(channel, event, { timestamp: null }),
      await deliverDingTalk(channel, event, { timestamp: String(Date.now() - 61 * 60_000) }),
    ];
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401, 401]);
    expect(await refused[0]!.json()).toEqual({ error: "unauthorized" });
    expect(await inboxSize(channel.id)).toBe(0);
    expect(await dingtalkCalls(channel.app, "session")).toEqual([]);
    const logs = await channelLogs(channel.id, "warn");
    expect(logs.filter((log) => log.event === "inbound.rejected")).toHaveLength(1); // repeats collapse
    expect(JSON.stringify(logs)).not.toContain(channel.app.appSecret);
  });
});

describe("DingTalk one-to-one", () => {
  it("pairs an unknown user: code, approval, then told and the held message answered", async () => {
    const channel = await startDingTalkChannel();
    const user = newDingTalkUser();
    expect((await deliverDingTalk(channel, await dingtalkDm(channel, user, "What is on today?"))).status).toBe(200);
    const [codeText] = await waitForDingTalkTexts(channel.app, user.dm, 1);
    const code = CODE.exec(codeText!)![1];
    const { body } = await api("GET", `/channels/${channel.id}/pairing`);
    expect(body.requests).toEqual([expect.objectContaining({ code, heldMessage: true, user: expect.objectContaining({ providerUserId: user.staffId, displayName: "Ada" }) })]);
    expect((await api("POST", `/channels/${channel.id}/pairing/${body.requests[0].id}/approve`)).status).toBe(200);
    expect((await waitForDingTalkTexts(channel.app, user.dm, 3)).slice(1)).toEqual(["You're approved! You are now connected to Default (echo).", "Echo: What is on today?"]);
    // All three through the conversation's session webhook: no token was needed.
    expect((await dingtalkMessages(channel.app, user.dm)).map((message) => message.via)).toEqual(["session", "session", "session"]);
    expect(await dingtalkCalls(channel.app, "batchSend")).toEqual([]);
  });

  it("runs the slash commands: /start CODE, /help, /new, /threads, /switch 2, /more", async () => {
    const channel = await startDingTalkChannel();
    const user = newDingTalkUser();
    const invite = await api("POST", `/channels/${channel.id}/invite-codes`);
    const conversation = slashCommandTour(invite.body.inviteCode.code);
    for (const [index, [said, answer]] of conversation.entries()) {
      expect((await deliverDingTalk(channel, await dingtalkDm(channel, user, said))).status).toBe(200);
      expect((await waitForDingTalkTexts(channel.app, user.dm, index + 1))[index]).toBe(answer);
    }
  });

  it("stores one msgId delivered three times at once and replayed later within the sign's hour: one reply", async () => {
    const channel = await startDingTalkChannel({ settings: { dmPolicy: "open" } });
    const user = newDingTalkUser();
    const event = await dingtalkDm(channel, user, "only once");
    const responses = await Promise.all([deliverDingTalk(channel, event), deliverDingTalk(channel, event), deliverDingTalk(channel, event)]);
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    await waitForDingTalkTexts(channel.app, user.dm, 1);
    // Replayed half an hour later with a valid sign (it does not cover the body): still one answer.
    const timestamp = String(Date.now() - 30 * 60_000);
    expect((await deliverDingTalk(channel, event, { timestamp })).status).toBe(200);
    await sleep(300);
    expect((await dingtalkMessages(channel.app, user.dm)).map((message) => message.text)).toEqual(["Echo: only once"]);
    expect((await channelLogs(channel.id)).filter((log) => log.event === "inbound.duplicate")).toHaveLength(1);
  });
});
