// The overview's arithmetic: latency buckets and percentiles, and hourly rows merged into a
// window's series and totals.
import { describe, expect, it } from "vitest";
import { addHistogram, emptyHistogram, HOUR_MS, hourOf, LATENCY_BUCKETS_MS, latencyBucket, percentile, summarize, type HourRow } from "../../worker/core/stats";

function histogramOf(latencies: number[]): number[] {
  const histogram = emptyHistogram();
  for (const ms of latencies) histogram[latencyBucket(ms)]! += 1;
  return histogram;
}

function row(channelId: string, hour: number, values: Partial<HourRow> = {}): HourRow {
  return { channelId, hour, messagesIn: 0, messagesOut: 0, errors: 0, pairingRequests: 0, activeUsers: 0, users24h: 0, users7d: 0, latency: [], ...values };
}

describe("latency histogram", () => {
  it("puts a latency into the first bucket whose edge it does not pass, the slowest into the overflow bucket", () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(250)).toBe(0);
    expect(latencyBucket(251)).toBe(1);
    expect(latencyBucket(2500)).toBe(4);
    expect(latencyBucket(10 * 60_000)).toBe(LATENCY_BUCKETS_MS.length);
  });

  it("estimates percentiles inside the bucket, and says null when nothing was measured", () => {
    expect(percentile(emptyHistogram(), 0.5)).toBeNull();
    // 100 replies, evenly 1–2 s: the median is about 1.5 s, p95 near 2 s.
    const histogram = histogramOf(Array.from({ length: 100 }, (_, i) => 1001 + i * 9));
    expect(percentile(histogram, 0.5)).toBe(1500);
    expect(percentile(histogram, 0.95)).toBe(1950);
    // One slow outlier does not move the median but is the p95 of a small sample.
    const mixed = histogramOf([300, 300, 300, 300, 300, 300, 300, 300, 300, 45_000]);
    expect(percentile(mixed, 0.5)).toBeLessThanOrEqual(500);
    expect(percentile(mixed, 0.95)).toBeGreaterThan(30_000);
    expect(percentile(histogramOf([9 * 60_000]), 0.5)).toBe(300_000);
  });

  it("adds histograms of different stored lengths", () => {
    expect(addHistogram([1, 2, 3], [1, 1])).toEqual([2, 3, 3]);
  });
});

describe("summarize", () => {
  const now = Date.UTC(2026, 0, 10, 15, 30);
  const thisHour = hourOf(now);

  it("24h: one point per hour, oldest first, empty hours included; totals add the channels up", () => {
    const rows = [
      row("a", thisHour, { messagesIn: 5, messagesOut: 6, errors: 1, activeUsers: 2, users24h: 3, users7d: 9, latency: histogramOf([400, 600]) }),
      row("a", thisHour - 2 * HOUR_MS, { messagesIn: 2, messagesOut: 2, pairingRequests: 1, activeUsers: 1, users24h: 2, users7d: 8, latency: histogramOf([900]) }),
      row("b", thisHour - HOUR_MS, { messagesIn: 1, messagesOut: 1, activeUsers: 1, users24h: 1, users7d: 1 }),
      // Outside the window: ignored.
      row("a", thisHour - 30 * HOUR_MS, { messagesIn: 100 }),
    ];
    const { series, totals, from, stepMs } = summarize(rows, "24h", now);
    expect(series).toHaveLength(24);
    expect(stepMs).toBe(HOUR_MS);
    expect(from).toBe(thisHour - 23 * HOUR_MS);
    expect(series.at(-1)).toMatchObject({ at: thisHour, messagesIn: 5, messagesOut: 6, errors: 1, activeUsers: 2 });
    expect(series.at(-2)).toMatchObject({ messagesIn: 1, p50: null });
    expect(series.at(-3)).toMatchObject({ messagesIn: 2, pairingRequests: 1 });
    expect(series.slice(0, 21).every((point) => point.messagesIn === 0)).toBe(true);
    expect(totals).toMatchObject({ messagesIn: 8, messagesOut: 9, errors: 1, pairingRequests: 1, replies: 3 });
    // Active users: each channel's newest distinct count for the window, added up.
    expect(totals.activeUsers).toBe(3 + 1);
    expect(totals.p50).toBeGreaterThan(500);
    expect(totals.p50).toBeLessThanOrEqual(1000);
  });

  it("7d: 28 points of six hours, and the 7-day distinct users", () => {
    const rows = [row("a", thisHour, { messagesIn: 1, users7d: 12, users24h: 2 }), row("a", thisHour - 5 * 24 * HOUR_MS, { messagesIn: 4 })];
    const { series, totals, stepMs } = summarize(rows, "7d", now);
    expect(series).toHaveLength(28);
    expect(stepMs).toBe(6 * HOUR_MS);
    expect(series.reduce((sum, point) => sum + point.messagesIn, 0)).toBe(5);
    expect(totals.activeUsers).toBe(12);
  });
});
