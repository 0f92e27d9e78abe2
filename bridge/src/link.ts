// The bridge's end of the link: it dials the Worker (wss://…/bridge/v1/connect with the shared
// secret), re-sends what the queue still holds, says `ready`, and then keeps delivering: one
// signed batch per channel in flight, removed from the queue only on `delivered`. Commands from
// the Worker are run and answered. The link reconnects with back-off, and a link that goes quiet
// (no pong) is torn down and dialled again, so a NAT that dropped it silently is noticed.
import WebSocket from "ws";
import {
  BRIDGE_CONNECT_PATH,
  BRIDGE_PROTOCOL_VERSION,
  hubFrameSchema,
  PING,
  PONG,
  signBatch,
  type BridgeCommand,
  type BridgeFrame,
  type BridgeProvider,
  type HubFrame,
} from "../../worker/bridge/protocol.ts";
import type { Logger } from "./log.ts";
import type { EventQueue } from "./queue.ts";

export interface LinkOptions {
  /** The Worker's base URL (https://…); the link uses wss:// (ws:// for http://). */
  workerUrl: string;
  secret: string;
  bridgeId: string;
  queue: EventQueue;
  log: Logger;
  /** Runs a command from the Worker; throws CommandError for a classified failure. */
  onCommand(channelId: string, command: BridgeCommand): Promise<unknown>;
  /** Sessions alive in this process (reported in `hello`). */
  liveSessions(): { channelId: string; provider: BridgeProvider }[];
  batchMaxItems?: number;
  batchMaxBytes?: number;
  /** How long a batch may wait for `delivered` before it is sent again. */
  ackTimeoutMs?: number;
  pingIntervalMs?: number;
}

/** A command failure the Worker treats by kind (as ProviderError). */
export class CommandError extends Error {
  constructor(
    readonly kind: "rate-limited" | "transient" | "unauthorized" | "permanent",
    message: string,
  ) {
    super(message);
  }
}

interface InFlight {
  batchId: string;
  ids: string[];
  timer: ReturnType<typeof setTimeout>;
}

export class HubLink {
  private ws: WebSocket | null = null;
  private stopped = false;
  private attempt = 0;
  private readonly inFlight = new Map<string, InFlight>();
  /** Events queued when this connection opened: `ready` follows their acknowledgement. */
  private replay: Set<string> | null = null;
  private readySent = false;
  private lastHeard = 0;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private batchSeq = 0;
  connectedAt: number | null = null;
  readyAt: number | null = null;

  constructor(private readonly options: LinkOptions) {}

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  get ready(): boolean {
    return this.connected && this.readySent;
  }

  start(): void {
    this.stopped = false;
    this.dial();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.teardown();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState === WebSocket.OPEN) {
      await new Promise<void>((resolve) => {
        ws.once("close", () => resolve());
        ws.close(1000, "bridge stopping");
        setTimeout(resolve, 1000);
      });
    } else ws?.terminate();
  }

  /** New events are in the queue: send what may be sent. */
  notify(): void {
    if (this.connected) this.pump();
  }

  private url(): string {
    const base = new URL(this.options.workerUrl);
    base.protocol = base.protocol === "http:" ? "ws:" : "wss:";
    base.pathname = BRIDGE_CONNECT_PATH;
    return base.toString();
  }

  private dial(): void {
    if (this.stopped) return;
    const { log } = this.options;
    const ws = new WebSocket(this.url(), { headers: { authorization: `Bearer ${this.options.secret}` }, handshakeTimeout: 15_000 });
    this.ws = ws;
    ws.on("open", () => {
      this.attempt = 0;
      this.connectedAt = Date.now();
      this.lastHeard = Date.now();
      this.readySent = false;
      this.replay = this.options.queue.pendingIds();
      log.info("link: connected to the Worker", { replay: this.replay.size });
      this.sendFrame({ type: "hello", v: BRIDGE_PROTOCOL_VERSION, bridgeId: this.options.bridgeId, sessions: this.options.liveSessions() });
      const interval = this.options.pingIntervalMs ?? 20_000;
      this.pingTimer = setInterval(() => this.keepAlive(interval), interval);
      this.pump();
    });
    ws.on("message", (data) => {
      this.lastHeard = Date.now();
      const text = data.toString();
      if (text === PONG) return;
      let frame: HubFrame;
      try {
        frame = hubFrameSchema.parse(JSON.parse(text));
      } catch (error) {
        log.warn("link: malformed frame from the Worker", { error: (error as Error).message.slice(0, 200) });
        return;
      }
      this.onFrame(frame);
    });
    ws.on("unexpected-response", (_request, response) => {
      log.error("link: the Worker refused the connection", { status: response.statusCode, hint: response.statusCode === 401 ? "BRIDGE_SECRET differs from the Worker's" : undefined });
    });
    ws.on("error", (error) => log.warn("link: error", { error: error.message }));
    ws.on("close", (code, reason) => {
      if (this.ws !== ws) return;
      this.teardown();
      this.ws = null;
      if (this.stopped) return;
      const delay = Math.min(1000 * 2 ** this.attempt, 30_000) * (0.8 + Math.random() * 0.4);
      this.attempt += 1;
      log.warn("link: disconnected, dialling again", { code, reason: reason.toString(), inMs: Math.round(delay) });
      this.reconnectTimer = setTimeout(() => this.dial(), delay);
    });
  }

  /** Every batch in flight is sent again on the next connection. */
  private teardown(): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    for (const flight of this.inFlight.values()) clearTimeout(flight.timer);
    this.inFlight.clear();
    this.readySent = false;
    this.readyAt = null;
  }

  private keepAlive(interval: number): void {
    if (!this.connected) return;
    if (Date.now() - this.lastHeard > interval * 3) {
      this.options.log.warn("link: no answer from the Worker, reconnecting");
      this.ws?.terminate();
      return;
    }
    this.ws!.send(PING);
  }

  private sendFrame(frame: BridgeFrame): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private onFrame(frame: HubFrame): void {
    switch (frame.type) {
      case "welcome":
        return;
      case "delivered": {
        const entry = [...this.inFlight].find(([, flight]) => flight.batchId === frame.batchId);
        if (!entry) return;
        const [channelId, flight] = entry;
        clearTimeout(flight.timer);
        this.inFlight.delete(channelId);
        if (frame.outcome === "rejected") this.options.log.error("link: the Worker rejected a batch; dropped", { channelId, status: frame.status, events: flight.ids.length });
        this.options.queue.remove(channelId, flight.ids);
        for (const id of flight.ids) this.replay?.delete(id);
        this.pump();
        return;
      }
      case "command":
        void this.runCommand(frame.requestId, frame.channelId, frame.command);
        return;
    }
  }

  private async runCommand(requestId: string, channelId: string, command: BridgeCommand): Promise<void> {
    try {
      const value = await this.options.onCommand(channelId, command);
      this.sendFrame({ type: "result", requestId, ok: true, value: value ?? null });
    } catch (error) {
      // By shape, not class: sessions may come from a separately bundled drivers module.
      const given = (error as { kind?: unknown }).kind;
      const kind = given === "rate-limited" || given === "unauthorized" || given === "permanent" ? given : "transient";
      this.sendFrame({ type: "result", requestId, ok: false, error: (error as Error).message, kind });
    }
  }

  /** Sends the next batch of every channel that has none in flight; says `ready` once the replay is through. */
  private pump(): void {
    if (!this.connected) return;
    const { queue } = this.options;
    for (const channelId of queue.channelIds()) {
      if (this.inFlight.has(channelId)) continue;
      const queued = queue.peek(channelId, this.options.batchMaxItems ?? 100, this.options.batchMaxBytes ?? 256 * 1024);
      const provider = queued[0]?.provider;
      if (!provider) continue;
      // One provider per batch (a channel's provider never changes; this only guards the format).
      const items = queued.filter((item) => item.provider === provider).map(({ id, at, event }) => ({ id, at, event }));
      const batchId = `${this.options.bridgeId}-${Date.now().toString(36)}-${(this.batchSeq += 1)}`;
      const body = JSON.stringify({ v: BRIDGE_PROTOCOL_VERSION, channelId, provider, items });
      const timer = setTimeout(() => {
        // No answer: the same events go again (the channel de-duplicates what it already has).
        this.inFlight.delete(channelId);
        this.options.log.warn("link: a batch was not acknowledged in time, sending it again", { channelId });
        this.pump();
      }, this.options.ackTimeoutMs ?? 30_000);
      this.inFlight.set(channelId, { batchId, ids: items.map((item) => item.id), timer });
      void signBatch(this.options.secret, body).then((signature) => this.sendFrame({ type: "deliver", batchId, channelId, provider, body, signature }));
    }
    const pending = this.replay && !this.readySent ? queue.pendingIds() : null;
    if (pending && [...this.replay!].every((id) => !pending.has(id))) {
      this.readySent = true;
      this.readyAt = Date.now();
      this.replay = null;
      this.sendFrame({ type: "ready" });
      this.options.log.info("link: ready; the Worker resumes the sessions");
    }
  }
}
