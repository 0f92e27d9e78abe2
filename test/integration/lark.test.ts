// The Lark / Feishu story end to end: Lark's encrypted, signed deliveries into the webhook, the fake
// Open Platform recording what the app sends. Setup (challenge, steps, catalog), signatures,
// pairing and the slash commands, de-duplication on event_id. Groups, token expiry, rate limits,
// lost responses and stop continue in lark-delivery.test.ts.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { slashCommandTour } from "../support/command-tour";
import { api, channelLogs } from "../support/harness";
import { createLarkChannel, deliverLark, larkCalls, larkChallenge, larkDm, larkId, larkMessages, startLarkChannel, waitForLarkTexts } from "../support/lark";

const CODE = /pairing code is ([2-9A-HJ-NP-Z]{8})/;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inboxSize(channelId: string): Promise<number> {
  return runInDurableObject(env.CHANNEL.getByName(channelId), (_instance, state) => state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM inbox").one().n);
}

describe("Lark setup", () => {
  it("waits for the Request URL, answers the encrypted challenge and runs; the setup page names the URL and the console steps", async () => {
    const channel = await createLarkChannel();
    expect((await api("POST", `/channels/${channel.id}/start`)).body).toEqual({ status: "starting", reason: "waiting for Lark / Feishu to call the webhook URL (see the setup steps)" });

    const setup = await api("GET", `/channels/${channel.id}/setup`);
    const webhookUrl = `https://switchboard.example/webhooks/lark/${channel.id}`;
    expect(setup.body.webhookUrl).toBe(webhookUrl);
    const steps = setup.body.guide.steps.join("\n");
    expect(steps).toContain(`https://open.larksuite.com/app, open the app Switchboard (${channel.app.appId})`);
    expect(steps).toContain(`Request URL to ${webhookUrl}`);
    expect(steps).toMatch(/im:message\.p2p_msg:readonly[\s\S]*Encrypt Key[\s\S]*im\.message\.receive_v1[\s\S]*publish/);

    // A challenge under another Encrypt Key, or with another Verification Token, proves nothing.
    const challenge = larkChallenge(channel);
    expect((await deliverLark(channel, challenge, { unsigned: true, encryptKey: "another-encrypt-key" })).status).toBe(401);
    expect((await deliverLark(channel, larkChallenge(channel, "not-the-token"), { unsigned: true })).status).toBe(401);
    expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("starting");

    const answered = await deliverLark(channel, challenge, { unsigned: true });
    expect(answered.status).toBe(200);
    expect(answered.headers.get("content-type")).toBe("application/json");
    expect(await answered.json()).toEqual({ challenge: challenge.challenge });
    expect((await api("GET", `/channels/${channel.id}`)).body.channel).toMatchObject({ status: "running", account: { id: channel.app.appId, name: "Switchboard" } });
  });

  it("is listed as available with its fields (a Platform choice) and capabilities; Test answers with the app", async () => {
    const { body } = await api("GET", "/providers");
    const lark = body.providers.find((provider: { id: string }) => provider.id === "lark");
    expect(lark).toMatchObject({ label: "Lark / Feishu", connection: "token", available: true });
    expect(lark.credentialFields.map((field: { name: string; secret: boolean }) => [field.name, field.secret])).toEqual([
      ["domain", false],
      ["appId", false],
      ["appSecret", true],
      ["verificationToken", true],
      ["encryptKey", true],
    ]);
    expect(lark.credentialFields[0].options).toEqual(["open.feishu.cn", "open.larksuite.com"]);
    expect(lark.capabilities).toMatchObject({ commandSyntax: "slash", edits: false, voice: false, typing: false, probe: true, threadedReplies: false, manualSetup: true });
    expect(body.providers.filter((provider: { id: string; available: boolean }) => provider.id === "lark")).toHaveLength(1);

    const channel = await createLarkChannel();
    const tested = await api("POST", "/channels/test", { provider: "lark", credentials: { domain: "open.larksuite.com", appId: channel.app.appId, appSecret: "0123456789abcdef0123456789abcdef", verificationToken: "xxxxxxxx", encryptKey: "yyyyyyyy" } });
    expect(tested).toEqual({ status: 400, body: { error: "credential rejected: Lark /open-apis/auth/v3/tenant_access_token/internal: code 10014 (app secret invalid)" } });
  });

  it("401s a bad signature, a stale or unsigned event, another Encrypt Key or Verification Token, and stores nothing", async () => {
    const channel = await startLarkChannel({ settings: { dmPolicy: "open" } });
    const event = larkDm(channel, larkId("oc_"), larkId("ou_"), "hi");
    const refused = [
      await deliverLark(channel, event, { signature: "0".repeat(64) }),
      await deliverLark(channel, event, { unsigned: true }),
      await deliverLark(channel, event, { timestamp: String(Math.floor(Date.now() / 1000) - 9 * 60 * 60) }),
      await deliverLark(channel, event, { encryptKey: "another-encrypt-key" }),
      await deliverLark(channel, { ...event, header: { ...event.header, token: "not-the-token" } }),
    ];
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);
    expect(await refused[0]!.json()).toEqual({ error: "unauthorized" });
    expect(await inboxSize(channel.id)).toBe(0);
    const users = await env.DB.prepare("SELECT count(*) AS n FROM channel_users WHERE channel_id = ?").bind(channel.id).first<{ n: number }>();
    expect(users!.n).toBe(0);
    expect(await larkCalls(channel.app, "message.create")).toEqual([]);
    const logs = await channelLogs(channel.id, "warn");
    // Repeats within a minute collapse into the first entry (and a count once the minute is over).
    expect(logs.filter((log) => log.event === "inbound.rejected")).toHaveLength(1);
    expect(JSON.stringify(logs)).not.toContain(channel.encryptKey);
  });
});

describe("Lark DMs", () => {
  it("pairs an unknown user: code, approval, then told and the held message answered", async () => {
    const channel = await startLarkChannel();
    const [chat, user] = [larkId("oc_"), larkId("ou_")];
    expect((await deliverLark(channel, larkDm(channel, chat, user, "What is on today?"))).status).toBe(200);
    const [codeText] = await waitForLarkTexts(channel.app, chat, 1);
    const code = CODE.exec(codeText!)![1];
    const { body } = await api("GET", `/channels/${channel.id}/pairing`);
    expect(body.requests).toEqual([expect.objectContaining({ code, heldMessage: true, user: expect.objectContaining({ providerUserId: user }) })]);
    expect((await api("POST", `/channels/${channel.id}/pairing/${body.requests[0].id}/approve`)).status).toBe(200);
    expect((await waitForLarkTexts(channel.app, chat, 3)).slice(1)).toEqual(["You're approved! You are now connected to Default (echo).", "Echo: What is on today?"]);
    // DM answers go to the chat (no quoting), each with its own uuid.
    const creates = await larkCalls(channel.app, "message.create");
    expect(creates.every((call) => call.body.receive_id === chat && call.path.endsWith("receive_id_type=chat_id"))).toBe(true);
    expect(new Set(creates.map((call) => call.body.uuid)).size).toBe(3);
    expect(await larkCalls(channel.app, "message.reply")).toEqual([]);
  });

  it("runs the slash commands: /start CODE, /help, /new, /threads, /switch 2, /more", async () => {
    const channel = await startLarkChannel();
    const [chat, user] = [larkId("oc_"), larkId("ou_")];
    const invite = await api("POST", `/channels/${channel.id}/invite-codes`);
    const conversation = slashCommandTour(invite.body.inviteCode.code);
    for (const [index, [said, answer]] of conversation.entries()) {
      expect((await deliverLark(channel, larkDm(channel, chat, user, said))).status).toBe(200);
      expect((await waitForLarkTexts(channel.app, chat, index + 1))[index]).toBe(answer);
    }
  });

  it("stores one event delivered three times at once and again later (Lark's retry): one reply", async () => {
    const channel = await startLarkChannel({ settings: { dmPolicy: "open" } });
    const chat = larkId("oc_");
    const event = larkDm(channel, chat, larkId("ou_"), "only once");
    const responses = await Promise.all([deliverLark(channel, event), deliverLark(channel, event), deliverLark(channel, event)]);
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(await Promise.all(responses.map((response) => response.json()))).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    await waitForLarkTexts(channel.app, chat, 1);
    expect((await deliverLark(channel, event)).status).toBe(200);
    await sleep(300);
    expect((await larkMessages(channel.app, chat)).map((message) => message.text)).toEqual(["Echo: only once"]);
    expect((await channelLogs(channel.id)).filter((log) => log.event === "inbound.duplicate")).toHaveLength(1);
  });
});
