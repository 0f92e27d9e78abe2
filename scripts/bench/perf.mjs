// `npm run bench -- --perf`: where the whole workerd process's CPU goes under the bench's load,
// JavaScript and runtime alike. Linux `perf` samples the process (with call stacks) while the job
// runs; V8 writes a map of its compiled functions (`--perf-basic-prof-only-functions`) so the
// samples name them. Each sample is then put in one bucket (see bucketOf). Unlike `--profile`
// (V8's own profiler, one isolate at a time, JavaScript only), the buckets add up to the CPU the
// process used. Needs `perf` (Debian: linux-perf) and permission to attach to a process.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bundle } from "./build.mjs";
import { runLoad } from "./load.mjs";
import { createTelegramChannel } from "./switchboard.mjs";
import { hasCommand, pinSelf, processTree, startTarget } from "./targets.mjs";
import { startFakeTelegram } from "./telegram.mjs";
import { makeWorkload } from "./workload.mjs";

/** Our bundle's file name in the samples (Miniflare's own Workers are also called index.js). */
const OWN_MODULE = "switchboard.js";

/** JavaScript buckets, by the file of the sample's innermost JavaScript frame. */
const JS_SOURCES = [
  ["Switchboard's JavaScript (and the runtime APIs it calls)", (file) => file === OWN_MODULE],
  ["local D1 simulator (not in production)", (file) => file === "database.worker.js" || file === "entry.worker.js" || file.startsWith("miniflare:")],
  ["D1 binding (client side)", (file) => file === "cloudflare-internal:d1-api"],
  ["Node timers (nodejs_compat setTimeout)", (file) => file === "node-internal:internal_timers"],
  ["Miniflare's outbound fetch service (not in production)", (file) => file === "index.js"],
];

/** Buckets for samples without JavaScript on the stack, by the first marker found (in this order). */
const NATIVE = [
  ["garbage collection", ["Scavenger", "MarkCompact", "Heap::CollectGarbage", "ConcurrentMarking", "Sweeper", "MinorMarkSweep", "cppgc::internal"]],
  ["JIT compilation", ["Compiler", "maglev::", "compiler::", "Compile"]],
  ["storage commits (the object's and the local D1's)", ["commitImpl", "ActorSqlite", "sqlite3"]],
  ["Worker → object RPC", ["JsRpc", "rpc::", "capnp::"]],
  ["timers", ["TimeoutManager", "TimerQueue"]],
  ["HTTP (webhooks in, fetches out)", ["hyper", "HttpServer", "HttpClient", "Fetcher", "fetchImpl", "Headers"]],
  ["kernel only (sockets, disk, scheduling)", []],
];

/** The bucket of one sample: its frames, innermost first. */
function bucketOf(frames) {
  const js = frames.find((frame) => frame.startsWith("JS:"));
  if (js) {
    const file = /\s(\S+?):\d+:\d+$/.exec(js)?.[1] ?? "";
    return JS_SOURCES.find(([, matches]) => matches(file))?.[0] ?? "other JavaScript";
  }
  const text = frames.join("\n");
  for (const [name, markers] of NATIVE) if (markers.some((marker) => text.includes(marker))) return name;
  return frames.every((frame) => frame.startsWith("[k] ")) ? NATIVE.at(-1)[0] : "runtime: event loop, promises, requests";
}

/**
 * Samples from `perf script -F ip,sym` output (a blank line after each sample; one frame per
 * line, innermost first, as "<address> <symbol>"): each a list of symbols, kernel ones marked "[k] ".
 */
function samplesOf(text) {
  return text
    .split("\n\n")
    .map((block) =>
      block
        .split("\n")
        .map((line) => /^\s*([0-9a-f]+)\s+(.*)$/.exec(line))
        .filter(Boolean)
        .map(([, address, symbol]) => (address.length === 16 && address.startsWith("ffff") ? `[k] ${symbol}` : symbol)),
    )
    .filter((frames) => frames.length > 0);
}

/**
 * Names a function of our bundle by its source module: esbuild heads each module's code with a
 * `// <path>` comment. An anonymous function is named by its line in that module's code.
 */
function sourceNamer(bundleLines) {
  return (name, place) => {
    const line = Number(/:(\d+):\d+$/.exec(place)?.[1] ?? 0);
    let at = line - 1;
    while (at >= 0 && !/^\/\/ \S+\.(?:ts|js|mjs)$/.test(bundleLines[at])) at -= 1;
    const module = at >= 0 ? bundleLines[at].slice(3) : "?";
    return name ? `${name} (${module})` : `anonymous, ${line - at} lines into ${module}`;
  };
}

function summarize(samples, updates, sampleHz, nameOf) {
  const buckets = new Map();
  const functions = new Map();
  for (const frames of samples) {
    const bucket = bucketOf(frames);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    const own = frames.find((frame) => frame.startsWith("JS:"));
    if (own?.includes(` ${OWN_MODULE}:`)) {
      // "JS:<tier><'?><name> <file>:<line>:<column>"; an anonymous function is named by its place.
      const [, name, place] = /^JS:\S?'?(.*?) (\S+)$/.exec(own) ?? [];
      const label = nameOf(name, place);
      functions.set(label, (functions.get(label) ?? 0) + 1);
    }
  }
  const msPerUpdate = (count) => (count / sampleHz / updates) * 1000;
  const rows = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, count]) => ({ name, msPerUpdate: msPerUpdate(count), percent: (count / samples.length) * 100 }));
  return { samples: samples.length, msPerUpdate: msPerUpdate(samples.length), buckets: rows(buckets, 20), functions: rows(functions, 25) };
}

/** The workerd process under `pid` (Miniflare starts it). */
function workerdUnder(pid) {
  return processTree(pid).find((id) => id !== pid && readFileSync(`/proc/${id}/comm`, "utf8").trim() === "workerd") ?? null;
}

export async function perfProfile(argv) {
  const { values: args } = parseArgs({ args: argv, options: { perf: { type: "boolean" }, updates: { type: "string", default: "4000" }, keep: { type: "boolean", default: false } }, strict: false });
  if (!hasCommand("perf", ["--version"])) {
    console.error("--perf needs Linux `perf` on the PATH (Debian: apt-get install linux-perf).");
    return 2;
  }
  const updates = Number(args.updates);
  const sampleHz = 999;
  const runDir = join(".bench", `perf-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const pinning = pinSelf();
  const product = bundle(join(runDir, "bundle"));
  const mainModule = join(runDir, "bundle", OWN_MODULE);
  copyFileSync(product.mainModule, mainModule);
  // Read by Miniflare when it starts workerd: V8 then writes /tmp/perf-<pid>.map for perf.
  process.env.MINIFLARE_WORKERD_V8_FLAGS = "--perf-basic-prof-only-functions";
  const telegram = await startFakeTelegram();
  const adminToken = randomBytes(24).toString("base64url");
  const bindings = { ADMIN_TOKEN: adminToken, ENCRYPTION_KEY: randomBytes(32).toString("base64"), TELEGRAM_API_BASE: telegram.fakes.telegramApiBase };
  const target = await startTarget({ kind: "switchboard", name: "switchboard", mainModule, bindings, persistDir: join(runDir, "state") }, pinning);
  const workerd = workerdUnder(target.pid);
  try {
    if (!workerd) throw new Error("workerd process not found under the target");
    const channel = await createTelegramChannel({ url: target.url, adminToken, fakes: telegram.fakes });
    const headers = { "content-type": "application/json", "x-telegram-bot-api-secret-token": channel.secret };
    const common = { url: channel.webhookUrl, headers, telegram, concurrency: 50 };
    await runLoad({ ...common, prefix: "fw", workload: makeWorkload({ prefix: "fw", updates: 200, chatIdBase: 62_000_000 }) });

    const data = join(runDir, "perf.data");
    const recorder = spawn("perf", ["record", "-F", String(sampleHz), "-g", "-o", data, "-p", String(workerd)], { stdio: ["ignore", "ignore", "pipe"] });
    await new Promise((resolve) => setTimeout(resolve, 500)); // perf attaches
    const workload = makeWorkload({ prefix: "fj", updates, busyChats: 40, perBusyChat: 10, chatIdBase: 63_000_000, seed: 42 });
    const result = await runLoad({ ...common, prefix: "fj", workload });
    recorder.kill("SIGINT");
    await new Promise((resolve) => recorder.once("exit", resolve));
    const script = execFileSync("perf", ["script", "-i", data, "-F", "ip,sym"], { encoding: "utf8", maxBuffer: 1 << 30, stdio: ["ignore", "pipe", "ignore"] });
    const summary = summarize(samplesOf(script), updates, sampleHz, sourceNamer(readFileSync(mainModule, "utf8").split("\n")));
    writeFileSync(join(".bench", "perf-last-run.json"), JSON.stringify({ updates, lost: result.lost, doubled: result.doubled, ...summary }, null, 2));
    console.log(`\n${summary.samples} samples at ${sampleHz} Hz over ${updates} updates: ${summary.msPerUpdate.toFixed(2)} ms of workerd CPU per update\n`);
    console.log("| where (each sample counted once) | ms/update | share |\n|---|---:|---:|");
    for (const row of summary.buckets) console.log(`| ${row.name} | ${row.msPerUpdate.toFixed(3)} | ${row.percent.toFixed(1)} % |`);
    console.log("\n| Switchboard function (innermost JavaScript frame) | ms/update | share of all |\n|---|---:|---:|");
    for (const row of summary.functions) console.log(`| ${row.name} | ${row.msPerUpdate.toFixed(3)} | ${row.percent.toFixed(1)} % |`);
    console.log(`\nlost ${result.lost}, doubled ${result.doubled}; written: .bench/perf-last-run.json`);
    return result.lost || result.doubled ? 1 : 0;
  } finally {
    await target.stop();
    await telegram.fakes.close();
    if (workerd) rmSync(`/tmp/perf-${workerd}.map`, { force: true });
    if (!args.keep) rmSync(runDir, { recursive: true, force: true });
  }
}
