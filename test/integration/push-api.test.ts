// The push API: agents and alerting systems post into threads or to users with workspace keys.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, approvedUser, deliver, dmUpdate, sentTexts, startTelegramChannel, waitForTexts, worker } from "../support/harness";

function push(path: string, key: string | null, body: unknown, headers: Record<string, string> = {}) {
  return worker(`/push/v1${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
}

async function newKey(workspaceId = "ws_default", name = "alerts") {
  const created = await api("POST", `/workspaces/${workspaceId}/api-keys`, { name });
  expect(created.status).toBe(201);
  return created.body.apiKey as { id: string; key: string; prefix: string };
}

/** A user with one conversation, so their thread exists and is active. */
async function userWithThread(workspaceId = "ws_default") {
  const channel = await startTelegramChannel({ workspaceId });
  const user = await approvedUser(channel);
  await deliver(channel, dmUpdate(user, "Watch the deploy"));
  await waitForTexts(channel.bot, user.id, 2);
  const route = await env.DB.prepare("SELECT active_thread_id AS threadId FROM chat_routes WHERE channel_id = ?").bind(channel.id).first<{ threadId: string }>();
  return { channel, user, threadId: route!.threadId };
}

describe("push API keys", () => {
  it("shows a key once and stores only its hash", async () => {
    const key = await newKey();
    expect(key.key).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    const listed = await api("GET", "/workspaces/ws_default/api-keys");
    expect(JSON.stringify(listed.body)).not.toContain(key.key);
    expect(listed.body.apiKeys).toContainEqual(expect.objectContaining({ id: key.id, name: "alerts", prefix: key.key.slice(0, 10), revokedAt: null }));
    const stored = await env.DB.prepare("SELECT * FROM workspace_api_keys WHERE id = ?").bind(key.id).first();
    expect(JSON.stringify(stored)).not.toContain(key.key.slice(4));
  });

  it("refuses missing, wrong and revoked keys", async () => {
    const { threadId } = await userWithThread();
    const key = await newKey();
    expect((await push(`/threads/${threadId}/messages`, null, { text: "x" })).status).toBe(401);
    const wrong = await push(`/threads/${threadId}/messages`, `sbk_${"A".repeat(43)}`, { text: "x" });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: "unknown API key" });
    expect((await push(`/threads/${threadId}/messages`, "Bearer-less-garbage", { text: "x" })).status).toBe(401);

    expect((await api("DELETE", `/workspaces/ws_default/api-keys/${key.id}`)).status).toBe(200);
    const revoked = await push(`/threads/${threadId}/messages`, key.key, { text: "x" });
    expect(revoked.status).toBe(401);
    expect(await revoked.json()).toEqual({ error: "this API key was revoked" });
    expect((await api("DELETE", `/workspaces/ws_default/api-keys/${key.id}`)).status).toBe(404);
  });

  it("keeps workspaces apart", async () => {
    const { threadId } = await userWithThread();
    const other = await api("POST", "/workspaces", { name: "Other", backend: "echo" });
    const key = await newKey(other.body.workspace.id);
    const response = await push(`/threads/${threadId}/messages`, key.key, { text: "not yours" });
    expect(response.status).toBe(404);
  });
});

describe("pushing messages", () => {
  it("delivers into the thread where it is active, once per idempotency key", async () => {
    const { channel, user, threadId } = await userWithThread();
    const key = await newKey();
    const first = await push(`/threads/${threadId}/messages`, key.key, { text: "Deploy finished: all green" }, { "idempotency-key": "deploy-42" });
    expect(first.status).toBe(202);
    expect(await first.json()).toMatchObject({ delivered: 1, held: 0 });
    await push(`/threads/${threadId}/messages`, key.key, { text: "Deploy finished: all green" }, { "idempotency-key": "deploy-42" });
    expect((await waitForTexts(channel.bot, user.id, 3))[2]).toBe("Deploy finished: all green");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await sentTexts(channel.bot, user.id)).filter((text) => text === "Deploy finished: all green")).toHaveLength(1);
    const stored = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE thread_id = ? AND text = ?").bind(threadId, "Deploy finished: all green").first<{ n: number }>();
    expect(stored!.n).toBe(1);
  });

  it("holds a push for a thread the user is not in, and /switch announces it", async () => {
    const { channel, user, threadId } = await userWithThread();
    await deliver(channel, dmUpdate(user, "/new Lunch plans"));
    await waitForTexts(channel.bot, user.id, 3);
    const key = await newKey();
    const response = await push(`/threads/${threadId}/messages`, key.key, { text: "PagerDuty: CPU at 95%" });
    expect(await response.json()).toMatchObject({ delivered: 0, held: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sentTexts(channel.bot, user.id)).not.toContain("PagerDuty: CPU at 95%");

    await deliver(channel, dmUpdate(user, "/threads"));
    const listing = (await waitForTexts(channel.bot, user.id, 4))[3]!;
    const number = /(\d)\. Watch the deploy \(1 unread\)/.exec(listing)![1];
    await deliver(channel, dmUpdate(user, `/switch ${number}`));
    expect((await waitForTexts(channel.bot, user.id, 5))[4]).toContain("1 reply while you were away. Use /more to read all.");
    await deliver(channel, dmUpdate(user, "/more"));
    expect((await waitForTexts(channel.bot, user.id, 6))[5]).toBe("PagerDuty: CPU at 95%");
  });

  it("sends straight to an approved channel user", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    const [stored] = (await api("GET", `/channels/${channel.id}/users`)).body.users;
    const key = await newKey();
    const response = await push(`/channels/${channel.id}/users/${stored.id}/messages`, key.key, { text: "You are on call tonight" });
    expect(response.status).toBe(202);
    expect((await waitForTexts(channel.bot, user.id, 2))[1]).toBe("You are on call tonight");

    await api("PATCH", `/channels/${channel.id}/users/${stored.id}`, { disabled: true });
    const refused = await push(`/channels/${channel.id}/users/${stored.id}/messages`, key.key, { text: "again" });
    expect(refused.status).toBe(409);
  });

  it("rejects an empty message with a clear error", async () => {
    const { threadId } = await userWithThread();
    const key = await newKey();
    const response = await push(`/threads/${threadId}/messages`, key.key, { text: "   " });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^text: /);
  });
});

describe("idempotency keys", () => {
  async function storedTexts(threadId: string): Promise<string[]> {
    const rows = await env.DB.prepare("SELECT text FROM messages WHERE thread_id = ? AND id LIKE 'msg_push_%' ORDER BY created_at").bind(threadId).all<{ text: string }>();
    return rows.results.map((row) => row.text);
  }

  it("belong to one workspace: another workspace's push with the same key is stored and delivered", async () => {
    const mine = await userWithThread();
    const theirsId = (await api("POST", "/workspaces", { name: "Theirs", backend: "echo" })).body.workspace.id as string;
    const theirs = await userWithThread(theirsId);
    const headers = { "idempotency-key": "deploy-42" };
    expect((await push(`/threads/${mine.threadId}/messages`, (await newKey()).key, { text: "Mine" }, headers)).status).toBe(202);
    const response = await push(`/threads/${theirs.threadId}/messages`, (await newKey(theirsId)).key, { text: "Theirs" }, headers);
    expect(response.status).toBe(202);
    expect(await response.json()).toMatchObject({ delivered: 1 });
    expect(await storedTexts(theirs.threadId)).toEqual(["Theirs"]);
    expect((await waitForTexts(theirs.channel.bot, theirs.user.id, 3))[2]).toBe("Theirs");
  });

  it("belong to one target: the same key for another thread or user is a new message", async () => {
    const first = await userWithThread();
    const second = await userWithThread();
    const key = (await newKey()).key;
    const headers = { "idempotency-key": "nightly-report" };
    await push(`/threads/${first.threadId}/messages`, key, { text: "Report for the first" }, headers);
    await push(`/threads/${second.threadId}/messages`, key, { text: "Report for the second" }, headers);
    expect(await storedTexts(first.threadId)).toEqual(["Report for the first"]);
    expect(await storedTexts(second.threadId)).toEqual(["Report for the second"]);

    const [user] = (await api("GET", `/channels/${first.channel.id}/users`)).body.users;
    const direct = await push(`/channels/${first.channel.id}/users/${user.id}/messages`, key, { text: "Report, directly" }, headers);
    expect(direct.status).toBe(202);
    await waitForTexts(first.channel.bot, first.user.id, 4);
    expect(await sentTexts(first.channel.bot, first.user.id)).toContain("Report, directly");
  });

  it("are taken whole: keys made only of symbols do not collapse into one", async () => {
    const { threadId } = await userWithThread();
    const key = (await newKey()).key;
    for (const [idempotencyKey, text] of [["!!!", "first"], ["???", "second"], ["!!!", "first again"]]) {
      expect((await push(`/threads/${threadId}/messages`, key, { text }, { "idempotency-key": idempotencyKey! })).status).toBe(202);
    }
    expect(await storedTexts(threadId)).toEqual(["first", "second"]);
  });

  it("refuses an empty or overlong key with 400, and stores nothing", async () => {
    const { threadId } = await userWithThread();
    const key = (await newKey()).key;
    for (const idempotencyKey of ["", "k".repeat(256)]) {
      const response = await push(`/threads/${threadId}/messages`, key, { text: "x" }, { "idempotency-key": idempotencyKey });
      expect(response.status, JSON.stringify(idempotencyKey)).toBe(400);
      expect(((await response.json()) as { error: string }).error).toMatch(/^Idempotency-Key /);
    }
    expect(await storedTexts(threadId)).toEqual([]);
  });
});
