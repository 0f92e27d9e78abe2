// The bridge assembled: the on-disk queue, the sessions, the link to the Worker, and a health
// endpoint. main.ts runs it with the real libraries; tests run it with fake ones.
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { HubLink } from "./link.ts";
import type { Logger } from "./log.ts";
import { EventQueue, type QueueLimits } from "./queue.ts";
import { SessionManager, type SessionFactories } from "./sessions.ts";

export interface BridgeOptions {
  workerUrl: string;
  secret: string;
  bridgeId: string;
  dataDir: string;
  httpPort: number;
  factories: SessionFactories;
  log: Logger;
  queueLimits?: QueueLimits;
  ackTimeoutMs?: number;
  pingIntervalMs?: number;
}

export interface RunningBridge {
  link: HubLink;
  sessions: SessionManager;
  queue: EventQueue;
  /** The health endpoint's port (0: none). */
  httpPort: number;
  stop(): Promise<void>;
}

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const { log } = options;
  const queue = new EventQueue(join(options.dataDir, "queue"), log, options.queueLimits);
  let link: HubLink | null = null;
  const sessions = new SessionManager(
    options.factories,
    (channelId, provider, event) => {
      queue.append(channelId, provider, event);
      link?.notify();
    },
    log,
  );
  link = new HubLink({
    workerUrl: options.workerUrl,
    secret: options.secret,
    bridgeId: options.bridgeId,
    queue,
    log,
    onCommand: (channelId, command) => sessions.handle(channelId, command),
    liveSessions: () => sessions.live(),
    ackTimeoutMs: options.ackTimeoutMs,
    pingIntervalMs: options.pingIntervalMs,
  });
  link.start();

  let server: Server | null = null;
  let httpPort = 0;
  if (options.httpPort > 0 || options.httpPort === -1) {
    server = createServer((request, response) => {
      if (request.url !== "/healthz") {
        response.writeHead(404).end();
        return;
      }
      const body = {
        ok: true,
        link: { connected: link!.connected, ready: link!.ready, connectedAt: link!.connectedAt, readyAt: link!.readyAt },
        sessions: sessions.live(),
        queue: { ...queue.size(), dropped: queue.dropped },
        rssBytes: process.memoryUsage().rss,
      };
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server!.listen(options.httpPort === -1 ? 0 : options.httpPort, "0.0.0.0", resolve));
    httpPort = (server.address() as { port: number }).port;
  }
  log.info("bridge started", { bridgeId: options.bridgeId, worker: options.workerUrl, healthPort: httpPort || null });

  return {
    link,
    sessions,
    queue,
    httpPort,
    async stop() {
      await sessions.stopAll();
      await link!.stop();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}
