// `npm run dev`: local secrets, migrated local D1, then `wrangler dev` on http://127.0.0.1:8787
// (another port with PORT=8788 npm run dev) and, once it answers, the bridge (bridge/: WhatsApp
// and Zalo Personal sessions) as a plain Node process that dials in to it — no Docker needed.
// `--no-bridge` leaves the bridge out.
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
import { ensureDevVars, migrateLocalDb } from "./local-setup.mjs";

const PORT = process.env.PORT ?? "8787";
const withBridge = !process.argv.includes("--no-bridge");
const wranglerArgs = process.argv.slice(2).filter((arg) => arg !== "--no-bridge");

/** Whether something already listens on the port (checked before anything is printed or started). */
function portInUse(port) {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error) => resolve(error.code === "EADDRINUSE" || error.code === "EACCES"));
    probe.listen(Number(port), "127.0.0.1", () => probe.close(() => resolve(false)));
  });
}

if (!/^\d+$/.test(PORT) || Number(PORT) < 1 || Number(PORT) > 65535) {
  console.error(`PORT must be a port number (1-65535), not "${PORT}".`);
  process.exit(1);
}
if (await portInUse(PORT)) {
  console.error(
    `Port ${PORT} is already in use (another \`npm run dev\`?). Stop what uses it, or choose another port:\n  PORT=${Number(PORT) + 1} npm run dev`,
  );
  process.exit(1);
}

const { vars, created } = ensureDevVars();
if (created.length > 0) console.log(`Created .dev.vars with a new ${created.join(" and ")}.`);
migrateLocalDb();

console.log(`
  Switchboard is starting on http://127.0.0.1:${PORT}
  Admin UI:   http://127.0.0.1:${PORT}/  (log in with the admin token below)
  Health:     http://127.0.0.1:${PORT}/healthz
  Admin API:  http://127.0.0.1:${PORT}/api  (header: Authorization: Bearer <ADMIN_TOKEN>)
  Admin token (from .dev.vars): ${vars.ADMIN_TOKEN}
  Bridge:     ${withBridge ? "started beside it (WhatsApp, Zalo Personal, WeChat, Discord gateway, Slack Socket Mode); data in .wrangler/bridge-data" : "off (--no-bridge)"}
  Another port: PORT=8788 npm run dev
`);

const children = [];
const wrangler = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", PORT, "--var", "BRIDGE_RUNS_IN:external", ...wranglerArgs], {
  stdio: "inherit",
  env: { WRANGLER_SEND_METRICS: "false", ...process.env },
});
children.push(wrangler);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => children.forEach((child) => child.kill(signal)));
wrangler.on("exit", (code) => {
  children.forEach((child) => child !== wrangler && child.kill("SIGTERM"));
  process.exit(code ?? 0);
});

if (withBridge) void startBridge();

/** Builds the bridge and starts it once the Worker answers, so its first dial succeeds. */
async function startBridge() {
  execFileSync(process.execPath, ["bridge/build.mjs"], { stdio: "inherit" });
  const base = `http://127.0.0.1:${PORT}`;
  for (let tries = 0; tries < 300; tries++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const bridge = spawn(process.execPath, ["bridge/dist/main.js"], {
    stdio: "inherit",
    env: {
      ...process.env,
      SWITCHBOARD_URL: base,
      BRIDGE_SECRET: vars.BRIDGE_SECRET,
      BRIDGE_DATA_DIR: ".wrangler/bridge-data",
      BRIDGE_HTTP_PORT: process.env.BRIDGE_HTTP_PORT ?? "0",
      BRIDGE_ID: "dev",
    },
  });
  children.push(bridge);
  bridge.on("exit", (code, signal) => {
    if (signal !== "SIGTERM" && signal !== "SIGINT") console.error(`The bridge exited (${signal ?? code}); WhatsApp and Zalo Personal channels are offline until \`npm run dev\` is restarted.`);
  });
}
