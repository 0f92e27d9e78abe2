// A faithful fake of Discord's gateway (v10, JSON), on its own loopback port: Hello with a
// heartbeat interval, Heartbeat ACKs, Identify checked (bot token, intents: 4004 for an unknown
// token, 4014 for the privileged Message Content intent when the app is not allowed it) and
// answered with READY (session id, resume_gateway_url), dispatches numbered per session and kept
// so that a Resume replays what the client missed (then RESUMED), or Invalid Session when the
// session cannot be resumed. The tests push MESSAGE_CREATE events, cut connections without a
// close frame, ask for a Reconnect (op 7) or invalidate sessions; every frame a client sent is
// recorded. Plain erasable TypeScript: Node runs it directly.
import { randomUUID } from "node:crypto";
import type { WebSocket } from "ws";
import { listenWebSocket, type WebSocketListener } from "./websocket-listener.ts";

const MESSAGE_CONTENT = 1 << 15;

export interface FakeGatewayBot {
  token: string;
  userId: string;
  username: string;
  /** The portal's Message Content Intent switch. */
  messageContent: boolean;
}

export interface GatewayFrame {
  op: number;
  d?: any;
  s?: number | null;
  t?: string | null;
}

interface Session {
  id: string;
  bot: FakeGatewayBot;
  seq: number;
  events: { s: number; t: string; d: unknown }[];
  socket: WebSocket | null;
  valid: boolean;
}

export interface GatewayConnection {
  path: string;
  query: Record<string, string>;
  received: GatewayFrame[];
  closed: { code: number; reason: string } | null;
  socket: WebSocket;
}

export class FakeDiscordGateway {
  readonly bots = new Map<string, FakeGatewayBot>();
  readonly sessions = new Map<string, Session>();
  readonly connections: GatewayConnection[] = [];
  heartbeatIntervalMs = 41_250;
  /** Off: heartbeats go unanswered (a zombied connection). */
  ackHeartbeats = true;
  url = "";
  private listener: WebSocketListener | null = null;

  async listen(): Promise<string> {
    this.listener = await listenWebSocket((socket, path) => this.onConnection(socket, path));
    this.url = this.listener.url;
    return this.url;
  }

  async close(): Promise<void> {
    await this.listener?.close();
  }

  addBot(bot: FakeGatewayBot): void {
    this.bots.set(bot.token, bot);
  }

  private onConnection(socket: WebSocket, url: string): void {
    const parsed = new URL(url, "http://fake");
    const connection: GatewayConnection = { path: parsed.pathname, query: Object.fromEntries(parsed.searchParams), received: [], closed: null, socket };
    this.connections.push(connection);
    socket.on("close", (code, reason) => {
      connection.closed = { code, reason: reason.toString() };
      for (const session of this.sessions.values()) {
        if (session.socket !== socket) continue;
        session.socket = null;
        // Discord ends the session when the client closes with 1000 or 1001.
        if (code === 1000 || code === 1001) session.valid = false;
      }
    });
    socket.on("message", (data) => {
      const frame = JSON.parse(data.toString()) as GatewayFrame;
      connection.received.push(frame);
      this.onFrame(socket, frame);
    });
    this.send(socket, { op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs } });
  }

  private onFrame(socket: WebSocket, frame: GatewayFrame): void {
    switch (frame.op) {
      case 1:
        if (this.ackHeartbeats) this.send(socket, { op: 11 });
        return;
      case 2:
        return this.identify(socket, frame.d);
      case 6:
        return this.resume(socket, frame.d);
      default:
        socket.close(4001, "Unknown opcode");
    }
  }

  private identify(socket: WebSocket, data: { token?: string; intents?: number }): void {
    const bot = this.bots.get(data?.token ?? "");
    if (!bot) return void socket.close(4004, "Authentication failed.");
    if (typeof data.intents !== "number") return void socket.close(4013, "Invalid intent(s).");
    if ((data.intents & MESSAGE_CONTENT) !== 0 && !bot.messageContent) return void socket.close(4014, "Disallowed intent(s).");
    const session: Session = { id: randomUUID().replaceAll("-", ""), bot, seq: 0, events: [], socket, valid: true };
    this.sessions.set(session.id, session);
    session.seq += 1;
    this.send(socket, {
      op: 0,
      t: "READY",
      s: session.seq,
      d: { v: 10, user: { id: bot.userId, username: bot.username, bot: true }, session_id: session.id, resume_gateway_url: `${this.url}/resume`, guilds: [], application: { id: bot.userId } },
    });
  }

  private resume(socket: WebSocket, data: { token?: string; session_id?: string; seq?: number }): void {
    const session = this.sessions.get(data?.session_id ?? "");
    if (!session || !session.valid || session.bot.token !== data.token || (data.seq ?? 0) > session.seq) {
      this.send(socket, { op: 9, d: false });
      return;
    }
    session.socket = socket;
    for (const event of session.events) if (event.s > (data.seq ?? 0)) this.send(socket, { op: 0, t: event.t, s: event.s, d: event.d });
    session.seq += 1;
    this.send(socket, { op: 0, t: "RESUMED", s: session.seq, d: {} });
  }

  private send(socket: WebSocket, frame: GatewayFrame): void {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  }

  /** The bot's newest session that is still valid. */
  session(token: string): Session | undefined {
    return [...this.sessions.values()].filter((session) => session.bot.token === token && session.valid).at(-1);
  }

  /** Dispatches an event to the bot's session: sent now if connected, replayed on Resume otherwise. */
  dispatch(token: string, type: string, data: unknown): number {
    const session = this.session(token);
    if (!session) throw new Error("no gateway session for this bot");
    session.seq += 1;
    session.events.push({ s: session.seq, t: type, d: data });
    if (session.socket) this.send(session.socket, { op: 0, t: type, s: session.seq, d: data });
    return session.seq;
  }

  /** Drops the bot's connection without a close frame (a network cut). */
  cut(token: string): void {
    const socket = this.session(token)?.socket;
    socket?.terminate();
  }

  /** Asks the bot's client to reconnect and resume (op 7). */
  requestReconnect(token: string): void {
    const socket = this.session(token)?.socket;
    if (socket) this.send(socket, { op: 7, d: null });
  }

  /** Invalid Session (op 9); `resumable` false also forgets the session. */
  invalidate(token: string, resumable: boolean): void {
    const session = this.session(token);
    if (!session?.socket) return;
    if (!resumable) session.valid = false;
    this.send(session.socket, { op: 9, d: resumable });
  }

  /** Frames the clients sent, of one opcode. */
  sent(op: number): GatewayFrame[] {
    return this.connections.flatMap((connection) => connection.received.filter((frame) => frame.op === op));
  }

  /** A MESSAGE_CREATE payload as Discord sends it. */
  static message(input: { id: string; channelId: string; author: { id: string; username: string; bot?: boolean }; content: string; guildId?: string; mentions?: { id: string }[]; referencedAuthorId?: string }) {
    return {
      id: input.id,
      channel_id: input.channelId,
      ...(input.guildId ? { guild_id: input.guildId, member: { nick: null, roles: [] } } : {}),
      author: { id: input.author.id, username: input.author.username, global_name: null, discriminator: "0", ...(input.author.bot ? { bot: true } : {}) },
      content: input.content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: input.mentions ?? [],
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: input.referencedAuthorId ? 19 : 0,
      flags: 0,
      ...(input.referencedAuthorId ? { referenced_message: { id: "1", author: { id: input.referencedAuthorId, username: "bot" } } } : {}),
    };
  }
}
