// `npm run dev`: local secrets, migrated local D1, then `wrangler dev` on http://127.0.0.1:8787.
import { spawn } from "node:child_process";
import { ensureDevVars, migrateLocalDb } from "./local-setup.mjs";

const PORT = process.env.PORT ?? "8787";

const { vars, created } = ensureDevVars();
if (created.length > 0) console.log(`Created .dev.vars with a new ${created.join(" and ")}.`);
migrateLocalDb();

console.log(`
  Switchboard is starting on http://127.0.0.1:${PORT}
  Admin UI:   http://127.0.0.1:${PORT}/  (log in with the admin token below)
  Health:     http://127.0.0.1:${PORT}/healthz
  Admin API:  http://127.0.0.1:${PORT}/api  (header: Authorization: Bearer <ADMIN_TOKEN>)
  Admin token (from .dev.vars): ${vars.ADMIN_TOKEN}
`);

const child = spawn("npx", ["wrangler", "dev", "--ip", "127.0.0.1", "--port", PORT, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: { WRANGLER_SEND_METRICS: "false", ...process.env },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code) => process.exit(code ?? 0));
