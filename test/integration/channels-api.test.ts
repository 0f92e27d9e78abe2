// The operator's side: creating, starting, stopping and deleting a Telegram channel.
import { env, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, approvedUser, createBot, deliver, dmUpdate, inChannelStore, setWebhookError, startTelegramChannel, telegramCalls, worker } from "../support/harness";

describe("health and auth", () => {
  it("GET /healthz answers 200 JSON without a token", async () => {
    const response = await worker("/healthz");
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true });
  });

  it("refuses the API without the admin token, or with a wrong one", async () => {
    expect((await worker("/api/channels")).status).toBe(401);
    const wrong = await worker("/api/channels", { headers: { authorization: "Bearer nope" } });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "missing or wrong admin token" });
  });

  it("lists the default echo workspace on a fresh database", async () => {
    const { body } = await api("GET", "/workspaces");
    expect(body.workspaces).toContainEqual(expect.objectContaining({ id: "ws_default", backend: "echo", isDefault: true }));
  });
});

describe("creating a channel", () => {
  it("tests a credential without saving it", async () => {
    const bot = await createBot();
    const ok = await api("POST", "/channels/test", { provider: "telegram", credentials: { botToken: bot.token } });
    expect(ok).toEqual({ status: 200, body: { ok: true, account: { id: String(bot.id), name: bot.username } } });
    expect((await api("GET", "/channels")).body.channels.some((channel: any) => channel.account.id === String(bot.id))).toBe(false);
  });

  it("answers 400 with Telegram's words for a token Telegram refuses, and stores nothing", async () => {
    const before = (await api("GET", "/channels")).body.channels.length;
    const result = await api("POST", "/channels", {
      provider: "telegram",
      workspaceId: "ws_default",
      credentials: { botToken: "123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
    });
    expect(result.status).toBe(400);
    expect(result.body.error).toBe("credential rejected: Telegram getMe: Unauthorized");
    expect((await api("GET", "/channels")).body.channels.length).toBe(before);
  });

  it("answers 400 for a malformed token before calling Telegram", async () => {
    const result = await api("POST", "/channels", { provider: "telegram", workspaceId: "ws_default", credentials: { botToken: "not-a-token" } });
    expect(result.status).toBe(400);
    // Named as the form names the field, not by its path in the body.
    expect(result.body.error).toMatch(/^Bot token: a Telegram bot token looks like/);
    expect(result.body.field).toBe("credentials.botToken");
  });

  it("validates the body with clear errors", async () => {
    const bot = await createBot();
    const cases: [unknown, RegExp][] = [
      [{ provider: "telegram", credentials: { botToken: bot.token } }, /^workspaceId: /],
      [{ provider: "carrier-pigeon", workspaceId: "ws_default", credentials: {} }, /carrier-pigeon" is not available/],
      [{ provider: "telegram", workspaceId: "ws_missing", credentials: { botToken: bot.token } }, /no workspace "ws_missing"/],
      [{ provider: "telegram", workspaceId: "ws_default", credentials: { botToken: bot.token }, settings: { dmPolicy: "everyone" } }, /^settings\.dmPolicy: /],
    ];
    for (const [body, message] of cases) {
      const result = await api("POST", "/channels", body);
      expect(result.status, JSON.stringify(body)).toBe(400);
      expect(result.body.error).toMatch(message);
    }
    const notJson = await worker("/api/channels", { method: "POST", headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` }, body: "{" });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: "request body must be JSON" });
    const huge = await worker("/api/channels", {
      method: "POST",
      headers: { authorization: `Bearer ${env.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ provider: "telegram", pad: "x".repeat(300_000) }),
    });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ error: "request body too large" });
  });

  it("never returns or stores the token in the clear", async () => {
    const channel = await startTelegramChannel();
    const listed = JSON.stringify((await api("GET", "/channels")).body);
    const single = JSON.stringify((await api("GET", `/channels/${channel.id}`)).body);
    for (const text of [listed, single]) {
      expect(text).not.toContain(channel.bot.token);
      expect(text).not.toContain(channel.secret);
    }
    expect((await api("GET", `/channels/${channel.id}`)).body.channel.credentials).toBe("configured");
    const row = await env.DB.prepare("SELECT * FROM channels WHERE id = ?").bind(channel.id).first();
    expect(JSON.stringify(row)).not.toContain(channel.bot.token.split(":")[1]);
    expect(JSON.stringify(row)).not.toContain(channel.secret);
    const logs = JSON.stringify((await api("GET", `/channels/${channel.id}/logs`)).body);
    expect(logs).not.toContain(channel.bot.token);
  });

  it("answers 409 with the impact scope when the bot is connected elsewhere, and moves it on force", async () => {
    const first = await startTelegramChannel();
    const body = { provider: "telegram", workspaceId: "ws_default", credentials: { botToken: first.bot.token } };
    const conflict = await api("POST", "/channels", body);
    expect(conflict.status).toBe(409);
    expect(conflict.body.impact).toEqual([
      { channelId: first.id, displayName: null, status: "running", workspaceId: "ws_default", workspaceName: "Default (echo)" },
    ]);

    const forced = await api("POST", "/channels", { ...body, force: true });
    expect(forced.status).toBe(201);
    const old = (await api("GET", `/channels/${first.id}`)).body.channel;
    expect(old.status).toBe("stopped");
    expect(old.statusReason).toContain(forced.body.channel.id);
    expect((await telegramCalls(first.bot, "deleteWebhook")).length).toBe(1);
  });
});

describe("running a channel", () => {
  it("start registers the webhook with a per-channel secret and the command menu", async () => {
    const channel = await startTelegramChannel();
    const [setWebhook] = await telegramCalls(channel.bot, "setWebhook");
    expect(setWebhook!.params).toEqual({
      url: `https://switchboard.example/webhooks/telegram/${channel.id}`,
      secret_token: expect.stringMatching(/^[A-Za-z0-9_-]{32,}$/),
      allowed_updates: ["message"],
    });
    const [commands] = await telegramCalls(channel.bot, "setMyCommands");
    expect(commands!.params.commands.map((command: any) => command.command)).toEqual(["start", "new", "threads", "switch", "more", "help"]);
    expect((await api("GET", `/channels/${channel.id}`)).body.channel).toMatchObject({ status: "running", statusReason: null });

    const other = await startTelegramChannel();
    expect(other.secret).not.toBe(channel.secret);
  });

  it("shows an error with the provider's reason when Telegram rejects the webhook", async () => {
    const channel = await startTelegramChannel();
    const { injectTelegramFaults } = await import("../support/harness");
    await injectTelegramFaults(channel.bot, "setWebhook", [
      { status: 400, body: { ok: false, error_code: 400, description: "Bad Request: bad webhook: Failed to resolve host" } },
    ]);
    const retried = await api("POST", `/channels/${channel.id}/retry`);
    expect(retried.body).toEqual({ status: "error", reason: "webhook rejected by provider: Telegram setWebhook: Bad Request: bad webhook: Failed to resolve host" });
    expect((await api("POST", `/channels/${channel.id}/retry`)).body).toEqual({ status: "running", reason: null });
  });

  it("reports delivery problems Telegram sees (getWebhookInfo) as an error", async () => {
    const channel = await startTelegramChannel();
    await setWebhookError(channel.bot, "Wrong response from the webhook: 502 Bad Gateway");
    const { body } = await api("GET", `/channels/${channel.id}`);
    expect(body.channel.status).toBe("error");
    expect(body.channel.statusReason).toBe("Telegram cannot deliver to the webhook: Wrong response from the webhook: 502 Bad Gateway");

    // The next delivery that arrives shows the problem is over.
    await approvedUser(channel);
    const { eventually } = await import("../support/harness");
    await eventually(async () => {
      const listed = (await api("GET", "/channels")).body.channels.find((item: any) => item.id === channel.id);
      expect(listed).toMatchObject({ status: "running", statusReason: null });
    });
  });

  it("checks itself in the background, so the channel list shows a delivery problem too", async () => {
    const channel = await startTelegramChannel();
    const stub = env.CHANNEL.getByName(channel.id);
    // An alarm for the next background probe is armed when the channel starts.
    expect(await runInDurableObject(stub, (_instance, state) => state.storage.getAlarm())).toBeGreaterThan(Date.now() + 9 * 60_000);
    await setWebhookError(channel.bot, "Connection timed out");
    // Pretend the last probe was long ago, then let the alarm run.
    await inChannelStore(channel.id, (store) => {
      store.put("runningSince", 0);
      store.put("lastProbeAt", 0);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const listed = (await api("GET", "/channels")).body.channels.find((item: any) => item.id === channel.id);
    expect(listed).toMatchObject({ status: "error", statusReason: "Telegram cannot deliver to the webhook: Connection timed out" });
    expect((await telegramCalls(channel.bot, "getWebhookInfo")).length).toBe(1);
  });

  it("stop removes the webhook; later updates are acknowledged but not processed", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    const stopped = await api("POST", `/channels/${channel.id}/stop`);
    expect(stopped.body).toEqual({ status: "stopped", reason: "stopped by an admin" });
    expect((await telegramCalls(channel.bot, "deleteWebhook")).length).toBe(1);

    expect((await deliver(channel, dmUpdate(user, "anyone there?"))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const texts = (await telegramCalls(channel.bot, "sendMessage")).map((call) => call.params.text);
    expect(texts).not.toContain("Echo: anyone there?");
    const { body } = await api("GET", `/channels/${channel.id}/logs`);
    expect(body.logs[0]).toMatchObject({ event: "inbound.dropped", message: "Dropped: the channel is stopped" });
  });

  it("delete stops the channel and removes its users, codes and logs but keeps the threads", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    await deliver(channel, dmUpdate(user, "remember me"));
    const { waitForTexts } = await import("../support/harness");
    await waitForTexts(channel.bot, user.id, 2);

    expect((await api("DELETE", `/channels/${channel.id}`)).status).toBe(200);
    expect((await telegramCalls(channel.bot, "deleteWebhook")).length).toBe(1);
    expect((await api("GET", `/channels/${channel.id}`)).status).toBe(404);
    for (const table of ["channel_users", "invite_codes", "channel_logs", "chat_routes", "pairing_requests"]) {
      const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE channel_id = ?`).bind(channel.id).first<{ n: number }>();
      expect(row!.n, table).toBe(0);
    }
    const kept = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE channel_id = ?").bind(channel.id).first<{ n: number }>();
    expect(kept!.n).toBe(2);
    expect((await deliver(channel, dmUpdate(user, "hello?"))).status).toBe(404);
  });

  it("PATCH changes settings, keeps provider and workspace fixed", async () => {
    const channel = await startTelegramChannel();
    const patched = await api("PATCH", `/channels/${channel.id}`, { displayName: "Support bot", settings: { groupPolicy: "open" } });
    expect(patched.body.channel).toMatchObject({ displayName: "Support bot", settings: { groupPolicy: "open", dmPolicy: "pairing", requireMention: true } });
    expect((await api("PATCH", `/channels/${channel.id}`, { workspaceId: "ws_other" })).status).toBe(400);
    expect((await api("PATCH", `/channels/${channel.id}`, { settings: { dmPolicy: "sometimes" } })).status).toBe(400);
  });
});
