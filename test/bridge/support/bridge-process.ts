// The real bridge process for process-level tests: built as it ships (bridge/dist/main.js), with
// WhatsApp faked inside it (fake-drivers.ts, bundled beside it) and driven over its IPC channel.
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { build } from "esbuild";
import type { DriverCommand, DriverReport } from "./fake-drivers.ts";

/** Builds the bridge and the fake drivers; returns the drivers module's path. */
export async function buildBridgeWithFakes(name = "fake-drivers"): Promise<string> {
  execFileSync(process.execPath, ["bridge/build.mjs"], { stdio: "ignore" });
  // Beside the bridge's bundle, so its packages resolve from the project's node_modules.
  const driversModule = join(process.cwd(), "bridge", "dist", `${name}.mjs`);
  await build({ entryPoints: ["test/bridge/support/fake-drivers.ts"], outfile: driversModule, bundle: true, platform: "node", format: "esm", packages: "external", logLevel: "error" });
  return driversModule;
}

export class BridgeProcess {
  readonly reports: DriverReport[] = [];
  readonly output: string[] = [];
  constructor(readonly child: ChildProcess) {
    child.on("message", (message) => this.reports.push(message as DriverReport));
    child.stdout?.on("data", (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => this.output.push(chunk.toString()));
  }
  drive(command: DriverCommand): void {
    this.child.send(command);
  }
  sent(channelId: string): string[] {
    return this.reports.flatMap((report) => (report.type === "sent" && report.channelId === channelId ? [report.text] : []));
  }
  sockets(channelId: string) {
    return this.reports.filter((report): report is Extract<DriverReport, { type: "socket" }> => report.type === "socket" && report.channelId === channelId);
  }
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await exited;
  }
}

export function spawnBridge(options: { workerUrl: string; secret: string; dataDir: string; driversModule: string; env?: Record<string, string> }): BridgeProcess {
  const child = fork("bridge/dist/main.js", [], {
    env: {
      ...process.env,
      SWITCHBOARD_URL: options.workerUrl,
      BRIDGE_SECRET: options.secret,
      BRIDGE_DATA_DIR: options.dataDir,
      BRIDGE_HTTP_PORT: "0",
      BRIDGE_ID: "test",
      BRIDGE_DRIVERS: options.driversModule,
      BRIDGE_LOG_LEVEL: "warn",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  return new BridgeProcess(child);
}
