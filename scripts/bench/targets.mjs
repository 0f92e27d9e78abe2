// Starts and stops target processes (target.mjs) and pins CPUs: with two or more cores and
// `taskset`, the bench process (load generator + fake Telegram) takes CPU 0 and each target,
// with its workerd, CPU 1. Otherwise nothing is pinned and the report says so.
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";

const TARGET = fileURLToPath(new URL("./target.mjs", import.meta.url));
const START_TIMEOUT_MS = 60_000;

/** True when `command` runs here (asked with `args`, such as its version flag). */
export function hasCommand(command, args) {
  try {
    execFileSync(command, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Pins this process (all its threads) to CPU 0; returns a description for the report. */
export function pinSelf() {
  if (availableParallelism() < 2) return { pinned: false, note: "not pinned (fewer than 2 CPUs)" };
  if (!hasCommand("taskset", ["-V"])) return { pinned: false, note: "not pinned (taskset not found)" };
  execFileSync("taskset", ["-a", "-p", "-c", "0", String(process.pid)], { stdio: "ignore" });
  return { pinned: true, note: "pinned: load generator + fake Telegram on CPU 0, Worker (workerd) on CPU 1" };
}

/** Process `pid` and all its descendants still running (Linux /proc), parents first. */
export function processTree(pid) {
  const found = [];
  const visit = (id) => {
    try {
      const children = readdirSync(`/proc/${id}/task`).flatMap((task) => readFileSync(`/proc/${id}/task/${task}/children`, "utf8").split(" ").filter(Boolean));
      found.push(Number(id));
      for (const child of children) visit(child);
    } catch {
      // The process ended meanwhile.
    }
  };
  visit(pid);
  return found;
}

/** CPU seconds (user + system) used so far by process `pid` and all its descendants (Linux /proc). */
export function treeCpuSeconds(pid) {
  let ticks = 0;
  for (const id of processTree(pid)) {
    try {
      // Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${id}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended meanwhile.
    }
  }
  return ticks / 100; // USER_HZ is 100 on Linux
}

/**
 * Starts a target; resolves with `{ url, pid, stop() }` once it serves. `config.script` names
 * another Node script speaking target.mjs's protocol (a peer that is not a Worker).
 */
export function startTarget(config, { pinned }) {
  const argv = [config.script ?? TARGET, JSON.stringify(config)];
  const child = pinned
    ? spawn("taskset", ["-c", "1", process.execPath, ...argv], { stdio: ["pipe", "pipe", "inherit"] })
    : spawn(process.execPath, argv, { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    child.stdin.end(); // target.mjs disposes Miniflare (and workerd) when its stdin closes
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`target ${config.name} did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    let buffered = "";
    child.stdout.on("data", (chunk) => {
      buffered += chunk;
      const line = buffered.split("\n").find((candidate) => candidate.startsWith("{"));
      if (!line) return;
      clearTimeout(timer);
      resolve({ url: JSON.parse(line).url, pid: child.pid, stop });
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`target ${config.name} exited with code ${code} before it was ready`));
    });
  });
}
