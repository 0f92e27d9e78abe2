// Bounds on what outsiders and busy chats can make a channel store: message length, threads per
// chat, settings arrays, paged lists, pruned leftovers, invite codes kept out of the logs.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { pruneStaleAccess, STALE_AFTER_MS } from "../../worker/db/pairing";
import { getDb } from "../../worker/db/client";
import { api, approvedUser, channelLogs, deliver, dmUpdate, eventually, newUser, startTelegramChannel, waitForTexts } from "../support/harness";

describe("growth bounds", () => {
  it("cuts a huge message to 16,000 characters before storing it, with a log line", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    const user = newUser();
    await deliver(channel, dmUpdate(user, "x".repeat(20_000)));
    await waitForTexts(channel.bot, user.id, 1);
    const stored = await env.DB.prepare("SELECT length(text) AS n FROM messages WHERE channel_id = ? AND role = 'user'").bind(channel.id).first<{ n: number }>();
    expect(stored!.n).toBe(16_000);
    expect((await channelLogs(channel.id, "warn")).some((log) => log.event === "inbound.truncated")).toBe(true);
  });

  it("refuses /new beyond 100 threads in one chat", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    const owner = `${channel.id}:dm:${user.id}`;
    const inserts = Array.from({ length: 100 }, (_, i) =>
      env.DB.prepare("INSERT INTO threads (id, workspace_id, title, kind, owner_key, last_message_at) VALUES (?, 'ws_default', ?, 'personal', ?, ?)").bind(`th_cap${channel.id}${i}`, `t${i}`, owner, i),
    );
    await env.DB.batch(inserts);
    await deliver(channel, dmUpdate(user, "/new One more"));
    expect((await waitForTexts(channel.bot, user.id, 2))[1]).toBe("You have 100 threads, the most one chat can have. Use /threads and /switch to go back to one.");
  });

  it("refuses oversized settings arrays with 400 and keeps the old settings", async () => {
    const channel = await startTelegramChannel();
    const response = await api("PATCH", `/channels/${channel.id}`, { settings: { allowedGroups: Array.from({ length: 501 }, (_, i) => `-100${i}`) } });
    expect(response.status).toBe(400);
    expect((await api("GET", `/channels/${channel.id}`)).body.channel.settings.allowedGroups).toEqual([]);
  });

  it("pages the user list", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    for (const name of ["A", "B", "C"]) {
      const user = newUser(name);
      await deliver(channel, dmUpdate(user, "hi"));
      await waitForTexts(channel.bot, user.id, 1);
    }
    const first = await api("GET", `/channels/${channel.id}/users?limit=2`);
    expect(first.body.users).toHaveLength(2);
    expect(first.body.nextOffset).toBe(2);
    const second = await api("GET", `/channels/${channel.id}/users?limit=2&offset=2`);
    expect(second.body.users).toHaveLength(1);
    expect(second.body.nextOffset).toBeNull();
    expect(new Set([...first.body.users, ...second.body.users].map((user: { id: string }) => user.id)).size).toBe(3);
  });

  it("prunes long-expired requests and silent pending users, keeps the rest", async () => {
    const channel = await startTelegramChannel();
    const old = Date.now() - STALE_AFTER_MS - 1000;
    await env.DB.batch([
      env.DB.prepare("INSERT INTO channel_users (id, channel_id, provider_user_id, state, last_seen_at) VALUES (?, ?, 'gone', 'pending', ?)").bind(`usr_gone${channel.id}`, channel.id, old),
      env.DB.prepare("INSERT INTO channel_users (id, channel_id, provider_user_id, state, last_seen_at) VALUES (?, ?, 'kept', 'approved', ?)").bind(`usr_kept${channel.id}`, channel.id, old),
      env.DB.prepare("INSERT INTO pairing_requests (id, channel_id, user_id, chat_id, code, status, created_at, expires_at) VALUES (?, ?, ?, 'gone', 'ABCDEFGH', 'pending', ?, ?)").bind(
        `pr_gone${channel.id}`,
        channel.id,
        `usr_gone${channel.id}`,
        old,
        old,
      ),
    ]);
    await pruneStaleAccess(getDb(env.DB), channel.id);
    const users = await env.DB.prepare("SELECT provider_user_id AS id FROM channel_users WHERE channel_id = ?").bind(channel.id).all<{ id: string }>();
    expect(users.results.map((row) => row.id)).toEqual(["kept"]);
    const requests = await env.DB.prepare("SELECT count(*) AS n FROM pairing_requests WHERE channel_id = ?").bind(channel.id).first<{ n: number }>();
    expect(requests!.n).toBe(0);
  });

  it("never logs an invite code typed with /start", async () => {
    const channel = await startTelegramChannel();
    const invite = await api("POST", `/channels/${channel.id}/invite-codes`);
    const user = newUser();
    await deliver(channel, dmUpdate(user, `/start ${invite.body.inviteCode.code}`));
    await waitForTexts(channel.bot, user.id, 1);
    await eventually(async () => expect((await channelLogs(channel.id)).some((log) => log.event === "invite.redeemed")).toBe(true));
    expect(JSON.stringify(await channelLogs(channel.id))).not.toContain(invite.body.inviteCode.code);
  });
});
