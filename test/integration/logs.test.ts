// Logs record every decision, are filtered by level and stay bounded per channel.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LOGS_KEPT_PER_CHANNEL } from "../../worker/db/logs";
import { api, approvedUser, channelLogs, deliver, dmUpdate, eventually, newUser, startTelegramChannel, waitForTexts } from "../support/harness";

async function logCount(channelId: string): Promise<number> {
  return (await env.DB.prepare("SELECT count(*) AS n FROM channel_logs WHERE channel_id = ?").bind(channelId).first<{ n: number }>())!.n;
}

describe("channel logs", () => {
  it("keeps the newest entries when a channel exceeds its bound", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    await env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO channel_logs (channel_id, level, event, message, created_at) SELECT ?, 'info', 'test.filler', 'old entry ' || i, 0 FROM n`,
    )
      .bind(LOGS_KEPT_PER_CHANNEL, channel.id)
      .run();
    expect(await logCount(channel.id)).toBeGreaterThan(LOGS_KEPT_PER_CHANNEL);

    // Enough new entries at once to need several insert statements (D1's 100-parameter limit).
    const user = newUser();
    await Promise.all(Array.from({ length: 12 }, (_, i) => deliver(channel, dmUpdate(user, `message ${i}`))));
    await eventually(async () => expect((await channelLogs(channel.id)).filter((log) => log.event === "outbound.sent")).toHaveLength(12));
    expect(await logCount(channel.id)).toBe(LOGS_KEPT_PER_CHANNEL);
    const oldest = await env.DB.prepare("SELECT message FROM channel_logs WHERE channel_id = ? ORDER BY id LIMIT 1").bind(channel.id).first<{ message: string }>();
    expect(oldest!.message).not.toBe("old entry 1");
  });

  it("filters by level, newest first, and rejects a bad query", async () => {
    const channel = await startTelegramChannel();
    await deliver(channel, dmUpdate(newUser(), "hi"), "wrong-secret");
    const warnings = await channelLogs(channel.id, "warn");
    expect(warnings.map((log) => log.event)).toEqual(["inbound.rejected"]);
    const all = await channelLogs(channel.id);
    expect(all.map((log) => log.event)).toEqual(["inbound.rejected", "channel.started"]);
    expect((await api("GET", `/channels/${channel.id}/logs?level=loud`)).status).toBe(400);
    expect((await api("GET", `/channels/${channel.id}/logs?limit=0`)).status).toBe(400);
  });
});

describe("log search and sender names", () => {
  it("finds entries by text in the message, event or details, and names the senders", async () => {
    const channel = await startTelegramChannel();
    const ada = await approvedUser(channel, "Ada");
    await deliver(channel, dmUpdate(ada, "a very particular phrase"));
    await waitForTexts(channel.bot, ada.id, 2);
    const found = await api("GET", `/channels/${channel.id}/logs?q=particular%20phrase`);
    expect(found.body.logs.length).toBeGreaterThanOrEqual(1);
    expect(found.body.logs.every((entry: any) => JSON.stringify(entry).includes("particular phrase"))).toBe(true);
    expect(found.body.users).toEqual({ [String(ada.id)]: "Ada" });
    const byEvent = await api("GET", `/channels/${channel.id}/logs?q=channel.started`);
    expect(byEvent.body.logs.map((entry: any) => entry.event)).toEqual(["channel.started"]);
    // LIKE wildcards are searched for literally.
    expect((await api("GET", `/channels/${channel.id}/logs?q=%25`)).body.logs).toEqual([]);
  });
});
