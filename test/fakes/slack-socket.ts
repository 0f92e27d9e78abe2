// A faithful fake of Slack's Socket Mode, on its own loopback port. `apps.connections.open` (served
// by the fake Web API, slack-api.ts, which asks this object) hands out a single-use URL per call
// for a known app-level token (`invalid_auth` otherwise); a connection gets `hello`, then
// envelopes (`events_api` with the same payload the Request URL would get). Like Slack, an
// envelope not acknowledged within 3 s is sent again as a retry (new envelope id, retry_attempt
// + 1, up to 3 retries), and events for an app with no open connection wait for the next one. Every
// ack is recorded with its latency. The tests send `disconnect` warnings and cut connections.
// Plain erasable TypeScript: Node runs it directly.
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import { listenWebSocket, type WebSocketListener } from "./websocket-listener.ts";

export interface SocketAck {
  envelopeId: string;
  eventId: string | null;
  latencyMs: number;
}

interface Pending {
  envelopeId: string;
  payload: Record<string, unknown>;
  attempt: number;
  sentAt: number;
  timer: ReturnType<typeof setTimeout> | null;
}

interface App {
  appToken: string;
  appId: string;
  connections: WebSocket[];
  backlog: { payload: Record<string, unknown>; attempt: number }[];
  pending: Map<string, Pending>;
}

export class FakeSlackSocketMode {
  readonly apps = new Map<string, App>();
  readonly acks: SocketAck[] = [];
  /** Every apps.connections.open call, by token. */
  readonly opens: string[] = [];
  ackTimeoutMs = 3000;
  maxRetries = 3;
  url = "";
  private readonly tickets = new Map<string, App>();
  private listener: WebSocketListener | null = null;

  async listen(): Promise<string> {
    this.listener = await listenWebSocket((socket, path) => this.onConnection(socket, path));
    this.url = this.listener.url;
    return this.url;
  }

  async close(): Promise<void> {
    for (const app of this.apps.values()) for (const pending of app.pending.values()) if (pending.timer) clearTimeout(pending.timer);
    await this.listener?.close();
  }

  addApp(appToken: string, appId: string): void {
    this.apps.set(appToken, { appToken, appId, connections: [], backlog: [], pending: new Map() });
  }

  /** `apps.connections.open`: Slack's answer body. */
  open(token: string | null): Record<string, unknown> {
    this.opens.push(token ?? "");
    if (!token) return { ok: false, error: "not_authed" };
    if (!token.startsWith("xapp-")) return { ok: false, error: "not_allowed_token_type" };
    const app = this.apps.get(token);
    if (!app) return { ok: false, error: "invalid_auth" };
    const ticket = randomUUID();
    this.tickets.set(ticket, app);
    return { ok: true, url: `${this.url}/link/?ticket=${ticket}&app_id=${app.appId}` };
  }

  private onConnection(socket: WebSocket, url: string): void {
    const ticket = new URL(url, "http://fake").searchParams.get("ticket") ?? "";
    const app = this.tickets.get(ticket);
    this.tickets.delete(ticket); // single use
    if (!app) return void socket.close(1008, "invalid ticket");
    app.connections.push(socket);
    socket.on("close", () => {
      app.connections = app.connections.filter((item) => item !== socket);
    });
    socket.on("message", (data) => {
      const message = JSON.parse(data.toString()) as { envelope_id?: string };
      const pending = message.envelope_id ? app.pending.get(message.envelope_id) : undefined;
      if (!pending) return;
      if (pending.timer) clearTimeout(pending.timer);
      app.pending.delete(pending.envelopeId);
      this.acks.push({ envelopeId: pending.envelopeId, eventId: (pending.payload.event_id as string | undefined) ?? null, latencyMs: Date.now() - pending.sentAt });
    });
    this.send(socket, {
      type: "hello",
      num_connections: app.connections.length,
      debug_info: { host: "applink-fake", approximate_connection_time: 18060 },
      connection_info: { app_id: app.appId },
    });
    for (const waiting of app.backlog.splice(0)) this.sendEnvelope(app, waiting.payload, waiting.attempt);
  }

  private send(socket: WebSocket, body: unknown): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(body));
  }

  /** Delivers an Events API payload (`event_callback`) to the app. */
  deliver(appToken: string, payload: Record<string, unknown>): void {
    const app = this.apps.get(appToken);
    if (!app) throw new Error("unknown app token");
    this.sendEnvelope(app, payload, 0);
  }

  private sendEnvelope(app: App, payload: Record<string, unknown>, attempt: number): void {
    // Slack uses the newest connection.
    const socket = app.connections.at(-1);
    if (!socket) {
      app.backlog.push({ payload, attempt });
      return;
    }
    const envelopeId = randomUUID();
    const pending: Pending = { envelopeId, payload, attempt, sentAt: Date.now(), timer: null };
    pending.timer = setTimeout(() => {
      app.pending.delete(envelopeId);
      if (attempt < this.maxRetries) this.sendEnvelope(app, payload, attempt + 1);
    }, this.ackTimeoutMs);
    app.pending.set(envelopeId, pending);
    this.send(socket, {
      envelope_id: envelopeId,
      type: "events_api",
      accepts_response_payload: false,
      payload,
      ...(attempt > 0 ? { retry_attempt: attempt, retry_reason: "timeout" } : { retry_attempt: 0, retry_reason: "" }),
    });
  }

  /** Sends `disconnect` on the app's newest connection and closes it after `closeAfterMs`, as Slack does. */
  disconnect(appToken: string, reason: "warning" | "refresh_requested" | "link_disabled", closeAfterMs = 500): void {
    const socket = this.apps.get(appToken)?.connections.at(-1);
    if (!socket) return;
    this.send(socket, { type: "disconnect", reason, debug_info: { host: "applink-fake" } });
    setTimeout(() => socket.close(1000), closeAfterMs);
  }

  /** Drops the app's connections without a close frame. */
  cut(appToken: string): void {
    for (const socket of this.apps.get(appToken)?.connections ?? []) socket.terminate();
  }

  connectionCount(appToken: string): number {
    return this.apps.get(appToken)?.connections.length ?? 0;
  }

  /** An Events API payload for a message, as the Request URL would get it. */
  static messagePayload(input: { teamId: string; appId: string; channel: string; user: string; text: string; ts: string; channelType?: string; type?: "message" | "app_mention" }) {
    return {
      token: "verification-token-unused",
      team_id: input.teamId,
      api_app_id: input.appId,
      type: "event_callback",
      event_id: `Ev${randomUUID().replaceAll("-", "").slice(0, 10).toUpperCase()}`,
      event_time: Math.floor(Date.now() / 1000),
      authorizations: [{ team_id: input.teamId, user_id: "UBOT", is_bot: true }],
      event: {
        type: input.type ?? "message",
        channel: input.channel,
        channel_type: input.channelType ?? "im",
        user: input.user,
        text: input.text,
        ts: input.ts,
        event_ts: input.ts,
        team: input.teamId,
        client_msg_id: randomUUID(),
      },
    };
  }
}
