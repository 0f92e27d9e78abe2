// `npm run bench -- --soak`: a long run at a steady rate against one Switchboard channel, then
// an idle period, watching what short runs cannot show — turns that fail once the Worker has
// been busy for minutes (resources that outlive the work, such as armed timers), retries, and
// the workerd process's memory over time.
//
//   npm run bench -- --soak [--updates 20000] [--rate 50] [--idle 300] [--chats 2000] [--sample 5]
//
// Same setup as the latency bench (bench.mjs): the fake Telegram in this process, Switchboard
// bundled as deployed in its own process on 127.0.0.1, an open-DM channel on the echo backend.
// Update i comes from chat i mod --chats, sent at --rate per second (one update per chat in
// flight, at most --max-in-flight in all). Every --sample seconds the bench reads workerd's RSS
// from /proc/<pid>/status, and it keeps reading the channel's new warn/error log entries (the
// channel keeps only its newest 5,000 entries, so they are read as they come). Exits 1 if any update was refused,
// lost or answered with the "unavailable" text, or any turn failed.
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { Agent } from "node:http";
import { loadavg } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { bundle } from "./build.mjs";
import { post } from "./load.mjs";
import { machine } from "./report.mjs";
import { createTelegramChannel } from "./switchboard.mjs";
import { INSPECTOR_PORT, inspect, inspectorTargets } from "./inspector.mjs";
import { pinSelf, startTarget } from "./targets.mjs";
import { startFakeTelegram } from "./telegram.mjs";
import { telegramUpdate } from "./workload.mjs";

/** The reply a user gets when a turn fails (`texts.agentUnavailable` in durable-objects/channel/texts.ts). */
const UNAVAILABLE = /^The assistant is unavailable right now/;
/** Log events that mean a failed turn or a retry. */
const FAILURE_EVENTS = ["agent.failed", "inbound.retry", "inbound.failed", "outbound.retry", "outbound.failed"];
/** What workerd says when a Durable Object has too many timers armed. */
const RUNTIME_LIMIT = /active timeouts/i;
const CHAT_ID_BASE = 50_000_000;
/** Most rows the printed memory table shows (every sample is in the JSON). */
const MAX_TABLE_ROWS = 40;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message) => console.error(`· ${message}`);

export async function soak(argv) {
  const { values: args } = parseArgs({
    args: argv,
    options: {
      soak: { type: "boolean" },
      updates: { type: "string", default: "20000" },
      rate: { type: "string", default: "50" },
      idle: { type: "string", default: "300" },
      chats: { type: "string", default: "2000" },
      sample: { type: "string", default: "5" },
      "max-in-flight": { type: "string", default: "200" },
      keep: { type: "boolean", default: false },
    },
  });
  const bounded = (name, min, max) => {
    const value = Number(args[name]);
    if (!Number.isInteger(value) || value < min || value > max) throw new Error(`--${name} must be an integer from ${min} to ${max}`);
    return value;
  };
  const job = {
    updates: bounded("updates", 1, 100_000),
    rate: bounded("rate", 1, 5000),
    idleSeconds: bounded("idle", 0, 3600),
    chats: bounded("chats", 1, 100_000),
    sampleSeconds: bounded("sample", 1, 60),
    maxInFlight: bounded("max-in-flight", 1, 256),
  };
  job.chats = Math.min(job.chats, job.updates);

  // Bounded: past the planned duration plus a margin, stop everything and fail.
  const plannedMs = (job.updates / job.rate) * 1000 + job.idleSeconds * 1000;
  const watchdogMs = plannedMs * 1.5 + 5 * 60 * 1000;
  const runDir = join(".bench", `soak-${Date.now()}`);
  const cleanups = [];
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch((error) => console.error("cleanup:", error.message));
    if (!args.keep) rmSync(runDir, { recursive: true, force: true });
  };
  const watchdog = setTimeout(async () => {
    console.error(`bench --soak: still running after ${Math.round(watchdogMs / 60000)} min, giving up`);
    await cleanup();
    process.exit(2);
  }, watchdogMs);
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => cleanup().then(() => process.exit(130)));

  try {
    const loadBefore = loadavg().map((n) => Number(n.toFixed(2)));
    mkdirSync(runDir, { recursive: true });
    const pinning = pinSelf();
    log(pinning.note);
    log("bundling (wrangler deploy --dry-run)");
    const product = bundle(join(runDir, "bundle"));
    const telegram = await startFakeTelegram();
    cleanups.push(() => telegram.fakes.close());
    const adminToken = randomBytes(24).toString("base64url");
    const bindings = { ADMIN_TOKEN: adminToken, ENCRYPTION_KEY: randomBytes(32).toString("base64"), TELEGRAM_API_BASE: telegram.fakes.telegramApiBase };
    // The inspector lets the soak read the JS heap of Switchboard's isolate beside the process's RSS.
    const target = await startTarget({ kind: "switchboard", name: "switchboard-soak", mainModule: product.mainModule, bindings, persistDir: join(runDir, "state"), inspectorPort: INSPECTOR_PORT }, pinning);
    cleanups.push(target.stop);
    const workerdPid = findWorkerd(target.pid);
    if (!workerdPid) throw new Error("no workerd process under the target");
    const channel = await createTelegramChannel({ url: target.url, adminToken, fakes: telegram.fakes });

    const result = await run({ job, target, workerdPid, adminToken, channel, telegram });
    result.stateMiB = Math.round(treeBytes(join(runDir, "state")) / 1024 / 1024);
    const report = { job, ...result, product: { wranglerKiB: product.wranglerKiB }, pinning, loadAverage: { before: loadBefore, after: loadavg().map((n) => Number(n.toFixed(2))) }, machine: machine() };
    const text = soakReport(report);
    console.log(text);
    writeFileSync(join(".bench", "soak-last-run.md"), text);
    writeFileSync(join(".bench", "soak-last-run.json"), JSON.stringify(report, null, 2));
    log("written: .bench/soak-last-run.md, .bench/soak-last-run.json");
    const { checks } = result;
    return checks.notAcked + checks.lost + checks.unavailable + checks.failedTurns === 0 ? 0 : 1;
  } catch (error) {
    console.error("bench --soak failed:", error);
    return 1;
  } finally {
    clearTimeout(watchdog);
    await cleanup();
  }
}

/** Sends the job at its rate, idles, and samples memory and logs throughout. */
async function run({ job, target, workerdPid, adminToken, channel, telegram }) {
  const items = Array.from({ length: job.updates }, (_, index) => ({ chatId: CHAT_ID_BASE + (index % job.chats), status: null, replies: 0 }));
  const replies = { echoed: 0, unavailable: 0, doubled: 0, unexpected: 0 };
  const untap = telegram.onCall(({ method, params }) => {
    if (method !== "sendMessage" || typeof params.text !== "string") return;
    const match = /^Echo: soak-(\d+) hello$/.exec(params.text);
    if (match) {
      const item = items[Number(match[1])];
      if (!item) return void replies.unexpected++;
      item.replies += 1;
      if (item.replies === 1) replies.echoed++;
      else replies.doubled++;
    } else if (UNAVAILABLE.test(params.text)) replies.unavailable++;
  });

  const logs = channelLogReader({ url: target.url, adminToken, channelId: channel.channelId });
  const heap = await heapReader();
  const samples = [];
  let phase = "send";
  let sent = 0;
  const began = performance.now();
  // Memory on a fixed clock; logs in a loop of their own (a busy Worker answers the logs API slowly).
  const sample = () =>
    samples.push({
      seconds: Math.round((performance.now() - began) / 1000),
      phase,
      sent,
      echoed: replies.echoed,
      unavailable: replies.unavailable,
      failures: logs.failureCount(),
      ...readRss(workerdPid),
      ...heap.latest(),
    });
  sample();
  const sampler = setInterval(sample, job.sampleSeconds * 1000);
  let polling = true;
  const poller = (async () => {
    while (polling) {
      await Promise.all([logs.poll(), heap.read()]);
      await sleep(job.sampleSeconds * 1000);
    }
  })();

  log(`soak: ${job.updates} updates at ${job.rate}/s from ${job.chats} chats, then ${job.idleSeconds} s idle; workerd pid ${workerdPid}`);
  const agent = new Agent({ keepAlive: true, maxSockets: job.maxInFlight });
  const headers = { "content-type": "application/json", "x-telegram-bot-api-secret-token": channel.secret };
  const inChat = new Map(); // chatId -> the promise of its update in flight
  const requests = [];
  let inFlight = 0;
  let slotFreed = () => undefined;
  let maxLagMs = 0;
  const messageIds = new Map();
  for (let index = 0; index < job.updates; index++) {
    const due = began + (index * 1000) / job.rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    while (inFlight >= job.maxInFlight) await new Promise((resolve) => (slotFreed = resolve));
    const item = items[index];
    await inChat.get(item.chatId); // like Telegram: one update per chat in flight
    maxLagMs = Math.max(maxLagMs, performance.now() - due);
    const messageId = (messageIds.get(item.chatId) ?? 0) + 1;
    messageIds.set(item.chatId, messageId);
    const body = JSON.stringify(telegramUpdate(item.chatId, `soak-${index} hello`, messageId));
    inFlight += 1;
    sent += 1;
    const request = post(agent, channel.webhookUrl, headers, body).then((status) => {
      item.status = status;
      inFlight -= 1;
      slotFreed();
    });
    inChat.set(item.chatId, request);
    requests.push(request);
    if (index % 1000 === 999) log(`sent ${index + 1}, replies ${replies.echoed}, "unavailable" ${replies.unavailable}, workerd RSS ${readRss(workerdPid).rssMiB} MiB`);
  }
  await Promise.all(requests);
  agent.destroy();
  const sendSeconds = (performance.now() - began) / 1000;

  phase = "idle";
  log(`sent in ${sendSeconds.toFixed(0)} s; idling ${job.idleSeconds} s`);
  await sleep(job.idleSeconds * 1000);
  clearInterval(sampler);
  polling = false;
  await poller;
  await Promise.all([logs.poll(), heap.read()]);
  phase = "end";
  sample();
  untap();
  heap.close();

  const acked = items.filter((item) => item.status === 200).length;
  const failedTurns = logs.byEvent()["agent.failed"] ?? 0;
  return {
    sendSeconds,
    achievedRate: job.updates / sendSeconds,
    maxLagMs,
    replies,
    logs: { byEvent: logs.byEvent(), groups: logs.groups(), runtimeLimit: logs.runtimeLimit(), pollErrors: logs.pollErrors() },
    samples,
    checks: {
      notAcked: job.updates - acked,
      // Acknowledged, but neither the echo nor the "unavailable" reply came by the end of the idle period.
      lost: Math.max(0, acked - replies.echoed - replies.unavailable),
      unavailable: replies.unavailable,
      failedTurns,
      doubled: replies.doubled,
    },
  };
}

/** Reads the channel's warn/error entries newer than those already seen, through the admin API. */
function channelLogReader({ url, adminToken, channelId }) {
  const lastSeen = { warn: 0, error: 0 };
  const groups = {};
  const events = {};
  const runtime = {};
  let pollErrors = 0;
  async function fresh(level) {
    const entries = [];
    let before = "";
    for (let page = 0; page < 40; page++) {
      const response = await fetch(`${url}/api/channels/${channelId}/logs?level=${level}&limit=500${before}`, { headers: { authorization: `Bearer ${adminToken}` } });
      if (!response.ok) throw new Error(`logs API ${response.status}`);
      const { logs } = await response.json();
      const newer = logs.filter((entry) => entry.id > lastSeen[level]);
      entries.push(...newer);
      if (newer.length < logs.length || logs.length < 500) break;
      before = `&before=${logs.at(-1).id}`;
    }
    if (entries.length > 0) lastSeen[level] = Math.max(...entries.map((entry) => entry.id));
    return entries;
  }
  return {
    async poll() {
      for (const level of ["warn", "error"]) {
        let entries;
        try {
          entries = await fresh(level);
        } catch {
          pollErrors += 1;
          continue;
        }
        for (const entry of entries) {
          events[entry.event] = (events[entry.event] ?? 0) + 1;
          const key = `${entry.level} ${entry.event}: ${entry.message.replace(/\d+/g, "N")}`;
          groups[key] = (groups[key] ?? 0) + 1;
          if (RUNTIME_LIMIT.test(entry.message)) runtime[entry.event] = (runtime[entry.event] ?? 0) + 1;
        }
      }
    },
    failureCount: () => FAILURE_EVENTS.reduce((sum, event) => sum + (events[event] ?? 0), 0),
    byEvent: () => ({ ...events }),
    groups: () => ({ ...groups }),
    runtimeLimit: () => ({ ...runtime }),
    pollErrors: () => pollErrors,
  };
}

/** The workerd process among `pid`'s descendants (Miniflare starts one). */
function findWorkerd(pid) {
  const children = (id) => {
    try {
      return readdirSync(`/proc/${id}/task`).flatMap((task) => readFileSync(`/proc/${id}/task/${task}/children`, "utf8").split(" ").filter(Boolean));
    } catch {
      return [];
    }
  };
  const queue = [String(pid)];
  while (queue.length > 0) {
    const id = queue.shift();
    try {
      if (readFileSync(`/proc/${id}/comm`, "utf8").trim() === "workerd") return Number(id);
    } catch {
      continue;
    }
    queue.push(...children(id));
  }
  return null;
}

/**
 * Resident memory of `pid` in MiB from /proc/<pid>/status: VmRSS, and its anonymous part
 * (RssAnon: heaps) apart from file-backed pages (RssFile: the binary, mapped files); null if gone.
 */
function readRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const mib = (field) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)[1]) / 1024);
    return { rssMiB: mib("VmRSS"), anonMiB: mib("RssAnon"), fileMiB: mib("RssFile") };
  } catch {
    return { rssMiB: null, anonMiB: null, fileMiB: null };
  }
}

/** Bytes of the files under `dir` (the local D1 and Durable Object storage). */
function treeBytes(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += statSync(join(entry.parentPath, entry.name)).size;
  }
  return bytes;
}

const count = (value) => Math.round(value).toLocaleString("en-US");

/**
 * The JS heap in use by Switchboard's isolate (the Worker with its Durable Objects) and, together,
 * by the runtime's other isolates (the local D1 simulator, Miniflare's services), read through
 * workerd's inspector: what JavaScript holds, apart from the rest of the process's memory. It
 * includes garbage not yet collected (workerd's inspector cannot force a collection).
 */
async function heapReader() {
  const live = async (session) => (await session.send("Runtime.getHeapUsage")).usedSize;
  // Only isolates that answer are read (some of the runtime's never do).
  const sessions = [];
  for (const target of await inspectorTargets()) {
    const session = await inspect(target.url);
    if (await live(session).then(() => true, () => false)) sessions.push({ own: target.id.startsWith("core:user:"), session });
    else session.close();
  }
  let latest = { heapMiB: null, otherHeapsMiB: null };
  return {
    async read() {
      try {
        const sizes = await Promise.all(sessions.map(async ({ own, session }) => ({ own, bytes: await live(session) })));
        const mib = (bytes) => Math.round(bytes / 1024 / 1024);
        latest = {
          heapMiB: mib(sizes.filter((size) => size.own).reduce((sum, size) => sum + size.bytes, 0)),
          otherHeapsMiB: mib(sizes.filter((size) => !size.own).reduce((sum, size) => sum + size.bytes, 0)),
        };
      } catch {
        latest = { heapMiB: null, otherHeapsMiB: null };
      }
    },
    latest: () => latest,
    close: () => sessions.forEach(({ session }) => session.close()),
  };
}

/** The soak report as markdown (the "Soak" section of docs/performance.md). */
export function soakReport({ job, sendSeconds, achievedRate, maxLagMs, replies, logs, samples, checks, stateMiB, pinning, loadAverage, machine }) {
  const rss = samples.map((row) => row.rssMiB).filter((value) => value !== null);
  const peak = Math.max(...rss);
  const step = Math.max(1, Math.ceil(samples.length / MAX_TABLE_ROWS));
  const shown = samples.filter((_, index) => index % step === 0 || index === samples.length - 1);
  const bar = (value) => (value === null ? "" : "█".repeat(Math.max(1, Math.round((value / peak) * 30))));
  const lines = [
    `Soak: ${count(job.updates)} Telegram private-chat text updates from ${count(job.chats)} chats at ${job.rate}/s (achieved ${achievedRate.toFixed(1)}/s over ${sendSeconds.toFixed(0)} s; the sender was at most ${(maxLagMs / 1000).toFixed(1)} s behind schedule), then ${job.idleSeconds} s idle. One Switchboard channel, echo backend.`,
    "",
    "| | count |",
    "|---|---:|",
    `| updates acknowledged with 200 | ${count(job.updates - checks.notAcked)} |`,
    `| answered (echo) | ${count(replies.echoed)} |`,
    `| answered "The assistant is unavailable right now" | ${count(replies.unavailable)} |`,
    `| no answer by the end of the idle period | ${count(checks.lost)} |`,
    `| doubled answers | ${count(checks.doubled)} |`,
    ...FAILURE_EVENTS.map((event) => `| log \`${event}\` | ${count(logs.byEvent[event] ?? 0)} |`),
    `| of those, caused by the runtime's timer limit ("active timeouts") | ${count(Object.values(logs.runtimeLimit).reduce((a, b) => a + b, 0))} |`,
    "",
  ];
  const groups = Object.entries(logs.groups).sort((a, b) => b[1] - a[1]);
  if (groups.length === 0) lines.push("Warn/error log entries: none.");
  else lines.push("Warn/error log entries, grouped (digits blanked):", "");
  for (const [key, n] of groups.slice(0, 12)) lines.push(`- ${count(n)} × ${key.slice(0, 240)}`);
  if (groups.length > 12) lines.push(`- … ${groups.length - 12} more kinds`);
  if (logs.pollErrors > 0) lines.push(`- (the logs API failed ${logs.pollErrors} times while polling)`);
  lines.push(
    "",
    `workerd RSS (MiB) every ${job.sampleSeconds * step} s${step > 1 ? ` (every ${step}th sample; all are in .bench/soak-last-run.json)` : ""}: start ${rss[0]}, peak ${peak}, end ${rss.at(-1)}. "anon" is its anonymous memory (heaps), "file" its file-backed pages; "JS heap" is the V8 heap in use by Switchboard's isolate (the Worker with its Durable Objects) and "other heaps" that of the runtime's other isolates together (the local D1 simulator, Miniflare's services), read through workerd's inspector (garbage not yet collected included). Local D1 and Durable Object storage at the end: ${stateMiB} MiB on disk.`,
    "",
    "| t (s) | phase | sent | answered | unavailable | failures logged | RSS MiB | anon | file | JS heap MiB | other heaps MiB | |",
    "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ...shown.map(
      (row) =>
        `| ${row.seconds} | ${row.phase} | ${count(row.sent)} | ${count(row.echoed)} | ${count(row.unavailable)} | ${count(row.failures)} | ${row.rssMiB ?? "–"} | ${row.anonMiB ?? "–"} | ${row.fileMiB ?? "–"} | ${row.heapMiB ?? "–"} | ${row.otherHeapsMiB ?? "–"} | ${bar(row.rssMiB)} |`,
    ),
    "",
    `Code: ${machine.code}. Machine: ${machine.cpu}, ${machine.cores} cores; Node ${machine.node}; wrangler ${machine.wrangler}, workerd ${machine.workerd}; ${machine.date}. ${pinning.pinned ? "CPU pinned: load generator + fake Telegram on CPU 0, Worker (workerd) on CPU 1." : `CPU ${pinning.note}.`} Load average (1/5/15 min) before ${loadAverage.before.join(" / ")}, after ${loadAverage.after.join(" / ")}.`,
  );
  return `${lines.join("\n")}\n`;
}
