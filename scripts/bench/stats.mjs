// Percentiles and the summary of one load run.

/** Nearest-rank percentile of an unsorted array (p in 0..100). */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const pick = (values) => ({ p50: percentile(values, 50), p90: percentile(values, 90), p99: percentile(values, 99), max: Math.max(...values) });

/** Replies per second of each channel, when the job was spread over several (workload.mjs). */
function perChannel(result, answered) {
  const channels = [...new Set(result.items.map((item) => item.channel))].filter((channel) => channel !== undefined).sort((a, b) => a - b);
  if (channels.length < 2) return null;
  return channels.map((channel) => {
    const replied = answered.filter((item) => item.channel === channel).map((item) => item.replies[0]);
    return {
      channel,
      updates: result.items.filter((item) => item.channel === channel).length,
      replies: replied.length,
      repliesPerSecond: replied.length / ((Math.max(...replied, result.began) - result.began) / 1000),
    };
  });
}

export function summarize(result) {
  const acked = result.items.filter((item) => item.status === 200);
  const answered = acked.filter((item) => item.replies.length > 0);
  const e2e = (items) => items.map((item) => item.replies[0] - item.start);
  return {
    updates: result.items.length,
    chats: result.chats,
    ack: pick(acked.map((item) => item.ack - item.start)),
    e2e: answered.length > 0 ? pick(e2e(answered)) : null,
    // A chat's first message (new user: user row, thread, route) against later ones.
    e2eFirst: answered.some((item) => item.seq === 0) ? pick(e2e(answered.filter((item) => item.seq === 0))) : null,
    e2eLater: answered.some((item) => item.seq > 0) ? pick(e2e(answered.filter((item) => item.seq > 0))) : null,
    acksPerSecond: acked.length / result.sendSeconds,
    repliesPerSecond: answered.length / result.replySeconds,
    sendSeconds: result.sendSeconds,
    replySeconds: result.replySeconds,
    maxSendLagMs: result.maxSendLagMs,
    perChannel: perChannel(result, answered),
    checks: {
      unsent: result.unsent,
      failedAcks: result.failedAcks,
      lost: result.lost,
      doubled: result.doubled,
      unexpected: result.unexpected,
      misrouted: result.misrouted,
      outOfOrderChats: result.outOfOrderChats,
      timedOut: result.timedOut,
    },
  };
}

export const ms = (value) => (Number.isFinite(value) ? (value >= 100 ? value.toFixed(0) : value.toFixed(1)) : "–");
// Two decimals below 1 (a throughput ratio against a faster peer), one above.
export const ratio = (value, floor) => {
  if (!(Number.isFinite(value) && Number.isFinite(floor) && floor > 0)) return "–";
  const r = value / floor;
  return `${r < 1 ? r.toFixed(2) : r.toFixed(1)}×`;
};
