// `npm run measure:bridge [-- --sessions N]`: what the bridge costs and how fast it resumes,
// measured against the real Worker (`wrangler dev`) and the real bridge process, with WhatsApp
// faked inside the bridge (test/bridge/support/fake-drivers.ts; no WhatsApp servers are reachable
// here). Reports: RSS with the real libraries loaded and no session, RSS per idle session, and
// the time from a fresh bridge process (empty disk, as a restarted container) until every
// channel runs again without a QR. Not a test: numbers depend on the machine.
import { execFileSync, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { freePort, startAppServer } from "../test/browser/support/app-server.ts";

const count = Number(process.argv[process.argv.indexOf("--sessions") + 1]) || 20;
const secret = randomBytes(24).toString("base64url");
const work = mkdtempSync(join(tmpdir(), "bridge-measure-"));
const drivers = join(process.cwd(), "bridge", "dist", "measure-fake-drivers.mjs");
execFileSync(process.execPath, ["bridge/build.mjs"], { stdio: "ignore" });
await build({ entryPoints: ["test/bridge/support/fake-drivers.ts"], outfile: drivers, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "error" });

const app = await startAppServer({ vars: { BRIDGE_SECRET: secret, BRIDGE_RUNS_IN: "external" } });
const children = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function spawnBridge({ fake = true, url = app.baseUrl } = {}) {
  const port = await freePort();
  const child = fork("bridge/dist/main.js", [], {
    env: { ...process.env, SWITCHBOARD_URL: url, BRIDGE_SECRET: secret, BRIDGE_DATA_DIR: mkdtempSync(join(work, "data-")), BRIDGE_HTTP_PORT: String(port), BRIDGE_LOG_LEVEL: process.env.BRIDGE_LOG_LEVEL ?? "error", ...(fake ? { BRIDGE_DRIVERS: drivers } : {}) },
    stdio: ["ignore", process.env.BRIDGE_LOG_LEVEL ? "inherit" : "ignore", "inherit", "ipc"],
  });
  children.push(child);
  const health = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).json();
  for (let i = 0; i < 100; i++) {
    try {
      await health();
      break;
    } catch {
      await sleep(100);
    }
  }
  return { child, health, drive: (command) => child.send(command) };
}

/** One request at a time: the admin token's rate limit counts requests in flight. */
async function views(ids) {
  const out = [];
  for (const id of ids) out.push(await api("GET", `/channels/${id}/qr`));
  return out;
}

async function api(method, path, body) {
  const response = await fetch(`${app.baseUrl}/api${path}`, { method, headers: { authorization: `Bearer ${app.adminToken}`, "content-type": "application/json" }, body: body ? JSON.stringify(body) : undefined });
  return response.json();
}

async function until(check, timeoutMs = 60_000, everyMs = 50) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(everyMs);
  }
}

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
try {
  // 1. The real libraries loaded, no session (pointed nowhere, so nothing is started).
  const real = await spawnBridge({ fake: false, url: "http://127.0.0.1:9" });
  await sleep(3000);
  const realRss = (await real.health()).rssBytes;
  real.child.kill("SIGKILL");

  // 2. Idle sessions: N channels logged in through the QR flow, then left alone.
  const bridge = await spawnBridge();
  await until(async () => (await bridge.health()).link.ready);
  await sleep(2000);
  const emptyRss = (await bridge.health()).rssBytes;
  const ids = [];
  for (let n = 0; n < count; n++) {
    const { channel } = await api("POST", "/channels", { provider: "whatsapp", workspaceId: "ws_default", credentials: {} });
    bridge.drive({ op: "phone", channelId: channel.id, phone: `1555${String(n).padStart(7, "0")}` });
    await api("POST", `/channels/${channel.id}/start`);
    await until(async () => (await api("GET", `/channels/${channel.id}/qr`)).qr).catch(async (error) => {
      console.error("no QR:", JSON.stringify(await api("GET", `/channels/${channel.id}/qr`)));
      throw error;
    });
    bridge.drive({ op: "scan", channelId: channel.id });
    ids.push(channel.id);
  }
  await until(async () => (await views(ids)).every((view) => view.status === "running")).catch(async (error) => {
    console.error(JSON.stringify(await api("GET", `/channels/${ids[0]}/qr`)));
    throw error;
  });
  await sleep(5000);
  const fullRss = (await bridge.health()).rssBytes;

  // 3. Resume: kill the bridge; a fresh process on an empty disk resumes every channel.
  bridge.child.kill("SIGKILL");
  const startedAt = Date.now();
  const second = await spawnBridge();
  const sockets = [];
  second.child.on("message", (report) => report.type === "socket" && report.resumed && sockets.push(report.at - startedAt));
  const firstRunning = {};
  await until(async () => {
    const pending = ids.filter((id) => !(id in firstRunning));
    (await views(pending)).forEach((view, index) => view.status === "running" && view.qr === null && (firstRunning[pending[index]] ??= Date.now() - startedAt));
    return Object.keys(firstRunning).length === ids.length;
  });
  const readyAt = (await second.health()).link.readyAt - startedAt;
  const times = Object.values(firstRunning).sort((a, b) => a - b);

  console.log(`
Bridge measurements (${count} WhatsApp sessions, fake sockets; Node ${process.version}; ${new Date().toISOString()})
  RSS, real Baileys + zca-js loaded, no session      ${mb(realRss)}
  RSS, fake drivers, link ready, no session          ${mb(emptyRss)}
  RSS, ${String(count).padEnd(3)} idle sessions                           ${mb(fullRss)}
  RSS per idle session (bridge's own share)           ${((fullRss - emptyRss) / count / 1024).toFixed(0)} KB
  Resume after kill -9, fresh process, empty disk:
    link ready (process start → hub acknowledged)     ${readyAt} ms
    sessions re-created from the saved state          first ${sockets[0]} ms, last ${sockets.at(-1)} ms (${sockets.length} of ${count}, no QR)
    every channel seen running again (polled API)     ${times.at(-1)} ms
`);
} finally {
  for (const child of children) child.kill("SIGKILL");
  await app.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(drivers, { force: true });
}
