// The overview's numbers come from real traffic: the channel counts in its own storage and
// writes one row per hour to D1 with its log flush — never a D1 write per message.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, approvedUser, deliver, dmUpdate, eventually, newUser, startTelegramChannel, waitForTexts } from "../support/harness";

describe("channel activity", () => {
  it("counts messages in and out, active users, pairing requests and reply latency, per channel and in total", async () => {
    const channel = await startTelegramChannel();
    const ada = await approvedUser(channel, "Ada");
    for (const text of ["one", "two", "three"]) await deliver(channel, dmUpdate(ada, text));
    await waitForTexts(channel.bot, ada.id, 4);
    const stranger = newUser("Stranger");
    await deliver(channel, dmUpdate(stranger, "let me in"));
    await waitForTexts(channel.bot, stranger.id, 1);

    const stats = await eventually(async () => {
      const { body } = await api("GET", `/stats?window=24h&channelId=${channel.id}`);
      const own = body.channels[0].totals;
      // In: the invite, three messages, the stranger's. Out: acceptance, three answers, the code.
      expect(own).toMatchObject({ messagesIn: 5, messagesOut: 5, pairingRequests: 1, activeUsers: 2, pendingPairing: 1, errors: 0 });
      return body;
    });
    const own = stats.channels[0];
    expect(own.totals.replies).toBeGreaterThanOrEqual(4);
    expect(own.totals.p50).toBeGreaterThan(0);
    expect(own.totals.p95).toBeGreaterThanOrEqual(own.totals.p50);
    expect(own.series).toHaveLength(24);
    expect(own.series.at(-1).messagesIn).toBe(5);
    // All of it happened this hour: the hour's point and the totals agree.
    expect(own.series.at(-1).p50).toBe(own.totals.p50);
    expect(own.series.at(-1).p95).toBe(own.totals.p95);

    // One row per channel per hour in D1.
    const rows = await env.DB.prepare("SELECT count(*) AS n FROM channel_stats WHERE channel_id = ?").bind(channel.id).first<{ n: number }>();
    expect(rows!.n).toBe(1);

    // The overview adds every channel up; the list and the badge show the waiting request.
    const all = await api("GET", "/stats?window=7d");
    expect(all.body.total.messagesIn).toBeGreaterThanOrEqual(5);
    expect(all.body.series).toHaveLength(28);
    expect(all.body.channels.find((item: any) => item.channelId === channel.id).totals.pendingPairing).toBe(1);
    const list = await api("GET", "/channels");
    expect(list.body.channels.find((item: any) => item.id === channel.id).pendingPairing).toBe(1);
    const badge = await api("GET", "/pairing/pending");
    expect(badge.body.channels[channel.id]).toBe(1);
    expect(badge.body.pending).toBeGreaterThanOrEqual(1);
  });

  it("keeps one D1 row per channel and hour holding the hour's totals (written with the log flush)", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    const user = newUser();
    for (let i = 0; i < 6; i++) await deliver(channel, dmUpdate(user, `m${i}`));
    await waitForTexts(channel.bot, user.id, 6);
    await eventually(async () => {
      const row = await env.DB.prepare("SELECT messages_in, messages_out FROM channel_stats WHERE channel_id = ?").bind(channel.id).first<{ messages_in: number; messages_out: number }>();
      expect(row).toEqual({ messages_in: 6, messages_out: 6 });
    });
  });

  it("counts errors, and a deleted channel's activity goes with it", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    const user = newUser();
    const broken = await api("POST", "/workspaces", { name: "Broken", backend: "openai", config: { baseUrl: "http://127.0.0.1:9/v1", model: "m" } });
    const other = await startTelegramChannel({ workspaceId: broken.body.workspace.id, settings: { dmPolicy: "open" } });
    await deliver(other, dmUpdate(user, "hello?"));
    await waitForTexts(other.bot, user.id, 1);
    await eventually(async () => {
      const { body } = await api("GET", `/stats?channelId=${other.id}`);
      expect(body.channels[0].totals.errors).toBeGreaterThanOrEqual(1);
    });
    expect((await api("DELETE", `/channels/${other.id}`)).status).toBe(200);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM channel_stats WHERE channel_id = ?").bind(other.id).first<{ n: number }>();
    expect(left!.n).toBe(0);
    expect((await api("GET", `/stats?channelId=${other.id}`)).status).toBe(404);
    expect((await api("GET", `/stats?channelId=${channel.id}`)).status).toBe(200);
  });
});
