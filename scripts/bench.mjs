// `npm run bench`: webhook-acknowledgement and end-to-end (update → sendMessage reply)
// latency of Switchboard with the echo backend, under concurrent Telegram load, beside two
// floors and two peers (a grammY bot, the Chat SDK's Telegram adapter) measured in the same
// run; plus the bundle size and D1 queries per message.
// Method and figures: docs/performance.md. Not part of `npm test`.
//
//   npm run bench [-- --updates 2000 --concurrency 50 --busy-chats 40 --per-busy-chat 10]
//   npm run bench -- --no-peers --d1-latency 20 --channels 4
//   npm run bench -- --paced-rate 300 [--paced-seconds 10]           (paced runs at 300/s; 0 s skips them)
//   npm run bench -- --soak [--updates 20000 --rate 50 --idle 300]   (scripts/bench/soak.mjs)
//   npm run bench -- --perf [--updates 4000]                          (scripts/bench/perf.mjs)
//   npm run bench -- --compare <git ref> [--rounds 3]                 (scripts/bench/compare.mjs)
//
// Everything runs on 127.0.0.1: the fake Telegram API (test/fakes) in this process, each
// Worker in its own process (scripts/bench/target.mjs). Exits 1 if any update was lost,
// doubled, refused or answered out of order.
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bundle } from "./bench/build.mjs";
import { countQueries } from "./bench/counts.mjs";
import { runLoad } from "./bench/load.mjs";
import { machine, report } from "./bench/report.mjs";
import { summarize } from "./bench/stats.mjs";
import { bundleGrammy, installPeers, peerTargets, peerVersions } from "./bench/peers.mjs";
import { createTelegramChannel } from "./bench/switchboard.mjs";
import { pinSelf, startTarget, treeCpuSeconds } from "./bench/targets.mjs";
import { startFakeTelegram } from "./bench/telegram.mjs";
import { makeWorkload, spreadOverChannels } from "./bench/workload.mjs";

// `--soak`: a long run at a steady rate, then idle (scripts/bench/soak.mjs), instead of this bench.
if (process.argv.includes("--soak")) process.exit(await (await import("./bench/soak.mjs")).soak(process.argv.slice(2)));
// `--profile`: CPU profiles of the Switchboard target under load (scripts/bench/profile.mjs).
if (process.argv.includes("--profile")) process.exit(await (await import("./bench/profile.mjs")).profile(process.argv.slice(2)));
// `--compare <ref>`: the working tree against a git ref, alternated over rounds (scripts/bench/compare.mjs).
if (process.argv.includes("--compare")) process.exit(await (await import("./bench/compare.mjs")).compare(process.argv.slice(2)));
// `--perf`: the whole process's CPU by where it goes, with Linux perf (scripts/bench/perf.mjs).
if (process.argv.includes("--perf")) process.exit(await (await import("./bench/perf.mjs")).perfProfile(process.argv.slice(2)));

const { values: args } = parseArgs({
  allowNegative: true, // --no-peers
  options: {
    updates: { type: "string", default: "2000" },
    concurrency: { type: "string", default: "50" },
    "busy-chats": { type: "string", default: "40" },
    "per-busy-chat": { type: "string", default: "10" },
    warmup: { type: "string", default: "200" },
    "count-users": { type: "string", default: "50" },
    peers: { type: "boolean", default: true }, // --no-peers: floors and Switchboard only
    "d1-latency": { type: "string", default: "0" }, // ms added to each D1 round trip of the Switchboard target
    channels: { type: "string", default: "1" }, // Switchboard channels (bots) the job is spread over
    "paced-seconds": { type: "string", default: "10" }, // length of the paced runs; 0 skips them
    "paced-rate": { type: "string", default: "0" }, // updates/s of the paced runs; 0: a share of floor 2's replies/s
    keep: { type: "boolean", default: false }, // keep .bench/run-*/ (bundles, local state)
  },
});
const bounded = (name, max) => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`--${name} must be an integer from 1 to ${max}`);
  return value;
};
const job = {
  updates: bounded("updates", 20_000),
  concurrency: bounded("concurrency", 256),
  busyChats: bounded("busy-chats", 1_000),
  perBusyChat: bounded("per-busy-chat", 100),
  warmup: bounded("warmup", 2_000),
  countUsers: bounded("count-users", 1_000),
  channels: bounded("channels", 16),
  peers: args.peers,
  d1LatencyMs: Number(args["d1-latency"]),
  pacedSeconds: Number(args["paced-seconds"]),
  pacedRate: Number(args["paced-rate"]),
};
if (!(job.d1LatencyMs >= 0 && job.d1LatencyMs <= 1_000)) throw new Error("--d1-latency must be a number of ms from 0 to 1000");
if (!(Number.isInteger(job.pacedSeconds) && job.pacedSeconds >= 0 && job.pacedSeconds <= 120)) throw new Error("--paced-seconds must be an integer from 0 to 120");
if (!(Number.isInteger(job.pacedRate) && job.pacedRate >= 0 && job.pacedRate <= 10_000)) throw new Error("--paced-rate must be an integer from 0 to 10000");

// Unless --paced-rate says otherwise, the paced runs offer this share of floor 2's replies/s: the
// throughput target of docs/performance.md ("Against the targets"), at a rate the sender sets.
const PACED_SHARE = 0.5;
// Lanes of a paced run: enough that sends stay on schedule while earlier ones wait for their ack.
const PACED_MAX_IN_FLIGHT = 256;

// The whole run must end by itself: past this, stop the targets and fail.
const WATCHDOG_MS = 15 * 60 * 1000;
const runDir = join(".bench", `run-${Date.now()}`);
const cleanups = [];
const watchdog = setTimeout(async () => {
  console.error(`bench: still running after ${WATCHDOG_MS / 60000} min, giving up`);
  await cleanup();
  process.exit(2);
}, WATCHDOG_MS);

async function cleanup() {
  for (const step of cleanups.splice(0).reverse()) await step().catch((error) => console.error("cleanup:", error.message));
  if (!args.keep) rmSync(runDir, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => cleanup().then(() => process.exit(130)));

const log = (message) => console.error(`· ${message}`);

/** Starts a target, runs `body(target)`, always stops it. */
async function withTarget(config, pinning, body) {
  const target = await startTarget(config, pinning);
  cleanups.push(target.stop);
  try {
    return await body(target);
  } finally {
    cleanups.splice(cleanups.indexOf(target.stop), 1);
    await target.stop();
  }
}

/**
 * A warm-up run (its own chats, not reported), then the measured job. `pid` is the target's:
 * the CPU its process tree (workerd and the Miniflare host, or a Node peer) spent during the
 * job is reported.
 * With `channels` (Switchboard channels, each with its own webhook and bot) the warm-up and the
 * job are spread over them.
 */
async function measure(name, { url, pid, headers, telegram, expectReplies, chatIdBase, channels }) {
  const common = { url, headers, telegram, expectReplies, concurrency: job.concurrency };
  const warm = makeWorkload({ prefix: `w${name}`, updates: job.warmup, chatIdBase: chatIdBase + 5_000_000, seed: 7 });
  await runLoad({ ...common, prefix: `w${name}`, workload: spreadOverChannels(warm, channels, chatIdBase + 5_000_000) });
  telegram.takeCallCounts();
  log(`${name}: ${job.updates} updates, ${job.concurrency} concurrent`);
  const workload = spreadOverChannels(makeWorkload({ prefix: name, updates: job.updates, busyChats: job.busyChats, perBusyChat: job.perBusyChat, chatIdBase, seed: 42 }), channels, chatIdBase);
  const cpuBefore = treeCpuSeconds(pid);
  const result = await runLoad({ ...common, prefix: name, workload });
  const cpuSeconds = treeCpuSeconds(pid) - cpuBefore;
  const summary = summarize(result);
  // The job's span: first request to last reply (or last ack). Near 100 %: the Worker was
  // CPU-bound on its core; well below while it still had work: other processes took the core.
  const jobSeconds = expectReplies ? summary.replySeconds : summary.sendSeconds;
  return {
    ...summary,
    expectReplies,
    cpuMsPerUpdate: (cpuSeconds * 1000) / job.updates,
    cpuBusyPercent: (cpuSeconds / jobSeconds) * 100,
    botApiCalls: telegram.takeCallCounts(),
  };
}

/**
 * The job's kind of traffic again, paced: `rate` updates a second for `job.pacedSeconds` seconds
 * (new chats, and busy chats with one update in flight each), against a target warm from its
 * closed-loop job. The closed loop shows latencies only at saturation, where a target that acks
 * faster than it answers builds a backlog for the whole job; this shows whether the target keeps
 * up with a given rate, and its latencies when it does. Timed from each send's due time.
 */
async function measurePaced(name, { url, pid, headers, telegram, chatIdBase, channels, rate }) {
  const updates = Math.max(1, Math.round(rate * job.pacedSeconds));
  const base = chatIdBase + 8_000_000;
  const workload = spreadOverChannels(makeWorkload({ prefix: name, updates, busyChats: job.busyChats, perBusyChat: job.perBusyChat, chatIdBase: base, seed: 43 }), channels, base);
  log(`${name}: ${updates} updates paced at ${rate}/s`);
  const cpuBefore = treeCpuSeconds(pid);
  const result = await runLoad({ url, headers, telegram, workload, prefix: name, rate, concurrency: PACED_MAX_IN_FLIGHT });
  const cpuSeconds = treeCpuSeconds(pid) - cpuBefore;
  telegram.takeCallCounts(); // not reported: the closed-loop job's counts stand for the target
  return { ...summarize(result), rate, cpuMsPerUpdate: (cpuSeconds * 1000) / updates };
}

/**
 * With the job done and every reply in, the Worker should go quiet: its CPU use over a few idle
 * seconds (workerd and its host process) and whether each channel's logs can still be read.
 */
async function afterRunHealth({ url, pid, adminToken, channelIds }) {
  const IDLE_MS = 3000;
  const cpuBefore = treeCpuSeconds(pid);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const idleCpuPercent = ((treeCpuSeconds(pid) - cpuBefore) / (IDLE_MS / 1000)) * 100;
  const health = { idleCpuPercent, logsApiStatus: 200, logsApiBody: "", warnings: {} };
  for (const channelId of channelIds) {
    const logs = await fetch(`${url}/api/channels/${channelId}/logs`, { headers: { authorization: `Bearer ${adminToken}` } });
    if (!logs.ok) return { ...health, logsApiStatus: logs.status, logsApiBody: (await logs.text()).slice(0, 200), warnings: null };
    await logs.arrayBuffer();
    for (const [key, n] of Object.entries(await channelWarnings({ url, adminToken, channelId }))) health.warnings[key] = (health.warnings[key] ?? 0) + n;
  }
  return health;
}

/**
 * The channel's warn and error log entries (warm-up and job), grouped by event and message
 * (digits and ids blanked): retries and failures the delivery checks alone would not show.
 */
async function channelWarnings({ url, adminToken, channelId }) {
  const groups = {};
  for (const level of ["warn", "error"]) {
    let before = "";
    for (let page = 0; page < 40; page++) {
      const response = await fetch(`${url}/api/channels/${channelId}/logs?level=${level}&limit=500${before}`, { headers: { authorization: `Bearer ${adminToken}` } });
      const { logs } = await response.json();
      for (const entry of logs) {
        const key = `${entry.level} ${entry.event}: ${entry.message.replace(/\d+/g, "N")}`;
        groups[key] = (groups[key] ?? 0) + 1;
      }
      if (logs.length < 500) break;
      before = `&before=${logs.at(-1).id}`;
    }
  }
  return groups;
}

/** The grammY bot and the Chat SDK, each answering as its own bot on the fake Telegram. */
async function measurePeers({ fakes, telegram, headers, grammyModule, pinning }) {
  // Both peers check the webhook secret, as Switchboard does.
  const secret = randomBytes(24).toString("base64url");
  const peerHeaders = { ...headers, "x-telegram-bot-api-secret-token": secret };
  const peerBot = (id, username) => ({ token: `${id}:AAF${randomBytes(16).toString("hex")}`, id, username, firstName: "Peer" });
  const grammyBot = peerBot(7000000002, "grammy_peer_bot");
  const chatSdkBot = peerBot(7000000003, "chat_sdk_peer_bot");
  fakes.telegram.addBot(grammyBot);
  fakes.telegram.addBot(chatSdkBot);
  const grammyBotInfo = fakes.telegram.handleApi(grammyBot.token, "getMe", {}).body.result;
  const peers = peerTargets({ grammyModule, telegramApiBase: fakes.telegramApiBase, grammyBot, grammyBotInfo, chatSdkBot, secret });
  log("peer: a grammY bot on workerd (webhookCallback, ctx.reply)");
  const grammy = await withTarget(peers.grammy, pinning, ({ url, pid }) =>
    measure("gy", { url: `${url}/webhook`, pid, headers: peerHeaders, telegram, expectReplies: true, chatIdBase: 60_000_000 }),
  );
  log("peer: the Chat SDK Telegram adapter on Node (memory state, concurrent)");
  const chatSdk = await withTarget(peers.chatSdk, pinning, ({ url, pid }) =>
    measure("cs", { url: `${url}/webhook`, pid, headers: peerHeaders, telegram, expectReplies: true, chatIdBase: 70_000_000 }),
  );
  return { grammy, chatSdk };
}

async function main() {
  const loadBefore = loadavg().map((n) => Number(n.toFixed(2)));
  if (loadBefore[0] > 0.5) log(`machine load average is ${loadBefore[0]}: other work on this machine will distort the figures`);
  mkdirSync(runDir, { recursive: true });
  const pinning = pinSelf();
  log(pinning.note);

  log("bundling (wrangler deploy --dry-run)");
  const product = bundle(join(runDir, "bundle"));
  const counting = bundle(join(runDir, "counting"), "scripts/bench/workers/counting-entry.ts");
  // With a modelled D1 latency the Switchboard target runs its own build (d1-latency-entry.ts).
  const switchboardBuild = job.d1LatencyMs > 0 ? bundle(join(runDir, "d1-latency"), "scripts/bench/workers/d1-latency-entry.ts") : product;
  if (job.peers) installPeers(log);
  const grammyModule = job.peers ? await bundleGrammy(join(runDir, "grammy")) : null;

  const telegram = await startFakeTelegram();
  cleanups.push(() => telegram.fakes.close());
  const { fakes } = telegram;
  const adminToken = randomBytes(24).toString("base64url");
  const switchboardBindings = { ADMIN_TOKEN: adminToken, ENCRYPTION_KEY: randomBytes(32).toString("base64"), TELEGRAM_API_BASE: fakes.telegramApiBase };
  const headers = { "content-type": "application/json" };
  const results = {};

  log("floor 1: a Worker that only answers 200");
  results.trivial = await withTarget(
    { kind: "plain", name: "trivial", mainModule: new URL("./bench/workers/trivial.js", import.meta.url).pathname, bindings: {} },
    pinning,
    ({ url, pid }) => measure("trivial", { url: `${url}/webhooks/telegram/ch_floor`, pid, headers, telegram, expectReplies: false, chatIdBase: 10_000_000 }),
  );

  log("floor 2: a minimal echo Worker (reply sent in waitUntil)");
  const floorBot = { token: `7000000001:AAF${randomBytes(16).toString("hex")}`, id: 7000000001, username: "floor_bot", firstName: "Floor" };
  fakes.telegram.addBot(floorBot);
  results.echoFloor = await withTarget(
    { kind: "plain", name: "echo-floor", mainModule: new URL("./bench/workers/echo-floor.js", import.meta.url).pathname, bindings: { TELEGRAM_API_BASE: fakes.telegramApiBase, BOT_TOKEN: floorBot.token } },
    pinning,
    async ({ url, pid }) => {
      const target = { url: `${url}/webhooks/telegram/ch_floor`, pid, headers, telegram, chatIdBase: 20_000_000 };
      const run = await measure("floor", { ...target, expectReplies: true });
      const rate = job.pacedRate || Math.max(1, Math.round(PACED_SHARE * run.repliesPerSecond));
      return job.pacedSeconds > 0 ? { ...run, paced: await measurePaced("floorp", { ...target, rate }) } : run;
    },
  );

  if (job.peers) Object.assign(results, await measurePeers({ fakes, telegram, headers, grammyModule, pinning }));

  const modelled = job.d1LatencyMs > 0 ? `, D1 round trips delayed ${job.d1LatencyMs} ms` : "";
  log(`Switchboard: ${job.channels} channel(s)${modelled}, fresh local D1 and Durable Object storage`);
  results.switchboard = await withTarget(
    {
      kind: "switchboard",
      name: "switchboard",
      mainModule: switchboardBuild.mainModule,
      bindings: { ...switchboardBindings, ...(job.d1LatencyMs > 0 ? { BENCH_D1_LATENCY_MS: String(job.d1LatencyMs) } : {}) },
      persistDir: join(runDir, "state"),
    },
    pinning,
    async ({ url, pid }) => {
      const channels = [];
      for (let i = 0; i < job.channels; i++) {
        const channel = await createTelegramChannel({ url, adminToken, fakes });
        channels.push({ ...channel, headers: { ...headers, "x-telegram-bot-api-secret-token": channel.secret } });
      }
      const target = { url: channels[0].webhookUrl, pid, headers: channels[0].headers, telegram, chatIdBase: 30_000_000, channels };
      const run = await measure("sb", { ...target, expectReplies: true });
      // At the rate floor 2's paced run was offered, so the two compare.
      const paced = results.echoFloor.paced ? await measurePaced("sbp", { ...target, rate: results.echoFloor.paced.rate }) : undefined;
      return { ...run, paced, afterRun: await afterRunHealth({ url, pid, adminToken, channelIds: channels.map((channel) => channel.channelId) }) };
    },
  );

  log(`D1 count: ${job.countUsers} new users, then ${job.countUsers} follow-ups, one at a time, on the counting build`);
  results.d1 = await withTarget(
    { kind: "switchboard", name: "switchboard-counting", mainModule: counting.mainModule, bindings: switchboardBindings, persistDir: join(runDir, "state-counting") },
    pinning,
    async ({ url }) => {
      const channel = await createTelegramChannel({ url, adminToken, fakes });
      const secretHeaders = { ...headers, "x-telegram-bot-api-secret-token": channel.secret };
      return countQueries({ url, webhookUrl: channel.webhookUrl, headers: secretHeaders, telegram, users: job.countUsers, chatIdBase: 40_000_000 });
    },
  );
  results.loadAverage = { before: loadBefore, after: loadavg().map((n) => Number(n.toFixed(2))) };

  const host = { ...machine(), ...(job.peers ? { peers: peerVersions() } : {}) };
  const text = report({ job, results, product, pinning, machine: host });
  console.log(text);
  writeFileSync(join(".bench", "last-run.md"), text);
  writeFileSync(join(".bench", "last-run.json"), JSON.stringify({ job, results, product, pinning, machine: host }, null, 2));
  log("written: .bench/last-run.md, .bench/last-run.json");
  // Any non-zero check (lost, doubled, refused, out of order, timed out) fails the run — except
  // the order of replies from floor 2 and the Chat SDK, which promise none (see report.mjs).
  const withoutOrder = ({ outOfOrderChats, ...checks }) => checks;
  const checks = [results.trivial.checks, withoutOrder(results.echoFloor.checks), results.switchboard.checks, results.d1.newUser.checks, results.d1.knownUser.checks];
  if (results.switchboard.paced) checks.push(withoutOrder(results.echoFloor.paced.checks), results.switchboard.paced.checks);
  if (job.peers) checks.push(results.grammy.checks, withoutOrder(results.chatSdk.checks));
  return checks.every((group) => Object.values(group).every((value) => !value)) ? 0 : 1;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error("bench failed:", error);
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
process.exit(exitCode);
