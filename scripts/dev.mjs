// `npm run dev`: local secrets, migrated local D1, then `wrangler dev` on http://127.0.0.1:8787
// (another port with PORT=8788 npm run dev).
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { ensureDevVars, migrateLocalDb } from "./local-setup.mjs";

const PORT = process.env.PORT ?? "8787";

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
  Another port: PORT=8788 npm run dev
`);

const child = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", PORT, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { WRANGLER_SEND_METRICS: "false", ...process.env },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
