// Runs the real Worker process-level for the browser tests: `wrangler dev` on a free port with
// its own temporary state (D1 migrated first), fresh secrets passed as --var, and the provider
// API bases pointed at the local fakes.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const WRANGLER = join(process.cwd(), "node_modules", "wrangler", "bin", "wrangler.js");
const quietEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", DO_NOT_TRACK: "1", CI: "true", NO_COLOR: "1" };

export interface AppServer {
  baseUrl: string;
  adminToken: string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * `apiBases`: provider API base variables (TELEGRAM_API_BASE, SLACK_API_BASE, …) pointing at the
 * fakes; `vars`: any other variables (BRIDGE_SECRET for the bridge tests).
 */
export async function startAppServer(options: { apiBases?: Record<string, string>; vars?: Record<string, string> }): Promise<AppServer> {
  const persistTo = mkdtempSync(join(tmpdir(), "switchboard-browser-"));
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const baseUrl = `http://127.0.0.1:${port}`;
  const adminToken = randomBytes(24).toString("base64url");
  const encryptionKey = randomBytes(32).toString("base64");

  await run(process.execPath, [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo], { env: quietEnv });

  const child = spawn(
    process.execPath,
    [
      WRANGLER, "dev",
      "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort),
      "--persist-to", persistTo,
      "--show-interactive-dev-session=false", "--log-level", "warn",
      "--var", `ADMIN_TOKEN:${adminToken}`,
      "--var", `ENCRYPTION_KEY:${encryptionKey}`,
      ...Object.entries(options.apiBases ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
      "--var", `PUBLIC_URL:${baseUrl}`,
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    { env: quietEnv, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  const output: string[] = [];
  // Kept for the error message if start-up fails: never with the secrets in it.
  const keep = (chunk: Buffer) => output.push(chunk.toString().replaceAll(adminToken, "<ADMIN_TOKEN>").replaceAll(encryptionKey, "<ENCRYPTION_KEY>"));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);

  const stop = async () => {
    await killTree(child);
    rmSync(persistTo, { recursive: true, force: true });
  };
  try {
    await waitForHealth(baseUrl, child, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- wrangler dev output ---\n${output.join("").slice(-4000)}`);
  }
  return { baseUrl, adminToken, stop };
}

async function waitForHealth(baseUrl: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${baseUrl}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`wrangler dev did not answer ${baseUrl}/healthz within ${timeoutMs} ms`);
}

/** Ends wrangler and the workerd it started (its own process group, see `detached`). */
async function killTree(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}
