// The D1-count phase: reads the query tally of the counting build (workers/counting.ts) around
// messages sent one at a time, and turns the snapshots into per-message figures.
import { runLoad } from "./load.mjs";
import { percentile } from "./stats.mjs";
import { followUps, makeWorkload } from "./workload.mjs";

export async function readCounts(url) {
  const response = await fetch(`${url}/__bench/counts`);
  if (!response.ok) throw new Error(`GET /__bench/counts: ${response.status}`);
  return response.json();
}

/**
 * Waits until the tally stops moving (the Durable Object's alarm pass has ended and flushed
 * its logs to D1), polling for at most `limitMs`; returns the tally and whether it settled.
 */
export async function settledCounts(url, { quietMs = 250, limitMs = 10_000 } = {}) {
  const deadline = Date.now() + limitMs;
  let last = await readCounts(url);
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const now = await readCounts(url);
    if (now.d1.statements !== last.d1.statements || now.doSql.statements !== last.doSql.statements) quietSince = Date.now();
    else if (Date.now() - quietSince >= quietMs) return { ...now, settled: true };
    last = now;
  }
  return { ...last, settled: false };
}

function diff(after, before) {
  const keys = new Set([...Object.keys(after), ...Object.keys(before)]);
  return Object.fromEntries([...keys].map((key) => [key, (after[key] ?? 0) - (before[key] ?? 0)]).filter(([, n]) => n !== 0));
}

/** Per-message averages between two snapshots taken around `messages` handled messages. */
export function perMessage(before, after, messages) {
  const per = (n) => n / messages;
  const byStatement = (group) =>
    Object.entries(diff(after[group].byStatement, before[group].byStatement))
      .map(([statement, n]) => [statement, per(n)])
      .sort((a, b) => b[1] - a[1]);
  return {
    messages,
    d1RoundTrips: per(after.d1.roundTrips - before.d1.roundTrips),
    d1Statements: per(after.d1.statements - before.d1.statements),
    d1ByStatement: byStatement("d1"),
    doSqlMeasured: after.doSql.measured,
    doSqlStatements: per(after.doSql.statements - before.doSql.statements),
    doSqlByStatement: byStatement("doSql"),
  };
}

/**
 * The D1-count phase: `users` new users write one message each, then each writes again. One
 * message at a time, each waited for (reply delivered, tally settled), so every query in a
 * window belongs to that message — including its share of the log flush, which under load
 * would be spread over several messages.
 */
export async function countQueries({ url, webhookUrl, headers, telegram, users, chatIdBase }) {
  const one = async (item, prefix) => {
    const run = await runLoad({ url: webhookUrl, headers, telegram, concurrency: 1, prefix, graceMs: 0, replyDeadlineMs: 10_000, workload: [item] });
    const counts = await settledCounts(url);
    return { run, counts };
  };
  const warm = makeWorkload({ prefix: "cw", updates: 3, chatIdBase: chatIdBase + 900_000 });
  for (const item of warm) await one(item, "cw");
  const phase = async (workload, prefix) => {
    const before = await settledCounts(url);
    const runs = [];
    let settled = true;
    for (const item of workload) {
      const { run, counts } = await one(item, prefix);
      runs.push(run);
      settled &&= counts.settled;
    }
    const after = await settledCounts(url);
    const checks = Object.fromEntries(
      ["failedAcks", "lost", "doubled", "unexpected", "misrouted"].map((key) => [key, runs.reduce((sum, run) => sum + run[key], 0)]),
    );
    // Latency of a message sent alone (no queue): on this build, so only indicative.
    const e2e = runs.flatMap((run) => run.items.filter((item) => item.replies.length > 0).map((item) => item.replies[0] - item.start));
    return { ...perMessage(before, after, workload.length), settled: settled && after.settled, checks, e2eAlone: { p50: percentile(e2e, 50), max: Math.max(...e2e) } };
  };
  const first = makeWorkload({ prefix: "cn", updates: users, chatIdBase });
  const newUser = await phase(first, "cn");
  const knownUser = await phase(followUps(first, { prefix: "ck" }), "ck");
  return { newUser, knownUser };
}
