// A Slack Socket Mode client: `apps.connections.open` with the app-level token gives a single-use
// wss:// URL; the client waits for `hello`, then acknowledges every envelope by sending back its
// `envelope_id` — at once, but only after the handler has stored the envelope (the bridge's
// on-disk queue, fsynced), so an acknowledged event is never lost and Slack's 3-second budget is
// never at the mercy of the Worker. A `disconnect` (warning, refresh_requested) opens the next
// connection before the old one goes; a drop reconnects with back-off; `link_disabled` and a
// refused token stop for good. WebSocket pings notice a connection that died silently (Socket
// Mode itself sends nothing while idle). Built on `ws` for those pings.
import WebSocket from "ws";
import type { Logger } from "../log.ts";

export const DEFAULT_SLACK_API_BASE = "https://slack.com/api";

/** `apps.connections.open` errors that retrying cannot fix. */
const FATAL_OPEN_ERRORS: Record<string, string> = {
  invalid_auth: "Slack refused the app-level token (invalid_auth)",
  not_authed: "no app-level token was sent (not_authed)",
  token_revoked: "the app-level token was revoked (token_revoked)",
  account_inactive: "the app was uninstalled or the workspace deactivated (account_inactive)",
  not_allowed_token_type: "that is not an app-level token with connections:write (not_allowed_token_type)",
  missing_scope: "the app-level token lacks the connections:write scope (missing_scope)",
};

export interface SocketEnvelope {
  envelope_id: string;
  type: string;
  payload?: Record<string, unknown>;
  accepts_response_payload?: boolean;
  retry_attempt?: number;
  retry_reason?: string;
}

export interface SocketHandlers {
  /** The connection said hello. */
  hello(appId: string | null): void;
  /** One envelope. Must have stored it when it returns; a throw leaves it unacknowledged (Slack retries). */
  envelope(envelope: SocketEnvelope): void;
  down(reason: string, reconnecting: boolean): void;
}

export interface SocketTimings {
  backoffMs: number;
  maxBackoffMs: number;
  /** WebSocket ping interval; no pong within it closes the connection. */
  pingIntervalMs: number;
  /** How long the old connection stays open after a `disconnect` warning while the next one opens. */
  handoverMs: number;
}

export const DEFAULT_SOCKET_TIMINGS: SocketTimings = { backoffMs: 1000, maxBackoffMs: 60_000, pingIntervalMs: 30_000, handoverMs: 5000 };

export interface SocketModeOptions {
  appToken: string;
  /** SLACK_API_BASE, else Slack's. */
  apiBase?: string;
  handlers: SocketHandlers;
  log: Logger;
  timings?: Partial<SocketTimings>;
}

export class SlackSocketMode {
  private current: WebSocket | null = null;
  private readonly retiring = new Set<WebSocket>();
  private stopped = false;
  private failures = 0;
  private opening = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly timings: SocketTimings;
  state: "connecting" | "ready" | "closed" | "failed" = "closed";
  /** Envelopes acknowledged since start (health, tests). */
  acked = 0;

  constructor(private readonly options: SocketModeOptions) {
    this.timings = { ...DEFAULT_SOCKET_TIMINGS, ...options.timings };
  }

  start(): void {
    this.stopped = false;
    void this.open();
  }

  stop(): void {
    this.stopped = true;
    this.state = "closed";
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    for (const ws of [this.current, ...this.retiring]) ws?.close(1000, "stopping");
    this.current = null;
    this.retiring.clear();
  }

  /** Asks Slack for a connection URL and connects to it. */
  private async open(): Promise<void> {
    if (this.stopped || this.opening) return;
    this.opening = true;
    this.state = "connecting";
    let url: string;
    try {
      url = await this.connectionUrl();
    } catch (error) {
      this.opening = false;
      const { message, fatal } = error as Error & { fatal?: boolean };
      if (fatal) return this.fail(message);
      return this.retry(`apps.connections.open failed: ${message}`);
    }
    this.opening = false;
    if (this.stopped) return;
    this.connect(url);
  }

  private async connectionUrl(): Promise<string> {
    const base = (this.options.apiBase || DEFAULT_SLACK_API_BASE).replace(/\/+$/, "");
    const response = await fetch(`${base}/apps.connections.open`, {
      method: "POST",
      headers: { authorization: `Bearer ${this.options.appToken}`, "content-type": "application/x-www-form-urlencoded" },
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json().catch(() => null)) as { ok?: boolean; url?: string; error?: string } | null;
    if (body?.ok && body.url) return body.url;
    const code = body?.error ?? `HTTP ${response.status}`;
    const fatal = FATAL_OPEN_ERRORS[code];
    throw Object.assign(new Error(fatal ?? code), { fatal: fatal !== undefined });
  }

  private connect(url: string): void {
    const ws = new WebSocket(url, { handshakeTimeout: 15_000 });
    this.current = ws;
    let alive = true;
    let pinger: ReturnType<typeof setInterval> | null = null;
    ws.on("open", () => {
      pinger = setInterval(() => {
        if (!alive) {
          this.options.log.warn("slack socket: no pong; reconnecting");
          ws.terminate();
          return;
        }
        alive = false;
        ws.ping();
      }, this.timings.pingIntervalMs);
    });
    ws.on("pong", () => (alive = true));
    ws.on("ping", () => (alive = true));
    ws.on("message", (data) => {
      alive = true;
      this.onMessage(ws, data.toString());
    });
    ws.on("error", (error) => this.options.log.warn("slack socket: error", { error: error.message }));
    ws.on("close", (code, reason) => {
      if (pinger) clearInterval(pinger);
      if (this.retiring.delete(ws) || this.current !== ws) return;
      this.current = null;
      if (this.stopped) return;
      this.retry(`the Socket Mode connection closed (${code}${reason.length ? ` ${reason.toString()}` : ""})`);
    });
  }

  private onMessage(ws: WebSocket, text: string): void {
    let message: { type?: string; reason?: string; envelope_id?: string; connection_info?: { app_id?: string } } & Partial<SocketEnvelope>;
    try {
      message = JSON.parse(text);
    } catch {
      this.options.log.warn("slack socket: a frame that is not JSON");
      return;
    }
    if (message.type === "hello") {
      this.state = "ready";
      this.failures = 0;
      // The connection this one replaces may go now.
      for (const old of this.retiring) old.close(1000, "replaced");
      this.options.handlers.hello(message.connection_info?.app_id ?? null);
      return;
    }
    if (message.type === "disconnect") return this.onDisconnect(ws, message.reason ?? "unknown");
    if (typeof message.envelope_id !== "string") return;
    try {
      this.options.handlers.envelope(message as SocketEnvelope);
    } catch (error) {
      // Not stored, so not acknowledged: Slack sends it again.
      this.options.log.error("slack socket: an envelope could not be stored; not acknowledged", { error: (error as Error).message });
      return;
    }
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(JSON.stringify({ envelope_id: message.envelope_id }));
      this.acked += 1;
    }
  }

  private onDisconnect(ws: WebSocket, reason: string): void {
    if (reason === "link_disabled") {
      ws.close(1000, "link disabled");
      return this.fail("Socket Mode was turned off for this app in Slack (link_disabled): turn it on again, or switch the channel to the Events API");
    }
    // warning / refresh_requested: Slack closes this one soon. The next one opens first, and this
    // one keeps acknowledging what it still receives until the next says hello.
    this.options.log.info("slack socket: Slack asked for a new connection", { reason });
    if (this.current === ws) {
      this.current = null;
      this.retiring.add(ws);
      setTimeout(() => ws.close(1000, "handed over"), this.timings.handoverMs).unref?.();
    }
    void this.open();
  }

  private retry(reason: string): void {
    if (this.stopped) return;
    const delay = Math.min(this.timings.backoffMs * 2 ** this.failures, this.timings.maxBackoffMs);
    this.failures += 1;
    this.state = "connecting";
    this.options.log.warn("slack socket: disconnected; reconnecting", { reason, inMs: delay });
    this.options.handlers.down(reason, true);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.open();
    }, delay);
  }

  private fail(reason: string): void {
    // Nothing reconnects: the admin must change something in Slack first.
    this.stop();
    this.state = "failed";
    this.options.log.error("slack socket: stopped for good", { reason });
    this.options.handlers.down(reason, false);
  }
}
