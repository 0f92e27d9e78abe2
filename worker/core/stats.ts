// Channel activity for the overview: hourly counters and a reply-latency histogram, merged into
// the series and totals the charts show. Pure functions, shared by the Durable Object (which
// counts) and the admin API (which reads the hourly rows back).

export const HOUR_MS = 60 * 60 * 1000;

/**
 * Upper edges of the latency buckets, in ms; one more bucket counts everything slower. Fine
 * where replies usually land (a few seconds), coarse beyond.
 */
export const LATENCY_BUCKETS_MS = [250, 500, 1000, 2000, 3000, 5000, 8000, 13_000, 20_000, 30_000, 60_000, 120_000, 300_000] as const;

export function hourOf(at: number): number {
  return Math.floor(at / HOUR_MS) * HOUR_MS;
}

/** The histogram bucket a latency falls into. */
export function latencyBucket(ms: number): number {
  const index = LATENCY_BUCKETS_MS.findIndex((edge) => ms <= edge);
  return index === -1 ? LATENCY_BUCKETS_MS.length : index;
}

export function emptyHistogram(): number[] {
  return new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
}

/** Adds `other` into `into` (histograms of any stored length). */
export function addHistogram(into: number[], other: readonly number[]): number[] {
  for (let index = 0; index < into.length; index++) into[index]! += Number(other[index] ?? 0) || 0;
  return into;
}

/**
 * The latency at percentile `p` (0–1) of a histogram, interpolated within its bucket; null when
 * nothing was measured. The slowest bucket has no upper edge: its lower edge is reported.
 */
export function percentile(histogram: readonly number[], p: number): number | null {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (let index = 0; index < histogram.length; index++) {
    const count = histogram[index]!;
    if (count === 0 || seen + count < rank) {
      seen += count;
      continue;
    }
    const lower = index === 0 ? 0 : LATENCY_BUCKETS_MS[index - 1]!;
    const upper = LATENCY_BUCKETS_MS[index];
    if (upper === undefined) return lower;
    return Math.round(lower + ((upper - lower) * (rank - seen)) / count);
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1]!;
}

/** One hour of one channel, as stored. */
export interface HourRow {
  channelId: string;
  hour: number;
  messagesIn: number;
  messagesOut: number;
  errors: number;
  pairingRequests: number;
  activeUsers: number;
  users24h: number;
  users7d: number;
  latency: readonly number[];
}

export interface SeriesPoint {
  at: number;
  messagesIn: number;
  messagesOut: number;
  errors: number;
  pairingRequests: number;
  /** Distinct senders per hour, summed over the point's hours (a user active in two hours counts twice). */
  activeUsers: number;
  p50: number | null;
  p95: number | null;
}

export interface Totals {
  messagesIn: number;
  messagesOut: number;
  errors: number;
  pairingRequests: number;
  /** Distinct senders in the window, as the channels last counted them. */
  activeUsers: number;
  replies: number;
  p50: number | null;
  p95: number | null;
}

export type StatsWindow = "24h" | "7d";

export const WINDOWS: Record<StatsWindow, { spanMs: number; stepMs: number }> = {
  "24h": { spanMs: 24 * HOUR_MS, stepMs: HOUR_MS },
  "7d": { spanMs: 7 * 24 * HOUR_MS, stepMs: 6 * HOUR_MS },
};

/**
 * The series (one point per step, oldest first, empty steps included) and totals of `rows`
 * over the window ending with the hour of `now`.
 */
export function summarize(rows: readonly HourRow[], window: StatsWindow, now = Date.now()): { from: number; stepMs: number; series: SeriesPoint[]; totals: Totals } {
  const { spanMs, stepMs } = WINDOWS[window];
  const end = hourOf(now) + HOUR_MS;
  const from = end - spanMs;
  const steps = spanMs / stepMs;
  const points = Array.from({ length: steps }, (_, index) => ({ at: from + index * stepMs, counts: blankCounts(), histogram: emptyHistogram() }));
  const all = emptyHistogram();
  const totals = blankCounts();
  // Active users in the window: each channel's newest count (channels do not share users).
  const newest = new Map<string, HourRow>();
  for (const row of rows) {
    if (row.hour < from || row.hour >= end) continue;
    const point = points[Math.floor((row.hour - from) / stepMs)]!;
    addCounts(point.counts, row);
    addCounts(totals, row);
    addHistogram(point.histogram, row.latency);
    addHistogram(all, row.latency);
    const seen = newest.get(row.channelId);
    if (!seen || seen.hour < row.hour) newest.set(row.channelId, row);
  }
  const activeUsers = [...newest.values()].reduce((sum, row) => sum + (window === "24h" ? row.users24h : row.users7d), 0);
  return {
    from,
    stepMs,
    series: points.map((point) => ({ at: point.at, ...point.counts, p50: percentile(point.histogram, 0.5), p95: percentile(point.histogram, 0.95) })),
    totals: {
      ...totals,
      activeUsers,
      replies: all.reduce((sum, count) => sum + count, 0),
      p50: percentile(all, 0.5),
      p95: percentile(all, 0.95),
    },
  };
}

function blankCounts() {
  return { messagesIn: 0, messagesOut: 0, errors: 0, pairingRequests: 0, activeUsers: 0 };
}

function addCounts(into: ReturnType<typeof blankCounts>, row: HourRow): void {
  into.messagesIn += row.messagesIn;
  into.messagesOut += row.messagesOut;
  into.errors += row.errors;
  into.pairingRequests += row.pairingRequests;
  into.activeUsers += row.activeUsers;
}
