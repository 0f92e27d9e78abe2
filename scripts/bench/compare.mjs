// `npm run bench -- --compare <git ref> [--rounds 3]`: did a change make Switchboard cheaper?
// Runs on this machine vary by more than ±10 % from one run to the next (docs/performance.md),
// more than most single changes are worth, so one run of each build says little. This builds the
// working tree and `<ref>` (in a temporary git worktree), then runs the standard job on each, in
// alternating order, `rounds` times, each round beside a fresh floor 2, and prints every round's
// figures, their medians, and the working tree's medians over the ref's.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { bundle } from "./build.mjs";
import { runLoad } from "./load.mjs";
import { summarize } from "./stats.mjs";
import { createTelegramChannel } from "./switchboard.mjs";
import { pinSelf, startTarget, treeCpuSeconds } from "./targets.mjs";
import { startFakeTelegram } from "./telegram.mjs";
import { makeWorkload } from "./workload.mjs";

const JOB = { updates: 2000, concurrency: 50, busyChats: 40, perBusyChat: 10, warmup: 200 };

/**
 * The standard job's warm-up, then the job, against `url`; replies/s, CPU per update, ack p50.
 * Throws if an update was refused, lost, doubled or misrouted, or (`ordered`) a chat's replies
 * came out of order.
 */
async function measure({ url, pid, headers, telegram, chatIdBase, ordered }) {
  const common = { url, headers, telegram, concurrency: JOB.concurrency };
  await runLoad({ ...common, prefix: `cw${chatIdBase}`, workload: makeWorkload({ prefix: `cw${chatIdBase}`, updates: JOB.warmup, chatIdBase: chatIdBase + 5_000_000, seed: 7 }) });
  const workload = makeWorkload({ prefix: `c${chatIdBase}`, updates: JOB.updates, busyChats: JOB.busyChats, perBusyChat: JOB.perBusyChat, chatIdBase, seed: 42 });
  const cpuBefore = treeCpuSeconds(pid);
  const result = await runLoad({ ...common, prefix: `c${chatIdBase}`, workload });
  const cpuMsPerUpdate = ((treeCpuSeconds(pid) - cpuBefore) * 1000) / JOB.updates;
  const summary = summarize(result);
  const failed = Object.entries(summary.checks).filter(([key, value]) => value && (ordered || key !== "outOfOrderChats"));
  if (failed.length > 0) throw new Error(`delivery checks failed: ${JSON.stringify(Object.fromEntries(failed))}`);
  return { repliesPerSecond: summary.repliesPerSecond, cpuMsPerUpdate, ackP50: summary.ack.p50 };
}

/** A worktree of `ref` beside the run, sharing this checkout's node_modules; returns its path. */
function checkout(ref, runDir) {
  const dir = resolve(runDir, "ref");
  execFileSync("git", ["worktree", "add", "--detach", dir, ref], { stdio: "ignore" });
  symlinkSync(resolve("node_modules"), join(dir, "node_modules"));
  return dir;
}

export async function compare(argv) {
  const { values: args } = parseArgs({ args: argv, options: { compare: { type: "string" }, rounds: { type: "string", default: "3" }, keep: { type: "boolean", default: false } }, strict: false });
  const rounds = Number(args.rounds);
  if (!args.compare || !Number.isInteger(rounds) || rounds < 1 || rounds > 20) {
    console.error("usage: npm run bench -- --compare <git ref> [--rounds 1..20]");
    return 2;
  }
  const runDir = resolve(".bench", `compare-${Date.now()}`);
  mkdirSync(runDir, { recursive: true });
  const pinning = pinSelf();
  const refDir = checkout(args.compare, runDir);
  const builds = {
    tree: bundle(join(runDir, "tree")),
    ref: bundle(join(runDir, "ref-bundle"), undefined, { cwd: refDir }),
  };
  const telegram = await startFakeTelegram();
  const adminToken = randomBytes(24).toString("base64url");
  const bindings = { ADMIN_TOKEN: adminToken, ENCRYPTION_KEY: randomBytes(32).toString("base64"), TELEGRAM_API_BASE: telegram.fakes.telegramApiBase };
  const headers = { "content-type": "application/json" };
  const floorBot = { token: `7000000009:AAF${randomBytes(16).toString("hex")}`, id: 7000000009, username: "compare_floor_bot", firstName: "Floor" };
  telegram.fakes.telegram.addBot(floorBot);
  const rows = [];
  let chatIdBase = 70_000_000;
  const run = async (config, body) => {
    const target = await startTarget(config, pinning);
    try {
      return await body(target);
    } finally {
      await target.stop();
    }
  };
  try {
    for (let round = 1; round <= rounds; round++) {
      const floor = await run(
        { kind: "plain", name: "echo-floor", mainModule: new URL("./workers/echo-floor.js", import.meta.url).pathname, bindings: { TELEGRAM_API_BASE: telegram.fakes.telegramApiBase, BOT_TOKEN: floorBot.token } },
        ({ url, pid }) => measure({ url: `${url}/webhooks/telegram/ch_floor`, pid, headers, telegram, chatIdBase: (chatIdBase += 100_000), ordered: false }),
      );
      const row = { round, floor };
      // Alternate which build goes first, so neither always runs on the warmer machine.
      for (const which of round % 2 ? ["ref", "tree"] : ["tree", "ref"]) {
        row[which] = await run(
          { kind: "switchboard", name: `switchboard-${which}`, mainModule: builds[which].mainModule, bindings, persistDir: join(runDir, `state-${which}-${round}`) },
          async ({ url, pid }) => {
            const channel = await createTelegramChannel({ url, adminToken, fakes: telegram.fakes });
            const secretHeaders = { ...headers, "x-telegram-bot-api-secret-token": channel.secret };
            return measure({ url: channel.webhookUrl, pid, headers: secretHeaders, telegram, chatIdBase: (chatIdBase += 100_000), ordered: true });
          },
        );
      }
      rows.push(row);
      console.error(`· round ${round} of ${rounds} done`);
    }
  } finally {
    await telegram.fakes.close();
    execFileSync("git", ["worktree", "remove", "--force", refDir], { stdio: "ignore" });
    if (!args.keep) rmSync(runDir, { recursive: true, force: true });
  }
  console.log(report(args.compare, rows));
  return 0;
}

/** The middle value (the mean of the two middle ones for an even count). */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return Number.isInteger(middle) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[Math.floor(middle)];
}

function report(ref, rows) {
  const share = (row, which) => (row[which].repliesPerSecond / row.floor.repliesPerSecond) * 100;
  const cpu = (row, which) => row[which].cpuMsPerUpdate / row.floor.cpuMsPerUpdate;
  // Within a round the two builds ran minutes apart on the same machine: their ratio is the
  // steadiest figure when the machine's speed drifts between rounds.
  const repliesRatio = (row) => row.tree.repliesPerSecond / row.ref.repliesPerSecond;
  const cpuRatio = (row) => row.tree.cpuMsPerUpdate / row.ref.cpuMsPerUpdate;
  const lines = [
    `Working tree against ${ref}: the standard job (${JOB.updates} updates, ${JOB.concurrency} in flight), ${rows.length} rounds, the two builds alternated, each round beside a fresh floor 2.`,
    "",
    "| round | floor 2 replies/s | replies/s: ref, tree (% of floor 2) | CPU ms/update: ref, tree (× floor 2) | ack p50 ms: ref, tree | tree ÷ ref: replies/s, CPU |",
    "|---:|---:|---|---|---|---|",
    ...rows.map(
      (row) =>
        `| ${row.round} | ${row.floor.repliesPerSecond.toFixed(0)} ` +
        `| ${row.ref.repliesPerSecond.toFixed(0)} (${share(row, "ref").toFixed(0)} %), ${row.tree.repliesPerSecond.toFixed(0)} (${share(row, "tree").toFixed(0)} %) ` +
        `| ${row.ref.cpuMsPerUpdate.toFixed(2)} (${cpu(row, "ref").toFixed(2)}×), ${row.tree.cpuMsPerUpdate.toFixed(2)} (${cpu(row, "tree").toFixed(2)}×) ` +
        `| ${row.ref.ackP50.toFixed(1)}, ${row.tree.ackP50.toFixed(1)} | ${repliesRatio(row).toFixed(2)}, ${cpuRatio(row).toFixed(2)} |`,
    ),
  ];
  const both = (pick) => [median(rows.map((row) => pick(row, "ref"))), median(rows.map((row) => pick(row, "tree")))];
  const [refShare, treeShare] = both(share);
  const [refCpu, treeCpu] = both(cpu);
  const [refAck, treeAck] = both((row, which) => row[which].ackP50);
  lines.push(
    "",
    `Medians: replies/s ${refShare.toFixed(0)} % → ${treeShare.toFixed(0)} % of floor 2; CPU per update ${refCpu.toFixed(2)}× → ${treeCpu.toFixed(2)}× floor 2's; ` +
      `ack p50 ${refAck.toFixed(1)} → ${treeAck.toFixed(1)} ms. Tree ÷ ref within a round: replies/s ${median(rows.map(repliesRatio)).toFixed(2)}, ` +
      `CPU per update ${median(rows.map(cpuRatio)).toFixed(2)}.`,
  );
  return lines.join("\n");
}
