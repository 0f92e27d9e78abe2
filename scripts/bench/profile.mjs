// `npm run bench -- --profile`: where Switchboard's Worker CPU goes under the bench's load. Runs
// the Switchboard target with workerd's inspector open, records a V8 CPU profile of every
// isolate (the Worker with its Durable Objects, and the local D1 simulator) over a job, and
// prints the functions with the most self time, grouped by source (our code, each library,
// runtime internals). Not a latency measurement: profiling itself slows the Worker.
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bundle } from "./build.mjs";
import { INSPECTOR_PORT, inspect, inspectorTargets } from "./inspector.mjs";
import { runLoad } from "./load.mjs";
import { createTelegramChannel } from "./switchboard.mjs";
import { pinSelf, startTarget } from "./targets.mjs";
import { startFakeTelegram } from "./telegram.mjs";
import { makeWorkload } from "./workload.mjs";

/** Which bucket a profile node's code belongs to. */
function sourceOf(url, functionName) {
  if (!url) return functionName.startsWith("(") ? functionName : "(runtime)";
  const lib = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (lib) return lib[1];
  if (/\/(worker|durable-objects)\//.test(url)) return "switchboard";
  return url.replace(/^.*\//, "");
}

/** Self time per function and per source, in ms, from a V8 CPU profile. */
function summarizeProfile(profile) {
  const selfUs = new Map();
  const intervals = profile.timeDeltas;
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byNode.get(profile.samples[i]);
    selfUs.set(node.id, (selfUs.get(node.id) ?? 0) + (intervals[i] ?? 0));
  }
  const functions = new Map();
  const sources = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byNode.get(id).callFrame;
    if (functionName === "(idle)" || functionName === "(program)") continue;
    total += us;
    const source = sourceOf(url, functionName);
    const key = `${functionName || "(anonymous)"} — ${source}${url ? `:${lineNumber + 1}` : ""}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
    sources.set(source, (sources.get(source) ?? 0) + us);
  }
  const top = (map, n) => [...map].sort((a, b) => b[1] - a[1]).slice(0, n).map(([name, us]) => ({ name, ms: us / 1000, percent: (us / total) * 100 }));
  return { totalMs: total / 1000, sources: top(sources, 15), functions: top(functions, 30) };
}

export async function profile(argv) {
  const { values: args } = parseArgs({ args: argv, options: { profile: { type: "boolean" }, updates: { type: "string", default: "1000" }, concurrency: { type: "string", default: "50" }, keep: { type: "boolean", default: false } }, strict: false });
  const updates = Number(args.updates);
  const runDir = join(".bench", `profile-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const pinning = pinSelf();
  const product = bundle(join(runDir, "bundle"));
  const telegram = await startFakeTelegram();
  const adminToken = randomBytes(24).toString("base64url");
  const bindings = { ADMIN_TOKEN: adminToken, ENCRYPTION_KEY: randomBytes(32).toString("base64"), TELEGRAM_API_BASE: telegram.fakes.telegramApiBase };
  const target = await startTarget({ kind: "switchboard", name: "switchboard", mainModule: product.mainModule, bindings, persistDir: join(runDir, "state"), inspectorPort: INSPECTOR_PORT }, pinning);
  try {
    const channel = await createTelegramChannel({ url: target.url, adminToken, fakes: telegram.fakes });
    const headers = { "content-type": "application/json", "x-telegram-bot-api-secret-token": channel.secret };
    const common = { url: channel.webhookUrl, headers, telegram, concurrency: Number(args.concurrency) };
    await runLoad({ ...common, prefix: "pw", workload: makeWorkload({ prefix: "pw", updates: 200, chatIdBase: 60_000_000 }) });

    const sessions = [];
    for (const { id, url } of await inspectorTargets()) {
      const session = await inspect(url);
      await session.send("Profiler.enable");
      await session.send("Profiler.setSamplingInterval", { interval: 200 });
      await session.send("Profiler.start");
      sessions.push({ id, session });
    }
    const workload = makeWorkload({ prefix: "pj", updates, busyChats: 40, perBusyChat: 10, chatIdBase: 61_000_000, seed: 42 });
    const result = await runLoad({ ...common, prefix: "pj", workload });
    const report = { updates, lost: result.lost, doubled: result.doubled, isolates: [] };
    for (const { id, session } of sessions) {
      const { profile: recorded } = await session.send("Profiler.stop");
      writeFileSync(join(".bench", `profile-${id.replace(/[^\w-]/g, "_")}.cpuprofile`), JSON.stringify(recorded));
      report.isolates.push({ id, ...summarizeProfile(recorded) });
      session.close();
    }
    writeFileSync(join(".bench", "profile-last-run.json"), JSON.stringify(report, null, 2));
    for (const isolate of report.isolates) {
      console.log(`\n## ${isolate.id}: ${isolate.totalMs.toFixed(0)} ms of samples, ${(isolate.totalMs / updates).toFixed(2)} ms per update\n`);
      console.log("| source | ms/update | share |\n|---|---:|---:|");
      for (const s of isolate.sources) console.log(`| ${s.name} | ${(s.ms / updates).toFixed(3)} | ${s.percent.toFixed(1)} % |`);
      console.log("\n| function (self time) | ms/update | share |\n|---|---:|---:|");
      for (const f of isolate.functions) console.log(`| ${f.name} | ${(f.ms / updates).toFixed(3)} | ${f.percent.toFixed(1)} % |`);
    }
    console.log(`\nlost ${result.lost}, doubled ${result.doubled}; profiles written to .bench/profile-*.cpuprofile (open in Chrome DevTools)`);
    return result.lost || result.doubled ? 1 : 0;
  } finally {
    await target.stop();
    await telegram.fakes.close();
    if (!args.keep) rmSync(runDir, { recursive: true, force: true });
  }
}
