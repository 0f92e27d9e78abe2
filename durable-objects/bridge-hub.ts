// BridgeHubDO: the Worker's end of the bridge link. The bridge (bridge/) dials in with a
// WebSocket that this object accepts with the hibernation API, so it sleeps while the link is idle
// (pings are answered without waking it). It forwards the bridge's signed event batches to each
// channel's ChannelDO `ingest` — the same path as webhooks — and answers `delivered` only once the
// channel stored them; it carries the Worker's commands (start, stop, send…) to the bridge and
// their results back; and it remembers which sessions should run, so a restarted bridge resumes
// them all. Protocol: worker/bridge/protocol.ts.
import { DurableObject } from "cloudflare:workers";
import {
  BRIDGE_PROTOCOL_VERSION,
  BRIDGE_SIGNATURE_HEADER,
  bridgeFrameSchema,
  PING,
  PONG,
  type BridgeCommand,
  type BridgeFrame,
  type BridgeProvider,
  type HubFrame,
} from "../worker/bridge/protocol";
import type { Env } from "../worker/env";

/** What a command came back with; errors carry the ProviderError kind the adapter rethrows. */
export type CommandOutcome =
  | { ok: true; value: unknown }
  | { ok: false; error: string; kind: "rate-limited" | "transient" | "unauthorized" | "permanent" };

export interface BridgeLinkStatus {
  connected: boolean;
  ready: boolean;
  bridgeId: string | null;
  connectedAt: number | null;
  disconnectedAt: number | null;
  sessions: { channelId: string; provider: string }[];
}

interface Attachment {
  bridgeId: string;
  ready: boolean;
  connectedAt: number;
  /** Sessions the bridge reported alive in its hello. */
  live: string[];
}

/** How long the Worker waits for the bridge to answer a command. */
const COMMAND_TIMEOUT_MS = 20_000;
/** With sessions to run and no bridge, how often the hub (re)starts the Container. */
const CONTAINER_RETRY_MS = 30_000;
const TAG = "bridge";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (channel_id TEXT PRIMARY KEY, provider TEXT NOT NULL, started_at INTEGER NOT NULL, pending INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS pending_logouts (channel_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export class BridgeHubDO extends DurableObject<Env> {
  private readonly pending = new Map<string, { resolve: (outcome: CommandOutcome) => void; timer: ReturnType<typeof setTimeout> }>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(SCHEMA);
    // Keep-alives never wake the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  // ---------------------------------------------------------------- the link

  /** Accepts the bridge's WebSocket (the Worker route checked BRIDGE_SECRET already). */
  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return new Response("expected a WebSocket upgrade", { status: 426 });
    // One bridge at a time: a new connection replaces an old one (a restarted bridge, a dead link).
    for (const old of this.ctx.getWebSockets(TAG)) old.close(4000, "replaced by a newer bridge connection");
    this.failPending("the bridge link was replaced");
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [TAG]);
    server.serializeAttachment({ bridgeId: "", ready: false, connectedAt: Date.now(), live: [] } satisfies Attachment);
    this.put("connectedAt", Date.now());
    this.put("outageReported", false);
    await this.ctx.storage.deleteAlarm();
    return new Response(null, { status: 101, webSocket: client });
  }

  async webSocketMessage(ws: WebSocket, raw: string | ArrayBuffer): Promise<void> {
    if (typeof raw !== "string") return;
    let frame: BridgeFrame;
    try {
      frame = bridgeFrameSchema.parse(JSON.parse(raw));
    } catch (error) {
      console.warn("bridge: malformed frame", (error as Error).message.slice(0, 200));
      return;
    }
    const attachment = ws.deserializeAttachment() as Attachment;
    switch (frame.type) {
      case "hello":
        ws.serializeAttachment({ ...attachment, bridgeId: frame.bridgeId, ready: false, live: frame.sessions.map((session) => session.channelId) });
        this.send(ws, { type: "welcome", v: BRIDGE_PROTOCOL_VERSION });
        return;
      case "deliver":
        return this.deliver(ws, frame);
      case "ready":
        ws.serializeAttachment({ ...attachment, ready: true });
        return this.reconcile(ws, attachment.live);
      case "result": {
        const waiting = this.pending.get(frame.requestId);
        if (!waiting) return;
        this.pending.delete(frame.requestId);
        clearTimeout(waiting.timer);
        waiting.resolve(frame.ok ? { ok: true, value: frame.value ?? null } : { ok: false, error: frame.error ?? "the bridge reported an error", kind: frame.kind ?? "transient" });
        return;
      }
    }
  }

  async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    this.lost(`the bridge disconnected (${code}${reason ? ` ${reason}` : ""})`);
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  async webSocketError(): Promise<void> {
    this.lost("the bridge link failed");
  }

  /** With the bridge gone: callers waiting on it fail now; a Container deployment restarts it. */
  private lost(why: string): void {
    if (this.socket()) return; // a newer connection is already in place
    this.put("disconnectedAt", Date.now());
    this.failPending(why);
    if (this.sessionRows().length > 0) void this.ctx.storage.setAlarm(Date.now() + CONTAINER_RETRY_MS);
  }

  /** Hands a signed batch to its channel; `delivered` only once the channel stored it. */
  private async deliver(ws: WebSocket, frame: Extract<BridgeFrame, { type: "deliver" }>): Promise<void> {
    let status: number;
    try {
      const ack = await this.env.CHANNEL.getByName(frame.channelId).ingest(frame.channelId, frame.provider, {
        method: "POST",
        url: `https://bridge.invalid/v1/${frame.provider}/${frame.channelId}`,
        headers: [
          ["content-type", "application/json"],
          [BRIDGE_SIGNATURE_HEADER, frame.signature],
        ],
        rawBody: frame.body,
      });
      status = ack.status;
    } catch (error) {
      // The channel could not take it now: no answer, so the bridge sends it again.
      console.warn("bridge: delivery failed, the bridge will retry", frame.channelId, (error as Error).message);
      return;
    }
    if (status >= 500) return;
    this.send(ws, { type: "delivered", batchId: frame.batchId, outcome: status < 300 ? "stored" : "rejected", status });
  }

  /**
   * After `ready`: resume every session that should run and is not alive (or was started anew
   * while the bridge was away: a relogin); stop or log out the ones that should not run.
   */
  private async reconcile(ws: WebSocket, live: string[]): Promise<void> {
    const wanted = this.sessionRows();
    const wantedIds = new Set(wanted.map((row) => row.channel_id));
    const logouts = new Set(this.ctx.storage.sql.exec<{ channel_id: string }>("SELECT channel_id FROM pending_logouts").toArray().map((row) => row.channel_id));
    this.ctx.storage.sql.exec("DELETE FROM pending_logouts");
    for (const channelId of live) {
      if (logouts.has(channelId)) await this.command(channelId, { op: "logout" });
      else if (!wantedIds.has(channelId)) void this.command(channelId, { op: "stop" });
    }
    for (const row of wanted) {
      if (live.includes(row.channel_id) && !row.pending && !logouts.has(row.channel_id)) continue;
      try {
        const resumed = await this.env.CHANNEL.getByName(row.channel_id).resumeBridgeSession(row.channel_id);
        if (!resumed) this.forget(row.channel_id);
      } catch (error) {
        console.warn("bridge: could not resume", row.channel_id, (error as Error).message);
      }
      if (this.socket() !== ws) return; // the link changed meanwhile; the new one reconciles
    }
  }

  // ---------------------------------------------------------------- RPC from the Worker

  /** Records that the channel's session should run, and starts it when the bridge is there. */
  async startSession(channelId: string, provider: BridgeProvider, command: Extract<BridgeCommand, { op: "start" }>, workerUrl: string): Promise<CommandOutcome & { queued?: boolean }> {
    this.ctx.storage.sql.exec(
      "INSERT INTO sessions (channel_id, provider, started_at, pending) VALUES (?, ?, ?, 1) ON CONFLICT (channel_id) DO UPDATE SET provider = excluded.provider, started_at = excluded.started_at, pending = 1",
      channelId,
      provider,
      Date.now(),
    );
    this.put("workerUrl", workerUrl);
    if (!this.readySocket()) {
      await this.ensureContainer();
      return { ok: true, value: null, queued: true };
    }
    const outcome = await this.command(channelId, command);
    if (outcome.ok) this.ctx.storage.sql.exec("UPDATE sessions SET pending = 0 WHERE channel_id = ?", channelId);
    return outcome;
  }

  /** The channel's session should not run (any more); `logout` also unlinks the device. */
  async stopSession(channelId: string, logout: boolean): Promise<CommandOutcome> {
    this.forget(channelId);
    if (!this.readySocket()) {
      // Carried out when the bridge is back, if it still holds the session.
      if (logout) this.ctx.storage.sql.exec("INSERT INTO pending_logouts (channel_id) VALUES (?) ON CONFLICT DO NOTHING", channelId);
      return { ok: false, error: "the bridge is not connected", kind: "transient" };
    }
    return this.command(channelId, { op: logout ? "logout" : "stop" });
  }

  /** Sends a command to the bridge and waits for its result. */
  async command(channelId: string, command: BridgeCommand): Promise<CommandOutcome> {
    const ws = this.readySocket();
    if (!ws) return { ok: false, error: "the bridge is not connected", kind: "transient" };
    const requestId = crypto.randomUUID();
    return new Promise<CommandOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve({ ok: false, error: `the bridge did not answer within ${COMMAND_TIMEOUT_MS / 1000} s`, kind: "transient" });
      }, COMMAND_TIMEOUT_MS);
      this.pending.set(requestId, { resolve, timer });
      this.send(ws, { type: "command", requestId, channelId, command });
    });
  }

  async status(): Promise<BridgeLinkStatus> {
    const ws = this.socket();
    const attachment = ws ? (ws.deserializeAttachment() as Attachment) : null;
    return {
      connected: Boolean(ws),
      ready: Boolean(attachment?.ready),
      bridgeId: attachment?.bridgeId || null,
      connectedAt: this.get<number>("connectedAt") ?? null,
      disconnectedAt: this.get<number>("disconnectedAt") ?? null,
      sessions: this.sessionRows().map((row) => ({ channelId: row.channel_id, provider: row.provider })),
    };
  }

  // ---------------------------------------------------------------- the Container

  /**
   * Sessions want a bridge and none is connected: their channels are told (once per outage, after
   * a grace period that a quick reconnect never reaches) and the Container is (re)started.
   */
  async alarm(): Promise<void> {
    if (this.readySocket() || this.sessionRows().length === 0) return;
    if (!this.get<boolean>("outageReported")) {
      this.put("outageReported", true);
      const since = this.get<number>("disconnectedAt");
      const reason = `the bridge is not connected${since ? ` since ${new Date(since).toISOString()}` : ""}`;
      for (const row of this.sessionRows()) {
        await this.env.CHANNEL.getByName(row.channel_id).bridgeOffline(row.channel_id, reason).catch(() => undefined);
      }
    }
    await this.ensureContainer();
    await this.ctx.storage.setAlarm(Date.now() + CONTAINER_RETRY_MS);
  }

  private async ensureContainer(): Promise<void> {
    if (this.env.BRIDGE_RUNS_IN === "external" || !this.env.BRIDGE_CONTAINER) return;
    const workerUrl = this.get<string>("workerUrl");
    if (!workerUrl || !this.env.BRIDGE_SECRET) return;
    try {
      await this.env.BRIDGE_CONTAINER.getByName("bridge").startBridge(workerUrl);
    } catch (error) {
      console.warn("bridge: the Container did not start", (error as Error).message);
    }
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + CONTAINER_RETRY_MS);
  }

  // ---------------------------------------------------------------- internals

  private socket(): WebSocket | undefined {
    return this.ctx.getWebSockets(TAG).find((ws) => ws.readyState === WebSocket.OPEN);
  }

  private readySocket(): WebSocket | undefined {
    const ws = this.socket();
    return ws && (ws.deserializeAttachment() as Attachment).ready ? ws : undefined;
  }

  private send(ws: WebSocket, frame: HubFrame): void {
    ws.send(JSON.stringify(frame));
  }

  private failPending(why: string): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.resolve({ ok: false, error: why, kind: "transient" });
      this.pending.delete(id);
    }
  }

  private sessionRows(): { channel_id: string; provider: string; pending: number }[] {
    return this.ctx.storage.sql.exec<{ channel_id: string; provider: string; pending: number }>("SELECT channel_id, provider, pending FROM sessions ORDER BY started_at").toArray();
  }

  private forget(channelId: string): void {
    this.ctx.storage.sql.exec("DELETE FROM sessions WHERE channel_id = ?", channelId);
  }

  private get<T>(key: string): T | undefined {
    const row = this.ctx.storage.sql.exec<{ value: string }>("SELECT value FROM kv WHERE key = ?", key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  private put(key: string, value: unknown): void {
    this.ctx.storage.sql.exec("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, JSON.stringify(value));
  }
}
