// Zalo OA (the Zalo Bot Platform) end to end against the fake Zalo API: credential test, start
// with a secret token, webhook secret check, pairing, commands, groups, redelivery, retries,
// honest status from getWebhookInfo, stop.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, channelLogs, eventually, inChannelStore } from "../support/harness";
import {
  approvedZaloUser,
  createZaloBot,
  deliverZalo,
  injectZaloFaults,
  startZaloChannel,
  textUpdate,
  waitForZaloTexts,
  zaloCalls,
  zaloTexts,
  zaloUser,
} from "../support/zalo";

const CODE = /pairing code is ([2-9A-HJ-NP-Z]{8})/;

describe("Zalo OA setup", () => {
  it("Test calls getMe; a refused token is a 400 with Zalo's answer", async () => {
    const bot = await createZaloBot();
    expect(await api("POST", "/channels/test", { provider: "zalo-oa", credentials: { botToken: bot.token } })).toEqual({
      status: 200,
      body: { ok: true, account: { id: bot.id, name: bot.accountName } },
    });
    expect(await api("POST", "/channels/test", { provider: "zalo-oa", credentials: { botToken: `${bot.id}:not-a-real-secret` } })).toEqual({
      status: 400,
      body: { error: "credential rejected: Zalo getMe: Unauthorized" },
    });
    expect((await api("POST", "/channels/test", { provider: "zalo-oa", credentials: { botToken: "abc" } })).body.error).toMatch(/^Bot token: /);
  });

  it("is in the catalog: slash commands, 2,000 characters, typing and probe, no edits or voice", async () => {
    const { body } = await api("GET", "/providers");
    const zalo = body.providers.find((provider: { id: string }) => provider.id === "zalo-oa");
    expect(zalo).toMatchObject({ available: true, label: "Zalo OA", connection: "token", credentialFields: [expect.objectContaining({ name: "botToken", secret: true })] });
    expect(zalo.capabilities).toMatchObject({ commandSyntax: "slash", limits: { maxTextLength: 2000 }, edits: false, voice: false, typing: true, probe: true, manualSetup: false });
  });

  it("start registers the webhook with an 8–256 character secret; stop deletes it and later events are dropped", async () => {
    const channel = await startZaloChannel({ settings: { dmPolicy: "open" } });
    const [setWebhook] = await zaloCalls(channel.bot, "setWebhook");
    expect(setWebhook!.params).toEqual({ url: `https://switchboard.example/webhooks/zalo-oa/${channel.id}`, secret_token: channel.secret });
    expect(channel.secret.length).toBeGreaterThanOrEqual(8);
    expect(channel.secret.length).toBeLessThanOrEqual(256);

    expect((await api("POST", `/channels/${channel.id}/stop`)).body).toEqual({ status: "stopped", reason: "stopped by an admin" });
    expect(await zaloCalls(channel.bot, "deleteWebhook")).toHaveLength(1);
    const user = zaloUser();
    expect((await deliverZalo(channel, textUpdate(user, "anyone?"))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await zaloTexts(channel.bot, user.id)).toEqual([]);
    expect(await channelLogs(channel.id)).toContainEqual(expect.objectContaining({ event: "inbound.dropped", message: "Dropped: the channel is stopped" }));
  });

  it("reports a webhook removed outside Switchboard (getWebhookInfo) as an error", async () => {
    const channel = await startZaloChannel();
    expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("running");
    await fetch(`${env.ZALO_API_BASE}/bot${channel.bot.token}/deleteWebhook`, { method: "POST", body: "{}" });
    await inChannelStore(channel.id, (store) => store.put("lastProbeAt", 0));
    expect((await api("GET", `/channels/${channel.id}`)).body.channel).toMatchObject({
      status: "error",
      statusReason: "webhook is not registered with Zalo (removed outside Switchboard?)",
    });
  });
});

describe("Zalo OA conversations", () => {
  it("401s a wrong or missing secret and stores nothing", async () => {
    const channel = await startZaloChannel({ settings: { dmPolicy: "open" } });
    const user = zaloUser();
    expect((await deliverZalo(channel, textUpdate(user, "hi"), `${channel.secret}x`)).status).toBe(401);
    expect((await deliverZalo(channel, textUpdate(user, "hi"), null)).status).toBe(401);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await zaloTexts(channel.bot, user.id)).toEqual([]);
    expect((await channelLogs(channel.id, "warn")).filter((log) => log.event === "inbound.rejected")).toHaveLength(1); // repeats within a minute are counted, not written again;
  });

  it("pairing: an unknown user gets a code; approved, they are told and their message answered", async () => {
    const channel = await startZaloChannel();
    const user = zaloUser("Tran Thi B");
    await deliverZalo(channel, textUpdate(user, "Giờ mở cửa?"));
    const [first] = await waitForZaloTexts(channel.bot, user.id, 1);
    const [request] = (await api("GET", `/channels/${channel.id}/pairing`)).body.requests;
    expect(request).toMatchObject({ code: CODE.exec(first!)![1], user: expect.objectContaining({ displayName: "Tran Thi B" }) });
    await api("POST", `/channels/${channel.id}/pairing/${request.id}/approve`);
    expect((await waitForZaloTexts(channel.bot, user.id, 3)).slice(1)).toEqual(["You're approved! You are now connected to Default (echo).", "Echo: Giờ mở cửa?"]);
  });

  it("commands: /new, /threads, /help in slash syntax, with typing while the agent works", async () => {
    const slow = await api("POST", "/workspaces", { name: "Slow echo", backend: "echo", config: { delayMs: 1500 } });
    const channel = await startZaloChannel({ workspaceId: slow.body.workspace.id });
    const user = await approvedZaloUser(channel);
    await deliverZalo(channel, textUpdate(user, "/new Kế hoạch"));
    await deliverZalo(channel, textUpdate(user, "/threads"));
    await deliverZalo(channel, textUpdate(user, "/help"));
    const texts = await waitForZaloTexts(channel.bot, user.id, 4);
    expect(texts[1]).toBe("Started a new thread: Kế hoạch");
    expect(texts[2]).toMatch(/^Your threads:\n1\. Kế hoạch \(active\)/);
    expect(texts[3]).toContain("/switch <n> — switch to thread n of the last list");

    await deliverZalo(channel, textUpdate(user, "chậm thôi"));
    await waitForZaloTexts(channel.bot, user.id, 5, 10_000);
    expect((await zaloCalls(channel.bot, "sendChatAction"))[0]!.params).toEqual({ chat_id: user.id, action: "typing" });
  });

  it("groups: with require-mention, only messages that mention the bot's account name are answered", async () => {
    const channel = await startZaloChannel({ settings: { groupPolicy: "open" } });
    const user = zaloUser();
    const group = `g${crypto.randomUUID().replaceAll("-", "").slice(0, 19)}`;
    await deliverZalo(channel, textUpdate(user, "lunch?", group));
    await deliverZalo(channel, textUpdate(user, `@${channel.bot.accountName} tóm tắt giúp`, group));
    expect(await waitForZaloTexts(channel.bot, group, 1)).toEqual(["Echo: tóm tắt giúp"]);
    await eventually(async () => expect(await channelLogs(channel.id)).toContainEqual(expect.objectContaining({ event: "inbound.dropped", message: "Dropped: group message does not mention the bot (require mention is on)" })));
  });

  it("the same update delivered three times gets one reply; other events are ignored with a reason", async () => {
    const channel = await startZaloChannel();
    const user = await approvedZaloUser(channel);
    const update = textUpdate(user, "chỉ một lần");
    for (let i = 0; i < 3; i++) expect((await deliverZalo(channel, update)).status).toBe(200);
    await deliverZalo(channel, { event_name: "message.sticker.received", message: { ...update.message, message_id: "s1", text: undefined, sticker: "0e078a2fb66a5f34067b" } });
    await waitForZaloTexts(channel.bot, user.id, 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await zaloTexts(channel.bot, user.id)).filter((text) => text === "Echo: chỉ một lần")).toHaveLength(1);
    const logs = await channelLogs(channel.id);
    expect(logs.filter((log) => log.event === "inbound.duplicate")).toHaveLength(1);
    expect(logs).toContainEqual(expect.objectContaining({ event: "inbound.ignored", message: 'Ignored: event "message.sticker.received" is not handled (only text messages are)' }));
  });

  it("retries a 429 after Retry-After and a 5xx with back-off", async () => {
    const channel = await startZaloChannel();
    const user = await approvedZaloUser(channel);
    await injectZaloFaults(channel.bot, "sendMessage", [
      { status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests" }, headers: { "retry-after": "2" } },
      { status: 502, body: "<html>Bad Gateway</html>" },
    ]);
    await deliverZalo(channel, textUpdate(user, "qua cơn bão"));
    const attempts = await eventually(async () => {
      const calls = (await zaloCalls(channel.bot, "sendMessage")).filter((call) => call.params.text === "Echo: qua cơn bão");
      expect(calls).toHaveLength(3);
      return calls;
    }, 10_000);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(900);
    expect(await channelLogs(channel.id, "warn")).toContainEqual(expect.objectContaining({ event: "outbound.retry", message: expect.stringContaining("Send failed (rate-limited), retrying in 2 s: Zalo sendMessage: Too Many Requests") }));
  });

  it("splits a reply longer than Zalo's 2,000 characters", async () => {
    const long = await api("POST", "/workspaces", { name: "Verbose echo", backend: "echo", config: { prefix: `${"lorem ipsum ".repeat(150)}\n\n` } });
    const channel = await startZaloChannel({ workspaceId: long.body.workspace.id, settings: { dmPolicy: "open" } });
    const user = zaloUser();
    const question = "dolor sit amet ".repeat(100).trim();
    await deliverZalo(channel, textUpdate(user, question));
    const texts = await waitForZaloTexts(channel.bot, user.id, 2);
    expect(texts).toHaveLength(2);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(2000);
    expect(texts[1]).toBe(question);
  });
});
