// `npm run dev` and `npm run deploy` as a newcomer meets them: a taken port is named before any
// banner, and a failing deploy ends with what to do instead of a Node stack trace.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = process.cwd();
const temp = mkdtempSync(join(tmpdir(), "switchboard-scripts-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function run(script: string, env: Record<string, string>, cwd = temp) {
  const result = spawnSync(process.execPath, [join(root, "scripts", script)], { cwd, env: { ...process.env, ...env }, encoding: "utf8", timeout: 20_000 });
  return { status: result.status, out: `${result.stdout}\n${result.stderr}`, stdout: result.stdout };
}

describe("npm run dev", () => {
  it("says the port is taken, and how to choose another, before printing its banner", async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const result = run("dev.mjs", { PORT: String(port) });
      expect(result.status).toBe(1);
      expect(result.out).toContain(`Port ${port} is already in use`);
      expect(result.out).toContain(`PORT=${port + 1} npm run dev`);
      expect(result.stdout).not.toContain("Switchboard is starting");
    } finally {
      server.close();
    }
  });
});

describe("npm run deploy", () => {
  it("stops before wrangler while database_id is the placeholder", () => {
    const result = run("deploy.mjs", {}, root);
    expect(result.status).toBe(1);
    expect(result.out).toContain("placeholder D1 database_id");
    expect(result.out).toContain("npx wrangler d1 create switchboard");
    expect(result.out).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it("ends a wrangler failure (not logged in) with what to do, not a stack trace", () => {
    writeFileSync(join(temp, "wrangler.toml"), '[[d1_databases]]\nbinding = "DB"\ndatabase_id = "1c6e8e7a-0000-4000-8000-123456789abc"\n');
    // A stand-in for npx that fails like wrangler does without a login.
    const bin = join(temp, "bin");
    rmSync(bin, { recursive: true, force: true });
    spawnSync("mkdir", ["-p", bin]);
    writeFileSync(join(bin, "npx"), '#!/bin/sh\necho "✘ [ERROR] You are not logged in." >&2\nexit 1\n');
    chmodSync(join(bin, "npx"), 0o755);
    const result = run("deploy.mjs", { PATH: `${bin}:${process.env.PATH}` });
    expect(result.status).toBe(1);
    expect(result.out).toContain("Applying the D1 migrations failed");
    expect(result.out).toContain("npx wrangler login");
    expect(result.out).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(result.out).not.toContain("Error: Command failed");
  });
});
