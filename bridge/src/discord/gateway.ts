// A small Discord gateway client over Node 22's built-in WebSocket: Hello → Identify (or Resume) →
// READY, heartbeats with Discord's jitter, zombie detection (a heartbeat not acknowledged before
// the next one), Reconnect (op 7) and drops answered with a Resume on `resume_gateway_url` with
// the session id and the last sequence, Invalid Session (op 9) answered with a Resume or a fresh
// Identify as Discord says, and the close codes that must not be retried (4004, 4010–4014).
//
// No event is missed: the sequence advances only after the handler has taken a dispatch (the
// bridge writes it to its on-disk queue first), so a Resume replays anything not yet stored. A
// replayed event that was stored already is dropped by the Worker (de-duplication by message id).
import type { Logger } from "../log.ts";

/** GUILD_MESSAGES (1<<9), DIRECT_MESSAGES (1<<12), MESSAGE_CONTENT (1<<15, privileged). */
export const GATEWAY_INTENTS = (1 << 9) | (1 << 12) | (1 << 15);
export const DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg";

const Op = { Dispatch: 0, Heartbeat: 1, Identify: 2, Resume: 6, Reconnect: 7, InvalidSession: 9, Hello: 10, HeartbeatAck: 11 } as const;

/** Close codes after which reconnecting cannot help: the admin must change something. */
const FATAL_CLOSE: Record<number, string> = {
  4004: "Discord refused the bot token (authentication failed, 4004)",
  4010: "Discord: invalid shard (4010)",
  4011: "Discord: this bot is in too many servers for one connection (sharding required, 4011)",
  4012: "Discord: invalid gateway API version (4012)",
  4013: "Discord: invalid intents (4013)",
  4014: "Discord refused the Message Content intent (4014): turn on Bot → Privileged Gateway Intents → Message Content Intent in the developer portal",
};
/** Close codes after which the session cannot be resumed: identify anew. */
const NEW_SESSION_CLOSE = new Set([4007, 4009]);
/** Our own close code for a connection we drop to resume: any code but 1000/1001 keeps the session. */
const RESUME_CLOSE = 4900;

export interface GatewayUser {
  id: string;
  username: string;
}

export interface GatewayHandlers {
  /** A fresh session (READY). */
  ready(user: GatewayUser): void;
  /** A resumed session: the missed events were replayed before this. */
  resumed(): void;
  /** One dispatch other than READY/RESUMED. Must have stored it when it returns (throw: not taken). */
  dispatch(type: string, data: unknown): void;
  /** The connection dropped; `reconnecting` false: given up (a fatal close code). */
  down(reason: string, reconnecting: boolean): void;
}

export interface GatewayTimings {
  /** First reconnect delay after an unplanned drop; doubled up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** Discord asks for a random 1–5 s wait after an Invalid Session. */
  invalidSessionDelayMs: () => number;
  /** Fraction of the interval before the first heartbeat (Discord: random). */
  jitter: () => number;
}

export const DEFAULT_GATEWAY_TIMINGS: GatewayTimings = {
  backoffMs: 1000,
  maxBackoffMs: 60_000,
  invalidSessionDelayMs: () => 1000 + Math.random() * 4000,
  jitter: () => Math.random(),
};

export interface GatewayOptions {
  token: string;
  intents?: number;
  /** The gateway URL (DISCORD_GATEWAY_URL, or Discord's). */
  url: string;
  handlers: GatewayHandlers;
  log: Logger;
  timings?: Partial<GatewayTimings>;
}

interface Payload {
  op: number;
  d?: unknown;
  s?: number | null;
  t?: string | null;
}

export class DiscordGateway {
  private ws: WebSocket | null = null;
  private stopped = false;
  private failures = 0;
  private heartbeatTimer: ReturnType<typeof setTimeout> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private acked = true;
  private readonly timings: GatewayTimings;
  /** The session a Resume continues (null: identify). */
  sessionId: string | null = null;
  resumeUrl: string | null = null;
  /** The last sequence number the handler took. */
  seq: number | null = null;
  state: "connecting" | "identifying" | "resuming" | "ready" | "closed" | "failed" = "closed";

  constructor(private readonly options: GatewayOptions) {
    this.timings = { ...DEFAULT_GATEWAY_TIMINGS, ...options.timings };
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  /** Closes with 1000: Discord ends the session (the bot goes offline at once). */
  stop(): void {
    this.stopped = true;
    this.state = "closed";
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000, "stopping");
  }

  private connect(): void {
    if (this.stopped) return;
    const resuming = this.sessionId !== null && this.resumeUrl !== null;
    const url = withQuery(resuming ? this.resumeUrl! : this.options.url);
    this.state = "connecting";
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.addEventListener("message", (event) => {
      if (this.ws !== ws) return;
      let payload: Payload;
      try {
        payload = JSON.parse(String(event.data)) as Payload;
      } catch {
        this.options.log.warn("discord gateway: a frame that is not JSON");
        return;
      }
      this.onPayload(ws, payload);
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.onClose(event.code, event.reason);
    });
    ws.addEventListener("error", () => {
      // A close event follows; it decides what happens.
    });
  }

  private send(ws: WebSocket, payload: Payload): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(payload));
  }

  private onPayload(ws: WebSocket, payload: Payload): void {
    switch (payload.op) {
      case Op.Hello: {
        const interval = Number((payload.d as { heartbeat_interval?: number } | undefined)?.heartbeat_interval ?? 41_250);
        this.startHeartbeat(ws, interval);
        if (this.sessionId && this.resumeUrl) {
          this.state = "resuming";
          this.send(ws, { op: Op.Resume, d: { token: this.options.token, session_id: this.sessionId, seq: this.seq } });
        } else {
          this.state = "identifying";
          this.send(ws, {
            op: Op.Identify,
            d: {
              token: this.options.token,
              intents: this.options.intents ?? GATEWAY_INTENTS,
              properties: { os: process.platform, browser: "switchboard", device: "switchboard" },
            },
          });
        }
        return;
      }
      case Op.HeartbeatAck:
        this.acked = true;
        return;
      case Op.Heartbeat:
        // Discord asks for one now.
        this.send(ws, { op: Op.Heartbeat, d: this.seq });
        return;
      case Op.Reconnect:
        this.options.log.info("discord gateway: Discord asked for a reconnect; resuming");
        return this.drop(ws, "reconnect requested");
      case Op.InvalidSession: {
        const resumable = payload.d === true;
        this.options.log.warn("discord gateway: invalid session", { resumable });
        if (!resumable) this.forgetSession();
        this.clearTimers();
        this.ws = null;
        ws.close(RESUME_CLOSE, "invalid session");
        this.state = "connecting";
        this.reconnectTimer = setTimeout(() => this.connect(), this.timings.invalidSessionDelayMs());
        return;
      }
      case Op.Dispatch:
        return this.onDispatch(ws, payload);
    }
  }

  private onDispatch(ws: WebSocket, payload: Payload): void {
    const type = payload.t ?? "";
    try {
      if (type === "READY") {
        const data = payload.d as { session_id: string; resume_gateway_url: string; user: GatewayUser };
        this.sessionId = data.session_id;
        this.resumeUrl = data.resume_gateway_url;
        this.state = "ready";
        this.failures = 0;
        this.options.handlers.ready({ id: data.user.id, username: data.user.username });
      } else if (type === "RESUMED") {
        this.state = "ready";
        this.failures = 0;
        this.options.handlers.resumed();
      } else {
        this.options.handlers.dispatch(type, payload.d);
      }
    } catch (error) {
      // Not stored: the sequence stays, and a Resume gets the event again.
      this.options.log.error("discord gateway: an event could not be stored; resuming to get it again", { type, error: (error as Error).message });
      return this.drop(ws, "an event could not be stored");
    }
    if (typeof payload.s === "number") this.seq = payload.s;
  }

  private startHeartbeat(ws: WebSocket, interval: number): void {
    this.clearHeartbeat();
    this.acked = true;
    const beat = () => {
      if (this.ws !== ws) return;
      if (!this.acked) {
        // A zombied connection: Discord no longer answers. Drop it and resume.
        this.options.log.warn("discord gateway: heartbeat not acknowledged; reconnecting");
        return this.drop(ws, "heartbeat not acknowledged");
      }
      this.acked = false;
      this.send(ws, { op: Op.Heartbeat, d: this.seq });
      this.heartbeatTimer = setTimeout(beat, interval);
    };
    this.heartbeatTimer = setTimeout(beat, Math.floor(interval * this.timings.jitter()));
  }

  /** Closes this connection so that the session can be resumed, and reconnects at once. */
  private drop(ws: WebSocket, why: string): void {
    this.clearTimers();
    this.ws = null;
    try {
      ws.close(RESUME_CLOSE, why.slice(0, 100));
    } catch {
      // already closing
    }
    this.state = "connecting";
    this.connect();
  }

  private onClose(code: number, reason: string): void {
    this.clearHeartbeat();
    if (this.stopped) return;
    const fatal = FATAL_CLOSE[code];
    if (fatal) {
      this.state = "failed";
      this.forgetSession();
      this.options.log.error("discord gateway: closed for good", { code, reason });
      this.options.handlers.down(fatal, false);
      return;
    }
    if (NEW_SESSION_CLOSE.has(code)) this.forgetSession();
    const delay = Math.min(this.timings.backoffMs * 2 ** this.failures, this.timings.maxBackoffMs);
    this.failures += 1;
    this.state = "connecting";
    const why = `the gateway closed (${code}${reason ? ` ${reason}` : ""})`;
    this.options.log.warn("discord gateway: disconnected; reconnecting", { code, reason, inMs: delay, resume: this.sessionId !== null });
    this.options.handlers.down(why, true);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private forgetSession(): void {
    this.sessionId = null;
    this.resumeUrl = null;
    this.seq = null;
  }

  private clearHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private clearTimers(): void {
    this.clearHeartbeat();
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}

/** Discord wants the API version and encoding on the URL. */
function withQuery(url: string): string {
  const parsed = new URL(url);
  if (!parsed.searchParams.has("v")) parsed.searchParams.set("v", "10");
  if (!parsed.searchParams.has("encoding")) parsed.searchParams.set("encoding", "json");
  return parsed.toString();
}
