// Nothing lost, nothing doubled: webhook verification, de-duplication, the outbox's retries.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  api,
  approvedUser,
  channelLogs,
  deliver,
  dmUpdate,
  eventually,
  injectTelegramFaults,
  newUser,
  restartChannelObject,
  sentTexts,
  startTelegramChannel,
  telegramCalls,
  waitForTexts,
  worker,
} from "../support/harness";

async function inboxSize(channelId: string): Promise<number> {
  return runInDurableObject(env.CHANNEL.getByName(channelId), (_instance, state) =>
    state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM inbox").one().n,
  );
}

describe("webhook verification", () => {
  it("401s a wrong or missing secret and stores nothing", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    const user = newUser();
    const wrong = await deliver(channel, dmUpdate(user, "hi"), `${channel.secret.slice(0, -1)}${channel.secret.endsWith("x") ? "y" : "x"}`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "unauthorized" });
    expect((await deliver(channel, dmUpdate(user, "hi"), null)).status).toBe(401);

    expect(await inboxSize(channel.id)).toBe(0);
    const users = await env.DB.prepare("SELECT count(*) AS n FROM channel_users WHERE channel_id = ?").bind(channel.id).first<{ n: number }>();
    expect(users!.n).toBe(0);
    const logs = await channelLogs(channel.id, "warn");
    // Two rejections within a minute: one entry (repeats are counted, then summarised).
    expect(logs.filter((log) => log.event === "inbound.rejected")).toHaveLength(1);
    expect(JSON.stringify(logs)).not.toContain(channel.secret);
    expect(await sentTexts(channel.bot, user.id)).toEqual([]);
  });

  it("400s a body that is not an update, 413s an oversized one, 404s unknown channels", async () => {
    const channel = await startTelegramChannel();
    const headers = { "content-type": "application/json", "x-telegram-bot-api-secret-token": channel.secret };
    const malformed = await worker(`/webhooks/telegram/${channel.id}`, { method: "POST", headers, body: "{not json" });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: "malformed request" });
    const huge = await worker(`/webhooks/telegram/${channel.id}`, { method: "POST", headers, body: JSON.stringify({ update_id: 1, pad: "x".repeat(1_100_000) }) });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toEqual({ error: "payload too large" });
    expect((await worker("/webhooks/telegram/ch_doesnotexist", { method: "POST", headers, body: "{}" })).status).toBe(404);
    expect((await worker(`/webhooks/slack/${channel.id}`, { method: "POST", headers, body: "{}" })).status).toBe(404);
    expect(await inboxSize(channel.id)).toBe(0);
  });

  it("acknowledges before a slow agent answers", async () => {
    const slow = await api("POST", "/workspaces", { name: "Very slow echo", backend: "echo", config: { delayMs: 2500 } });
    const channel = await startTelegramChannel({ workspaceId: slow.body.workspace.id, settings: { dmPolicy: "open" } });
    const user = newUser();
    const response = await deliver(channel, dmUpdate(user, "take your time"));
    expect(response.status).toBe(200);
    expect(await inboxSize(channel.id)).toBe(1);
    expect(await sentTexts(channel.bot, user.id)).toEqual([]);
    expect(await waitForTexts(channel.bot, user.id, 1)).toEqual(["Echo: take your time"]);
  });
});

describe("logs during a long pass", () => {
  it("reach D1 while the pass still runs, not only when it ends", async () => {
    const slow = await api("POST", "/workspaces", { name: "Echo slow enough to hold a pass", backend: "echo", config: { delayMs: 6000 } });
    const channel = await startTelegramChannel({ workspaceId: slow.body.workspace.id, settings: { dmPolicy: "open" } });
    const waiting = newUser();
    const asking = newUser();
    await deliver(channel, dmUpdate(waiting, "a question that takes a while"));
    // A command is answered at once, inside the pass the slow turn keeps running.
    await deliver(channel, dmUpdate(asking, "/help"));
    await waitForTexts(channel.bot, asking.id, 1);
    // Read D1 itself: the logs API would flush first.
    const sentInD1 = await eventually(async () => {
      const { results } = await env.DB.prepare("SELECT event FROM channel_logs WHERE channel_id = ? AND event = 'outbound.sent'").bind(channel.id).all<{ event: string }>();
      expect(results.length).toBeGreaterThan(0);
      return results.length;
    }, 4000);
    expect(sentInD1).toBe(1); // the /help answer; the slow turn's is still to come
    expect(await sentTexts(channel.bot, waiting.id)).toEqual([]);
    expect(await waitForTexts(channel.bot, waiting.id, 1)).toEqual(["Echo: a question that takes a while"]);
  });
});

describe("de-duplication", () => {
  it("the same update delivered three times, one after another, gets one reply", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    const update = dmUpdate(user, "only once please");
    for (let i = 0; i < 3; i++) expect((await deliver(channel, update)).status).toBe(200);
    await waitForTexts(channel.bot, user.id, 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await sentTexts(channel.bot, user.id)).filter((text) => text === "Echo: only once please")).toHaveLength(1);
    const duplicates = (await channelLogs(channel.id)).filter((log) => log.event === "inbound.duplicate");
    expect(duplicates).toHaveLength(1);
  });

  it("the same update delivered three times concurrently gets one reply", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    const update = dmUpdate(user, "concurrent");
    const responses = await Promise.all([deliver(channel, update), deliver(channel, update), deliver(channel, update)]);
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    await waitForTexts(channel.bot, user.id, 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await sentTexts(channel.bot, user.id)).filter((text) => text === "Echo: concurrent")).toHaveLength(1);
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE channel_id = ? AND text = 'concurrent'").bind(channel.id).first<{ n: number }>();
    expect(rows!.n).toBe(1);
    expect((await channelLogs(channel.id)).filter((log) => log.event === "inbound.duplicate")).toHaveLength(1);
    expect(await inboxSize(channel.id)).toBe(2); // the invite-code message and this one
  });
});

describe("handling an event again", () => {
  it("after a restart that lost its 'done' mark, does not send the reply a second time", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    const user = newUser();
    const update = dmUpdate(user, "exactly once");
    await deliver(channel, update);
    await waitForTexts(channel.bot, user.id, 1);

    // As if the object died after sending but before marking the event handled: the event is
    // back to pending with its message, as a restart finds it.
    const stub = env.CHANNEL.getByName(channel.id);
    const message = {
      eventId: String(update.update_id),
      chat: { id: String(user.id), type: "direct" },
      sender: { id: String(user.id), username: user.username, displayName: user.first_name },
      address: String(user.id),
      messageId: String(update.message.message_id),
      text: "exactly once",
      addressedToBot: true,
      sentAt: update.message.date * 1000,
    };
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE inbox SET state = 'pending', next_attempt_at = 0, message = ? WHERE event_id = ?",
        JSON.stringify(message),
        message.eventId,
      );
    });
    // ...and the restart itself: the object keeps its queue counts in memory, read anew by a fresh instance.
    const restarted = await restartChannelObject(channel.id);
    await runInDurableObject(restarted, (_instance, state) => state.storage.setAlarm(Date.now()));
    await eventually(async () => {
      const pending = await runInDurableObject(restarted, (_instance, state) =>
        state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM inbox WHERE state = 'pending'").one().n,
      );
      expect(pending).toBe(0);
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sentTexts(channel.bot, user.id)).toEqual(["Echo: exactly once"]);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE channel_id = ?").bind(channel.id).first<{ n: number }>();
    expect(stored!.n).toBe(2);
  });
});

describe("a question and its answer", () => {
  /** The chat's stored messages, oldest first, as the thread shows them. */
  const storedChat = async (channelId: string) =>
    (await env.DB.prepare("SELECT role, text FROM messages WHERE channel_id = ? ORDER BY created_at").bind(channelId).all<{ role: string; text: string }>()).results;

  it("while D1 refuses the question nothing is answered; once it takes it, one answer, stored after its question", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    const user = newUser();
    expect((await deliver(channel, dmUpdate(user, "first"))).status).toBe(200);
    await waitForTexts(channel.bot, user.id, 1); // the chat has its thread: the next question goes to D1 beside the agent's run

    await env.DB.prepare(
      "CREATE TRIGGER refuse_question BEFORE INSERT ON messages WHEN NEW.role = 'user' AND NEW.text = 'not yet' BEGIN SELECT RAISE(ABORT, 'question refused'); END",
    ).run();
    try {
      expect((await deliver(channel, dmUpdate(user, "not yet"))).status).toBe(200);
      await eventually(async () => expect((await channelLogs(channel.id, "warn")).map((log) => log.event)).toContain("inbound.retry"));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The echo answered at once, but neither the answer nor an apology left, nor was stored.
      expect(await sentTexts(channel.bot, user.id)).toEqual(["Echo: first"]);
      expect(await storedChat(channel.id)).toEqual([
        { role: "user", text: "first" },
        { role: "assistant", text: "Echo: first" },
      ]);
    } finally {
      await env.DB.prepare("DROP TRIGGER IF EXISTS refuse_question").run();
    }

    // The retry (after 2 s) stores both and answers once.
    await waitForTexts(channel.bot, user.id, 2, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sentTexts(channel.bot, user.id)).toEqual(["Echo: first", "Echo: not yet"]);
    expect(await storedChat(channel.id)).toEqual([
      { role: "user", text: "first" },
      { role: "assistant", text: "Echo: first" },
      { role: "user", text: "not yet" },
      { role: "assistant", text: "Echo: not yet" },
    ]);
  });
});

describe("outbox retries", () => {
  it("honours 429 retry_after: the reply arrives after the wait", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    await injectTelegramFaults(channel.bot, "sendMessage", [
      { status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 2", parameters: { retry_after: 2 } } },
    ]);
    await deliver(channel, dmUpdate(user, "rate me"));
    const texts = await waitForTexts(channel.bot, user.id, 3);
    expect(texts.slice(1)).toEqual(["Echo: rate me", "Echo: rate me"]); // the refused attempt, then the delivery
    const attempts = (await telegramCalls(channel.bot, "sendMessage")).filter((call) => call.params.text === "Echo: rate me");
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(2000);
    expect(await channelLogs(channel.id, "warn")).toContainEqual(expect.objectContaining({ event: "outbound.retry", message: expect.stringContaining("Send failed (rate-limited), retrying in 2 s") }));
  });

  it("retries a provider 5xx with back-off", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    await injectTelegramFaults(channel.bot, "sendMessage", [
      { status: 502, body: "<html>Bad Gateway</html>" },
      { status: 500, body: { ok: false, error_code: 500, description: "Internal Server Error" } },
    ]);
    await deliver(channel, dmUpdate(user, "through the storm"));
    const attempts = await eventually(async () => {
      const calls = (await telegramCalls(channel.bot, "sendMessage")).filter((call) => call.params.text === "Echo: through the storm");
      expect(calls).toHaveLength(3);
      return calls;
    }, 10_000);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(900);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(1900);
  });

  it("gives up after a bound and logs an error", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    const busy = { status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 0", parameters: { retry_after: 0 } } };
    await injectTelegramFaults(channel.bot, "sendMessage", Array(6).fill(busy));
    await deliver(channel, dmUpdate(user, "doomed"));
    await eventually(async () =>
      expect(await channelLogs(channel.id, "error")).toContainEqual(
        expect.objectContaining({ event: "outbound.failed", message: "Not sent, gave up after 6 attempts: Telegram sendMessage: Too Many Requests: retry after 0" }),
      ),
    );
    expect((await sentTexts(channel.bot, user.id)).filter((text) => text === "Echo: doomed")).toHaveLength(6);
  });

  it("a revoked token puts the channel in error with the reason", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    await injectTelegramFaults(channel.bot, "sendMessage", [{ status: 401, body: { ok: false, error_code: 401, description: "Unauthorized" } }]);
    await deliver(channel, dmUpdate(user, "hello"));
    await eventually(async () => {
      const { body } = await api("GET", "/channels");
      const row = body.channels.find((item: any) => item.id === channel.id);
      expect(row).toMatchObject({ status: "error", statusReason: "token revoked or invalid (Telegram sendMessage: Unauthorized)" });
    });
  });

  it("splits a reply longer than Telegram's 4096 characters", async () => {
    const long = await api("POST", "/workspaces", { name: "Verbose echo", backend: "echo", config: { prefix: `${"lorem ipsum ".repeat(300)}\n\n` } });
    const channel = await startTelegramChannel({ workspaceId: long.body.workspace.id, settings: { dmPolicy: "open" } });
    const user = newUser();
    const question = "dolor sit amet ".repeat(200).trim();
    await deliver(channel, dmUpdate(user, question));
    const texts = await waitForTexts(channel.bot, user.id, 2);
    expect(texts).toHaveLength(2);
    for (const text of texts) expect(text.length).toBeLessThanOrEqual(4096);
    expect(texts[1]).toBe(question);
  });
});
