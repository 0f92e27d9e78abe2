// What a hostile or careless world does to a channel: made-up channel ids, a stop while work is
// queued, pushes that would reach people a chat message could not, replayed old deliveries.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, approvedUser, channelLogs, deliver, dmUpdate, eventually, newUser, sentTexts, startTelegramChannel, waitForTexts, worker } from "../support/harness";

function push(path: string, key: string, body: unknown) {
  return worker(`/push/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
}

async function newKey() {
  return (await api("POST", "/workspaces/ws_default/api-keys", { name: "alerts" })).body.apiKey.key as string;
}

const storedCount = async (channelId: string, text: string) =>
  (await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE channel_id = ? AND text = ?").bind(channelId, text).first<{ n: number }>())!.n;

describe("unknown channels", () => {
  it("a webhook for a made-up channel id gets 404 and leaves no storage behind", async () => {
    const ids = Array.from({ length: 20 }, (_, index) => `ch_madeup${Date.now().toString(36)}${index}`);
    for (const id of ids) {
      const response = await worker(`/webhooks/telegram/${id}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(response.status).toBe(404);
    }
    for (const id of ids) {
      const tables = await runInDurableObject(env.CHANNEL.getByName(id), (_instance, state) =>
        state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").one().n,
      );
      expect(tables).toBe(0);
    }
  });
});

describe("a stopped channel", () => {
  it("starts no backend run and sends nothing; queued messages are answered after the next start", async () => {
    const slow = await api("POST", "/workspaces", { name: "Slow for stop", backend: "echo", config: { delayMs: 1200 } });
    const channel = await startTelegramChannel({ workspaceId: slow.body.workspace.id, settings: { dmPolicy: "open" } });
    const user = newUser();
    for (const text of ["first", "second", "third"]) await deliver(channel, dmUpdate(user, text));
    await eventually(async () => expect(await storedCount(channel.id, "first")).toBe(1));
    expect((await api("POST", `/channels/${channel.id}/stop`)).body.status).toBe("stopped");

    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await sentTexts(channel.bot, user.id)).toEqual([]);
    expect(await storedCount(channel.id, "second")).toBe(0); // no backend run started for it

    expect((await api("POST", `/channels/${channel.id}/start`)).body.status).toBe("running");
    expect(await waitForTexts(channel.bot, user.id, 3, 10_000)).toEqual(["Echo: first", "Echo: second", "Echo: third"]);
  });

  it("refuses pushes with 409", async () => {
    const channel = await startTelegramChannel();
    await approvedUser(channel);
    const [stored] = (await api("GET", `/channels/${channel.id}/users`)).body.users;
    await api("POST", `/channels/${channel.id}/stop`);
    const response = await push(`/channels/${channel.id}/users/${stored.id}/messages`, await newKey(), { text: "on call" });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: "not delivered: the channel is stopped" });
  });
});

describe("thread pushes", () => {
  it("do not reach a disabled user through their active thread", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    await deliver(channel, dmUpdate(user, "Watch the deploy"));
    await waitForTexts(channel.bot, user.id, 2);
    const route = await env.DB.prepare("SELECT active_thread_id AS threadId FROM chat_routes WHERE channel_id = ?").bind(channel.id).first<{ threadId: string }>();
    const [stored] = (await api("GET", `/channels/${channel.id}/users`)).body.users;
    await api("PATCH", `/channels/${channel.id}/users/${stored.id}`, { disabled: true });

    const response = await push(`/threads/${route!.threadId}/messages`, await newKey(), { text: "Deploy finished" });
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ delivered: 0, held: 0, refused: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sentTexts(channel.bot, user.id)).not.toContain("Deploy finished");
    expect((await channelLogs(channel.id)).some((log) => log.event === "push.refused" && log.message.includes("the user is disabled"))).toBe(true);
  });
});

describe("replayed deliveries", () => {
  it("drops a message sent more than a day ago, with a log line", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    const user = newUser();
    const old = dmUpdate(user, "from 2023");
    old.message.date = Math.floor(Date.UTC(2023, 4, 1) / 1000);
    expect((await deliver(channel, old)).status).toBe(200);
    await eventually(async () => expect((await channelLogs(channel.id, "warn")).some((log) => log.event === "inbound.stale")).toBe(true));
    expect(await sentTexts(channel.bot, user.id)).toEqual([]);
  });
});

describe("a noisy sender", () => {
  it("a pending user who writes 60 times hears the pairing code and one reminder, in a few log lines", async () => {
    const channel = await startTelegramChannel();
    const user = newUser();
    for (let i = 0; i < 60; i++) await deliver(channel, dmUpdate(user, `hello ${i}`));
    await eventually(async () => {
      const pending = await env.DB.prepare("SELECT count(*) AS n FROM channel_users WHERE channel_id = ?").bind(channel.id).first<{ n: number }>();
      expect(pending!.n).toBe(1);
      const logs = await channelLogs(channel.id);
      expect(logs.filter((log) => log.event === "pairing.pending")).toHaveLength(1);
    }, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const texts = await sentTexts(channel.bot, user.id);
    expect(texts).toHaveLength(2);
    expect(texts[1]).toMatch(/^Still waiting for an admin/);
    expect((await channelLogs(channel.id)).length).toBeLessThan(10);
  });

  it("an approved user over the pace is told to slow down once; others are answered meanwhile", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    const noisy = newUser("Noisy");
    const quiet = newUser("Quiet");
    const updates = Array.from({ length: 30 }, (_, i) => dmUpdate(noisy, `msg ${i}`));
    await Promise.all(updates.map((update) => deliver(channel, update)));
    await deliver(channel, dmUpdate(quiet, "hi"));
    expect(await waitForTexts(channel.bot, quiet.id, 1)).toEqual(["Echo: hi"]);
    await eventually(async () => {
      const texts = await sentTexts(channel.bot, noisy.id);
      expect(texts.filter((text) => text.startsWith("You are sending messages faster"))).toHaveLength(1);
    }, 15_000);
    await eventually(async () => expect((await channelLogs(channel.id)).some((log) => log.event === "inbound.rate_limited")).toBe(true));
    // The burst is answered; beyond it, only what the pace refilled meanwhile (exact pace: unit test).
    const echoes = await eventually(async () => {
      const sent = (await sentTexts(channel.bot, noisy.id)).filter((text) => text.startsWith("Echo: "));
      expect(sent.length).toBeGreaterThanOrEqual(20);
      return sent;
    }, 15_000);
    expect(echoes.length).toBeLessThan(30);
  });
});
