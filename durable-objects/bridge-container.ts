// BridgeContainer: the bridge (bridge/, its Dockerfile) as a Cloudflare Container, started by the
// BridgeHubDO when sessions should run and no bridge is connected. The bridge takes no requests:
// it dials in to the Worker (wss://<worker>/bridge/v1/connect), so it is told the Worker's URL
// and the shared secret at start. On any Docker host the same image runs with the same two
// variables instead (docs/bridge.md); then set BRIDGE_RUNS_IN = "external".
import { Container } from "@cloudflare/containers";
import type { Env } from "../worker/env";

export class BridgeContainer extends Container<Env> {
  /** The bridge's health endpoint (GET /healthz); nothing else listens. */
  defaultPort = 8080;
  /** Activity is requests into the container, and the bridge gets none: see onActivityExpired. */
  sleepAfter = "10m";

  /** Starts the bridge, pointed at the Worker, unless it runs already. */
  async startBridge(workerUrl: string): Promise<void> {
    if (this.ctx.container?.running) return;
    await this.start({
      envVars: {
        SWITCHBOARD_URL: workerUrl,
        BRIDGE_SECRET: this.env.BRIDGE_SECRET ?? "",
        BRIDGE_DATA_DIR: "/data",
        // A proxy or a stand-in for iLink, when the deployment names one.
        ...(this.env.WECHAT_API_BASE ? { WECHAT_API_BASE: this.env.WECHAT_API_BASE } : {}),
      },
    });
  }

  /** The bridge holds long-lived sessions and receives no requests: it keeps running. */
  override async onActivityExpired(): Promise<void> {
    this.renewActivityTimeout();
  }
}
