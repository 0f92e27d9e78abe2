// GET /api/stats: the overview's numbers and charts, from the hourly rows the channels write
// (worker/core/stats.ts merges them), plus what waits for an admin: pending pairing requests.
import { Hono } from "hono";
import * as z from "zod";
import { summarize, WINDOWS, type StatsWindow } from "../../core/stats";
import { getDb } from "../../db/client";
import { channels } from "../../db/schema";
import { pendingPairingCounts, statsSince } from "../../db/stats";
import type { Env } from "../../env";
import { ApiError } from "../../http/errors";
import { channelOr404 } from "./channels";

const querySchema = z.object({ window: z.enum(["24h", "7d"]).default("24h"), channelId: z.string().optional() });

export const statsRoutes = new Hono<{ Bindings: Env }>()
  .get("/stats", async (c) => {
    const query = querySchema.safeParse(c.req.query());
    if (!query.success) throw new ApiError(400, `query: ${query.error.issues[0]!.message}`);
    const { window, channelId } = query.data;
    const db = getDb(c.env.DB);
    if (channelId) await channelOr404(db, channelId);
    const now = Date.now();
    const rows = await statsSince(db, now - WINDOWS[window as StatsWindow].spanMs - WINDOWS["24h"].stepMs, channelId);
    const pending = await pendingPairingCounts(db, now);
    const list = channelId ? [{ id: channelId }] : await db.select({ id: channels.id }).from(channels).orderBy(channels.createdAt).all();
    const overall = summarize(rows, window, now);
    return c.json({
      window,
      from: overall.from,
      stepMs: overall.stepMs,
      total: { ...overall.totals, pendingPairing: list.reduce((sum, channel) => sum + (pending.get(channel.id) ?? 0), 0) },
      series: overall.series,
      channels: list.map((channel) => {
        const own = summarize(rows.filter((row) => row.channelId === channel.id), window, now);
        return { channelId: channel.id, totals: { ...own.totals, pendingPairing: pending.get(channel.id) ?? 0 }, series: own.series };
      }),
    });
  })
  .get("/pairing/pending", async (c) => {
    // The navigation's badge: how many requests wait, over all channels.
    const pending = await pendingPairingCounts(getDb(c.env.DB));
    return c.json({ pending: [...pending.values()].reduce((sum, n) => sum + n, 0), channels: Object.fromEntries(pending) });
  });
