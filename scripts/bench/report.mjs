// The run's report as markdown: what docs/performance.md shows (paste it there).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { ms, ratio } from "./stats.mjs";

export function machine() {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
  const require = createRequire(import.meta.url);
  const wranglerPackage = require.resolve("wrangler/package.json");
  const miniflarePackage = createRequire(wranglerPackage).resolve("miniflare/package.json");
  const read = (path) => JSON.parse(readFileSync(path, "utf8"));
  return {
    cpu,
    cores: cpus().length, // all of the machine's CPUs (availableParallelism() sees only the pinned one)
    node: process.version,
    wrangler: read(wranglerPackage).version,
    miniflare: read(miniflarePackage).version,
    workerd: read(miniflarePackage).dependencies?.workerd ?? "?",
    date: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    code: codeVersion(),
  };
}

/** The commit measured, and whether the Worker's sources differed from it (the bench bundles the working tree). */
function codeVersion() {
  try {
    const git = (...args) => execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    const dirty = git("status", "--porcelain", "--", "worker", "durable-objects", "migrations", "wrangler.toml", "package-lock.json") !== "";
    return `commit ${git("rev-parse", "--short", "HEAD")}${dirty ? " with uncommitted changes to the Worker's sources" : ""}`;
  } catch {
    return "unknown commit";
  }
}

const perSecond = (value) => (Number.isFinite(value) && value > 0 ? Math.round(value).toLocaleString("en-US") : "–");
const fixed = (value) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
const nonZero = (checks) => Object.entries(checks).filter(([, value]) => value);

/**
 * The run's targets in table order, those measured only. `noOrder` marks the ones that promise
 * no reply order per chat: their order column is shown (with a footnote), not held against them.
 */
function targets(results, job) {
  const switchboard = [
    "**Switchboard, echo backend",
    job.channels > 1 ? `, ${job.channels} channels` : "",
    job.d1LatencyMs > 0 ? `, D1 +${job.d1LatencyMs} ms per round trip` : "",
    "**",
  ].join("");
  return [
    { key: "trivial", label: "Floor 1: Worker that only answers 200", short: "Floor 1" },
    { key: "echoFloor", label: "Floor 2: minimal echo Worker (reply in waitUntil)", short: "Floor 2", footnote: " ¹", noOrder: true },
    { key: "grammy", label: "Peer: grammY bot on workerd (replies before it acks)", short: "grammY" },
    { key: "chatSdk", label: "Peer: Chat SDK Telegram adapter on Node (concurrent)", short: "Chat SDK", footnote: " ²", noOrder: true },
    { key: "switchboard", label: switchboard, short: "Switchboard" },
  ]
    .filter((target) => results[target.key])
    .map((target) => ({ ...target, result: results[target.key] }));
}

function latencyTable(results, job) {
  const { trivial, echoFloor, switchboard } = results;
  const row = (name, r) =>
    `| ${name} | ${ms(r.ack.p50)} | ${ms(r.ack.p99)} | ${ms(r.e2e?.p50)} | ${ms(r.e2e?.p99)} | ${perSecond(r.acksPerSecond)} | ${perSecond(r.repliesPerSecond)} | ${r.cpuMsPerUpdate.toFixed(2)} |`;
  // Against a peer every column is a ratio: same job, same fake, same pinning.
  const peerRatio = (name, peer) =>
    `| Switchboard ÷ ${name} | ${ratio(switchboard.ack.p50, peer.ack.p50)} | ${ratio(switchboard.ack.p99, peer.ack.p99)} | ${ratio(switchboard.e2e?.p50, peer.e2e?.p50)} | ` +
    `${ratio(switchboard.e2e?.p99, peer.e2e?.p99)} | ${ratio(switchboard.acksPerSecond, peer.acksPerSecond)} | ${ratio(switchboard.repliesPerSecond, peer.repliesPerSecond)} | ` +
    `${ratio(switchboard.cpuMsPerUpdate, peer.cpuMsPerUpdate)} |`;
  return [
    "| Target | ack p50 | ack p99 | e2e p50 | e2e p99 | acks/s | replies/s | CPU ms/update |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...targets(results, job).map((target) => row(target.label, target.result)),
    `| Switchboard ÷ floor (ack ÷ floor 1, e2e ÷ floor 2) | ${ratio(switchboard.ack.p50, trivial.ack.p50)} | ${ratio(switchboard.ack.p99, trivial.ack.p99)} | ` +
      `${ratio(switchboard.e2e?.p50, echoFloor.e2e?.p50)} | ${ratio(switchboard.e2e?.p99, echoFloor.e2e?.p99)} | | | ${ratio(switchboard.cpuMsPerUpdate, echoFloor.cpuMsPerUpdate)} |`,
    ...(results.grammy ? [peerRatio("grammY", results.grammy)] : []),
    ...(results.chatSdk ? [peerRatio("Chat SDK", results.chatSdk)] : []),
  ];
}

/** The paced runs: floor 2, then Switchboard, offered the same rate after their jobs (bench.mjs). */
function pacedText(results, job) {
  const floor = results.echoFloor.paced;
  const switchboard = results.switchboard.paced;
  if (!floor || !switchboard) return [];
  const drainMs = (r) => Math.max(0, r.replySeconds - r.sendSeconds) * 1000;
  const row = (name, r) =>
    `| ${name} | ${perSecond(r.acksPerSecond)} | ${ms(r.maxSendLagMs)} | ${ms(r.ack.p50)} | ${ms(r.ack.p99)} | ${ms(r.e2e?.p50)} | ${ms(r.e2e?.p99)} | ` +
    `${perSecond(r.repliesPerSecond)} | ${ms(drainMs(r))} | ${r.cpuMsPerUpdate.toFixed(2)} |`;
  const share = Math.round((100 * floor.rate) / results.echoFloor.repliesPerSecond);
  return [
    "",
    `Paced (open loop): ${floor.updates.toLocaleString("en-US")} updates sent on a schedule at ${floor.rate.toLocaleString("en-US")}/s (${share} % of floor 2's replies/s above) ` +
      `for ${job.pacedSeconds} s, to each target right after its job; new chats and busy ones as in the job, one update in flight per chat. ` +
      "Ack and e2e are timed from each send's due time, so a target that falls behind shows it in both.",
    "",
    "| Target | acks/s | sender behind, max | ack p50 | ack p99 | e2e p50 | e2e p99 | replies/s | last reply after last ack | CPU ms/update |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    row("Floor 2 (paced)", floor),
    row("**Switchboard (paced)**", switchboard),
    `| Switchboard ÷ floor 2 | | | ${ratio(switchboard.ack.p50, floor.ack.p50)} | ${ratio(switchboard.ack.p99, floor.ack.p99)} | ` +
      `${ratio(switchboard.e2e?.p50, floor.e2e?.p50)} | ${ratio(switchboard.e2e?.p99, floor.e2e?.p99)} | ${ratio(switchboard.repliesPerSecond, floor.repliesPerSecond)} | | ` +
      `${ratio(switchboard.cpuMsPerUpdate, floor.cpuMsPerUpdate)} |`,
  ];
}

function checksTable(results, job) {
  const row = (name, r) => {
    const c = r.checks;
    const replies = (value) => (r.expectReplies ? value : "–");
    return `| ${name} | ${r.updates} | ${c.failedAcks + c.unsent} | ${replies(c.lost)} | ${replies(c.doubled)} | ${replies(c.unexpected + c.misrouted)} | ${replies(c.outOfOrderChats)} |`;
  };
  const measured = targets(results, job);
  return [
    "| Target | updates | not acked 200 | lost | doubled | stray replies | chats out of order |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...measured.map((target) => row(`${target.short}${target.footnote ?? ""}`, target.result)),
    "",
    "¹ Floor 2 sends each reply in waitUntil with no per-chat queue, so a chat's replies may overtake each other; its order column is shown, not held against it.",
    ...(results.chatSdk ? ["", "² The Chat SDK's `concurrent` strategy runs each message's handler at once, with no per-thread lock, so it promises no order either."] : []),
    ...measured.filter((target) => target.result.checks.timedOut).map((target) => `\n**Timed out (${target.short}):** ${target.result.checks.timedOut}`),
  ];
}

function d1Table(d1) {
  const row = (label, counts) =>
    `| ${label} | ${fixed(counts.d1RoundTrips)} | ${fixed(counts.d1Statements)} | ${counts.d1ByStatement.map(([s, n]) => `${s} ${fixed(n)}`).join(", ")} |`;
  const doSql = d1.newUser.doSqlMeasured
    ? `ChannelDO local SQLite (not D1; in-process, no network): ${fixed(d1.newUser.doSqlStatements)} statements per new-user message, ${fixed(d1.knownUser.doSqlStatements)} per known-user message.`
    : "ChannelDO local SQLite statements: not measured (the runtime refused the counting hook).";
  return [
    "| Message | D1 round trips | D1 statements | statements by kind |",
    "|---|---:|---:|---|",
    row("first message of a new user", d1.newUser),
    row("message from a known user", d1.knownUser),
    "",
    doSql,
    "",
    `A message sent alone (no queue, counting build): e2e p50 ${ms(d1.newUser.e2eAlone.p50)} ms for a new user, ${ms(d1.knownUser.e2eAlone.p50)} ms for a known user.`,
  ];
}

function d1LatencyText(job) {
  return job.d1LatencyMs > 0
    ? `D1 latency modelled: each D1 round trip of the Switchboard target waits ${job.d1LatencyMs} ms before it reaches the local database (build from scripts/bench/workers/d1-latency-entry.ts); the D1 count below runs without it.`
    : "D1 latency modelled: none (the local D1 is SQLite in the Worker's process, no network between them).";
}

/** Per-channel replies/s when the Switchboard job was spread over several channels. */
function scaleOutText(switchboard) {
  if (!switchboard.perChannel) return [];
  const channels = switchboard.perChannel;
  const each = channels.map((c) => `${perSecond(c.repliesPerSecond)} (${c.replies}/${c.updates})`).join(", ");
  return [
    "",
    `Scale-out: the Switchboard job spread over ${channels.length} channels, one bot each (chat i goes to channel i mod ${channels.length}); the row above is the aggregate. ` +
      `Replies/s per channel (replies/updates): ${each}.`,
  ];
}

function warningsText(warnings) {
  if (!warnings) return "not readable (see Anomalies)";
  const entries = Object.entries(warnings).sort((a, b) => b[1] - a[1]);
  return entries.length ? entries.map(([key, n]) => `${n} × "${key}"`).join("; ") : "none";
}

/** Things a reader must not miss; each is also a reason to look at the product. */
function anomalies({ results, job }) {
  const { switchboard, d1 } = results;
  const found = [];
  const paced = [
    { short: "Floor 2 (paced)", result: results.echoFloor.paced, noOrder: true },
    { short: "Switchboard (paced)", result: switchboard.paced },
  ].filter((run) => run.result);
  for (const { short, result, noOrder } of [...targets(results, job), ...paced]) {
    const { outOfOrderChats, ...rest } = result.checks;
    const failed = nonZero(noOrder ? rest : result.checks);
    if (failed.length) found.push(`${short}: delivery checks failed: ${JSON.stringify(Object.fromEntries(failed))}.`);
  }
  for (const [label, counts] of Object.entries({ "new-user": d1.newUser, "known-user": d1.knownUser })) {
    if (nonZero(counts.checks).length) found.push(`D1-count phase (${label}): delivery checks failed: ${JSON.stringify(Object.fromEntries(nonZero(counts.checks)))}.`);
    if (!counts.settled) found.push(`D1-count phase (${label}): the query tally never settled after a message — something keeps querying while idle.`);
  }
  const health = switchboard.afterRun;
  if (health.idleCpuPercent > 10) {
    found.push(`After the Switchboard job, with every reply delivered, the Worker process still used ${health.idleCpuPercent.toFixed(0)} % of a CPU while idle (3 s sample).`);
  }
  if (health.logsApiStatus !== 200) {
    found.push(`After the Switchboard job, GET /api/channels/<id>/logs answered ${health.logsApiStatus}: ${health.logsApiBody}`);
  }
  return found;
}

export function report({ job, results, product, pinning, machine }) {
  const { switchboard, echoFloor, d1, loadAverage } = results;
  const callsOf = (r) => Object.entries(r.botApiCalls).map(([method, n]) => `${method} ${fixed(n / r.updates)}`).join(", ");
  const calls = targets(results, job)
    .filter((target) => target.result.expectReplies)
    .map((target) => `${target.short}: ${callsOf(target.result)}`)
    .join("; ");
  const found = anomalies({ results, job });
  const lines = [
    `Job: ${job.updates.toLocaleString("en-US")} Telegram private-chat text updates, ${job.concurrency} concurrent, ${switchboard.chats.toLocaleString("en-US")} chats ` +
      `(${job.busyChats} chats get ${job.perBusyChat} messages each, one in flight per chat); ${job.warmup} warm-up updates first (not counted). Latencies in ms.`,
    "",
    ...latencyTable(results, job),
    ...pacedText(results, job),
    "",
    d1LatencyText(job),
    ...scaleOutText(switchboard),
    "",
    `Switchboard e2e by message: a chat's first message (new user) p50 ${ms(switchboard.e2eFirst?.p50)} / p99 ${ms(switchboard.e2eFirst?.p99)} ms; ` +
      `later messages of busy chats p50 ${ms(switchboard.e2eLater?.p50)} / p99 ${ms(switchboard.e2eLater?.p99)} ms. ` +
      `Ack max ${ms(switchboard.ack.max)} ms, e2e max ${ms(switchboard.e2e?.max)} ms. ` +
      `From first request to last reply the Switchboard process tree kept ${switchboard.cpuBusyPercent.toFixed(0)} % of a CPU busy ` +
      `(floor 2: ${echoFloor.cpuBusyPercent.toFixed(0)} %; near 100 % means CPU-bound, lower with work pending means other processes took the core).`,
    "",
    `Bot API calls per update — ${calls}.`,
    "",
    `Switchboard's warn/error log entries (warm-up and job): ${warningsText(switchboard.afterRun.warnings)}.`,
    "",
    "Delivery checks (must all be 0):",
    "",
    ...checksTable(results, job),
    "",
    `D1 per message (measured on the counting build, ${d1.newUser.messages} messages of each kind sent one at a time; a round trip is one call to D1, a batch counts once):`,
    "",
    ...d1Table(d1),
    "",
    `Bundle (\`wrangler deploy --dry-run\`): ${product.wranglerKiB} KiB, gzip ${product.wranglerGzipKiB} KiB (own check of index.js: ${product.ownKiB.toFixed(1)} KiB, gzip ${product.ownGzipKiB.toFixed(1)} KiB).`,
    "",
    `Code: ${machine.code}. Machine: ${machine.cpu}, ${machine.cores} cores; Node ${machine.node}; wrangler ${machine.wrangler}, miniflare ${machine.miniflare}, workerd ${machine.workerd}` +
      `${machine.peers ? `; peers: grammY ${machine.peers.grammy}, chat ${machine.peers.chat}, @chat-adapter/telegram ${machine.peers.telegramAdapter}` : ""}; ${machine.date}. ` +
      `CPU ${pinning.note}. Load average (1/5/15 min) before the run ${loadAverage.before.join(" / ")}, after ${loadAverage.after.join(" / ")}.`,
    "",
    found.length ? `**Anomalies:**\n\n${found.map((line) => `- ${line}`).join("\n")}` : "Anomalies: none.",
  ];
  return `${lines.join("\n")}\n`;
}
