// Local set-up shared by `npm run dev` and the process-level tests: .dev.vars with fresh
// secrets, and the local D1 migrated.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const DEV_VARS = ".dev.vars";

/** Creates .dev.vars (or adds missing secrets to it); returns the variables it holds. */
export function ensureDevVars(path = DEV_VARS) {
  const text = existsSync(path) ? readFileSync(path, "utf8") : "";
  const vars = Object.fromEntries(
    text
      .split("\n")
      .map((line) => /^\s*([A-Z0-9_]+)\s*=\s*"?([^"]*)"?\s*$/.exec(line))
      .filter(Boolean)
      .map((match) => [match[1], match[2]]),
  );
  const additions = [];
  if (!vars.ADMIN_TOKEN) additions.push(["ADMIN_TOKEN", randomBytes(24).toString("base64url")]);
  if (!vars.ENCRYPTION_KEY) additions.push(["ENCRYPTION_KEY", randomBytes(32).toString("base64")]);
  if (!vars.BRIDGE_SECRET) additions.push(["BRIDGE_SECRET", randomBytes(32).toString("base64url")]);
  if (additions.length > 0) {
    const header = text ? "" : "# Local secrets for `wrangler dev`, created by `npm run dev`. Never commit this file.\n";
    const lines = additions.map(([key, value]) => `${key}="${value}"`).join("\n");
    writeFileSync(path, `${text}${text && !text.endsWith("\n") ? "\n" : ""}${header}${lines}\n`, { mode: 0o600 });
    for (const [key, value] of additions) vars[key] = value;
  }
  return { vars, created: additions.map(([key]) => key) };
}

/** Applies the D1 migrations to the local database (idempotent). */
export function migrateLocalDb(extraArgs = []) {
  execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", ...extraArgs], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
  });
}
