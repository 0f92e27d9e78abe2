// What the end-to-end files share: the real Worker under `wrangler dev`, the real bridge process
// (built with the fake drivers) spawned per test and killed after it, each on its own data
// folder, and the admin API as a function.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAppServer, type AppServer } from "../../browser/support/app-server.ts";
import { buildBridgeWithFakes, spawnBridge, type BridgeProcess } from "./bridge-process.ts";

export interface E2eRig {
  app: AppServer;
  /** A new empty data folder (a bridge restarted on it keeps its queue; a new one has none). */
  dataDir(): string;
  spawnBridge(dataDir?: string): BridgeProcess;
  killBridges(): Promise<void>;
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** `bridgeEnv`: more variables for the bridge; `apiBases`: provider API bases for the Worker (fakes). */
export async function startE2eRig(
  name: string,
  { bridgeEnv = {}, apiBases = {} }: { bridgeEnv?: Record<string, string>; apiBases?: Record<string, string> } = {},
): Promise<E2eRig> {
  const secret = randomBytes(24).toString("base64url");
  const work = mkdtempSync(join(tmpdir(), `${name}-`));
  const driversModule = await buildBridgeWithFakes(`${name}-fake-drivers`);
  const app = await startAppServer({ apiBases, vars: { BRIDGE_SECRET: secret, BRIDGE_RUNS_IN: "external" } });
  const running: BridgeProcess[] = [];
  const dataDir = () => mkdtempSync(join(work, "data-"));
  return {
    app,
    dataDir,
    spawnBridge(folder = dataDir()) {
      const bridge = spawnBridge({ workerUrl: app.baseUrl, secret, dataDir: folder, driversModule, env: bridgeEnv });
      running.push(bridge);
      return bridge;
    },
    async killBridges() {
      await Promise.all(running.splice(0).map((bridge) => bridge.kill()));
    },
    async api<T = any>(method: string, path: string, body?: unknown) {
      const response = await fetch(`${app.baseUrl}/api${path}`, {
        method,
        headers: { authorization: `Bearer ${app.adminToken}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as T };
    },
    async stop() {
      await app.stop();
      rmSync(work, { recursive: true, force: true });
      rmSync(driversModule, { force: true });
    },
  };
}
