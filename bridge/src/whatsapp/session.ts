// A WhatsApp session over a Baileys-shaped socket: the QR login (the QR rotates; a scan is
// followed by WhatsApp's expected restart), the reconnect policy (logged out: stop and say so;
// replaced by another client: stop, no fight; anything else: back-off), a watchdog for a socket
// that is connected but silent, and messages in and out. The socket comes from a factory, so the
// real Baileys (baileys.ts) and the tests' fake are interchangeable.
import type { Directory, SessionStatus } from "../../../worker/bridge/protocol.ts";
import { CommandError } from "../link.ts";
import type { Logger } from "../log.ts";
import type { ProviderSession, SessionInit } from "../sessions.ts";
import { AuthStore, type AuthCodec, type AuthState } from "./auth-state.ts";

/** Baileys' `connection.update`, the fields used. */
export interface ConnectionUpdate {
  connection?: "connecting" | "open" | "close";
  qr?: string;
  lastDisconnect?: { error?: unknown; date?: Date };
  isNewLogin?: boolean;
}

export interface WAMessageKey {
  remoteJid?: string | null;
  fromMe?: boolean | null;
  id?: string | null;
  participant?: string | null;
}

export interface WAMessageLike {
  key: WAMessageKey;
  message?: unknown;
  messageTimestamp?: unknown;
  pushName?: string | null;
  [field: string]: unknown;
}

export interface WASocketEvents {
  "connection.update": ConnectionUpdate;
  "creds.update": unknown;
  "messages.upsert": { messages: WAMessageLike[]; type: "notify" | "append" | string };
}

/** The part of Baileys' WASocket a session uses. */
export interface WASocketLike {
  ev: { on<E extends keyof WASocketEvents>(event: E, listener: (payload: WASocketEvents[E]) => void): void };
  user?: { id: string; lid?: string; name?: string } | undefined;
  sendMessage(jid: string, content: Record<string, unknown>, options?: Record<string, unknown>): Promise<{ key: WAMessageKey } | undefined>;
  sendPresenceUpdate(type: "composing" | "paused" | "available", jid?: string): Promise<void>;
  logout(): Promise<void>;
  end(error?: Error): void;
  /** Asks the server for an answer (an IQ ping); rejects when none comes. */
  ping?(): Promise<void>;
  /** The groups the account is in, by JID. */
  groupFetchAllParticipating(): Promise<Record<string, { id: string; subject?: string }>>;
}

export type WASocketFactory = (auth: AuthState, log: Logger) => WASocketLike;

export interface WhatsAppDriver {
  createSocket: WASocketFactory;
  codec: AuthCodec;
}

export interface WhatsAppTimings {
  /** First reconnect delay; doubles up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** A connected socket with no traffic this long is pinged; no answer → reconnect. */
  silentMs: number;
  watchdogEveryMs: number;
  /** How long the watchdog's ping may take. */
  pingTimeoutMs: number;
  /** How long a QR is shown as valid (WhatsApp rotates it about every 20 s). */
  qrTtlMs: number;
}

export const DEFAULT_TIMINGS: WhatsAppTimings = { backoffMs: 1000, maxBackoffMs: 60_000, silentMs: 5 * 60_000, watchdogEveryMs: 60_000, pingTimeoutMs: 10_000, qrTtlMs: 30_000 };

/** Baileys' DisconnectReason codes that change what we do. */
const LOGGED_OUT = 401;
const REPLACED = 440;
const RESTART_REQUIRED = 515;
const FORBIDDEN = 403;

function statusCodeOf(error: unknown): number | undefined {
  const boom = error as { output?: { statusCode?: number }; data?: { statusCode?: number } } | undefined;
  return boom?.output?.statusCode ?? boom?.data?.statusCode;
}

/** Drops binary fields (media keys, thumbnails) so a message travels as plain JSON. */
function plain(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, inner) => {
      if (inner instanceof Uint8Array || (inner && typeof inner === "object" && (inner as { type?: string }).type === "Buffer")) return undefined;
      return typeof inner === "bigint" ? Number(inner) : inner;
    }),
  );
}

const digitsOf = (jid: string) => jid.slice(0, jid.indexOf("@")).split(":")[0]!;

export class WhatsAppSession implements ProviderSession {
  private socket: WASocketLike | null = null;
  private readonly auth: AuthStore;
  private state: SessionStatus["state"] = "starting";
  private reason: string | null = null;
  private lastEventAt: number | null = null;
  private closing = false;
  private failures = 0;
  private everOpened = false;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  /** Ids of messages this bridge sent: their echo in the own chat is not a new message. */
  private readonly sent = new Set<string>();
  /** Recent inbound messages, to quote them in replies. */
  private readonly recent = new Map<string, WAMessageLike>();
  private readonly log: Logger;

  constructor(
    private readonly init: SessionInit,
    private readonly driver: WhatsAppDriver,
    private readonly timings: WhatsAppTimings = DEFAULT_TIMINGS,
  ) {
    this.log = init.log;
    this.auth = new AuthStore(init.credentials, driver.codec, init.emit);
  }

  async start(): Promise<void> {
    this.connect();
    this.watchdog = setInterval(() => void this.checkSilence(), this.timings.watchdogEveryMs);
  }

  status(): SessionStatus {
    return { state: this.state, reason: this.reason, lastEventAt: this.lastEventAt };
  }

  private connect(): void {
    if (this.closing) return;
    const socket = this.driver.createSocket(this.auth.state, this.log);
    this.socket = socket;
    socket.ev.on("connection.update", (update) => this.onConnection(socket, update));
    socket.ev.on("creds.update", () => {
      this.touch();
      this.auth.saveCreds();
    });
    socket.ev.on("messages.upsert", (upsert) => {
      this.touch();
      for (const message of upsert.messages) this.onMessage(message, upsert.type);
    });
  }

  private touch(): void {
    this.lastEventAt = Date.now();
  }

  private onConnection(socket: WASocketLike, update: ConnectionUpdate): void {
    if (socket !== this.socket || this.closing) return;
    this.touch();
    if (update.qr) {
      this.state = "awaiting-login";
      this.init.emit({ type: "login", login: { state: "qr", qr: update.qr, expiresAt: Date.now() + this.timings.qrTtlMs } });
    }
    if (update.connection === "open") this.onOpen(socket);
    if (update.connection === "close") this.onClose(statusCodeOf(update.lastDisconnect?.error), update.lastDisconnect?.error);
  }

  private onOpen(socket: WASocketLike): void {
    this.failures = 0;
    this.everOpened = true;
    this.state = "running";
    this.reason = null;
    const user = socket.user;
    if (!user) return;
    const jid = `${digitsOf(user.id)}@s.whatsapp.net`;
    const digits = digitsOf(user.id);
    this.init.emit({
      type: "login",
      login: {
        state: "connected",
        account: { id: digits, name: `+${digits}`, details: { jid, ...(user.lid ? { lid: `${digitsOf(user.lid)}@lid` } : {}), ...(user.name ? { pushName: user.name } : {}) } },
      },
    });
    this.log.info("connected", { keys: this.auth.keyCount() });
  }

  private onClose(code: number | undefined, error: unknown): void {
    this.socket = null;
    const detail = (error as Error | undefined)?.message;
    if (code === LOGGED_OUT) {
      this.finish("logged-out", "the phone unlinked this device (logged out)");
      this.init.emit({ type: "login", login: { state: "logged-out", reason: "the phone unlinked this device" } });
      return;
    }
    if (code === REPLACED) {
      const reason = "connection replaced — another WhatsApp Web client took over this session; Retry to take it back";
      this.finish("replaced", reason);
      this.init.emit({ type: "login", login: { state: "disconnected", reason, reconnecting: false } });
      return;
    }
    if (code === RESTART_REQUIRED) {
      // Expected right after a QR scan: a new socket with the saved creds.
      this.log.info("restart required by WhatsApp; reconnecting");
      this.connect();
      return;
    }
    if (!this.everOpened && !this.auth.resumed && this.state === "awaiting-login") {
      const reason = "the QR code was not scanned in time — Relogin for a new one";
      this.finish("stopped", reason);
      this.init.emit({ type: "login", login: { state: "disconnected", reason, reconnecting: false } });
      return;
    }
    const delay = Math.min(this.timings.backoffMs * 2 ** this.failures, this.timings.maxBackoffMs);
    this.failures += 1;
    const why = code === FORBIDDEN ? "forbidden (403) — WhatsApp may have restricted this number" : `connection closed (${code ?? "no status"}${detail ? `: ${detail}` : ""})`;
    this.state = "reconnecting";
    this.reason = why;
    this.log.warn("disconnected; reconnecting", { code, inMs: delay });
    this.init.emit({ type: "login", login: { state: "disconnected", reason: `${why}; reconnecting in ${Math.round(delay / 1000)} s`, reconnecting: true } });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private finish(state: SessionStatus["state"], reason: string): void {
    this.state = state;
    this.reason = reason;
    this.clearTimers();
    this.log.warn("session ended", { state, reason });
  }

  private clearTimers(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.reconnectTimer = null;
    this.watchdog = null;
  }

  /** Connected but silent for too long: ask the server; no answer means a dead socket. */
  private async checkSilence(): Promise<void> {
    const socket = this.socket;
    if (!socket || this.state !== "running" || Date.now() - (this.lastEventAt ?? 0) < this.timings.silentMs) return;
    try {
      if (!socket.ping) return;
      await Promise.race([socket.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error("no answer")), this.timings.pingTimeoutMs))]);
      this.touch();
    } catch {
      if (socket !== this.socket) return;
      const minutes = Math.round(this.timings.silentMs / 60_000);
      this.log.warn("watchdog: connected but silent; reconnecting");
      socket.end(Object.assign(new Error(`no traffic for ${minutes} min and no answer to a ping`), { output: { statusCode: 408 } }));
    }
  }

  private onMessage(message: WAMessageLike, type: string): void {
    const id = message.key.id;
    if (!id || !message.key.remoteJid) return;
    if (message.key.fromMe && this.sent.has(id)) return; // our own reply, echoed back
    if (type === "notify") {
      this.recent.set(id, message);
      if (this.recent.size > 500) this.recent.delete(this.recent.keys().next().value!);
    }
    const payload = plain({ key: message.key, message: message.message, messageTimestamp: message.messageTimestamp, pushName: message.pushName ?? null, upsertType: type === "notify" ? "notify" : "append" });
    this.init.emit({ type: "message", message: payload as Record<string, unknown> });
  }

  private connected(): WASocketLike {
    if (!this.socket || this.state !== "running") throw new CommandError("transient", `the WhatsApp session is ${this.state}${this.reason ? ` (${this.reason})` : ""}`);
    return this.socket;
  }

  private remember(id: string | null | undefined): string {
    const messageId = id ?? "";
    this.sent.add(messageId);
    if (this.sent.size > 1000) this.sent.delete(this.sent.values().next().value!);
    return messageId;
  }

  async send(to: string, text: string, quote?: string): Promise<{ messageId: string }> {
    const socket = this.connected();
    const quoted = quote ? this.recent.get(quote) : undefined;
    const result = await this.call(() => socket.sendMessage(to, { text }, quoted ? { quoted } : undefined));
    return { messageId: this.remember(result?.key.id) };
  }

  async edit(to: string, messageId: string, text: string): Promise<void> {
    const socket = this.connected();
    await this.call(() => socket.sendMessage(to, { text, edit: { remoteJid: to, fromMe: true, id: messageId } }));
  }

  async typing(to: string): Promise<void> {
    await this.call(() => this.connected().sendPresenceUpdate("composing", to));
  }

  async voice(to: string, audio: Buffer, mime: string): Promise<void> {
    const socket = this.connected();
    const mimetype = mime === "audio/mpeg" ? "audio/mpeg" : "audio/ogg; codecs=opus";
    const result = await this.call(() => socket.sendMessage(to, { audio, mimetype, ptt: true }));
    this.remember(result?.key.id);
  }

  /** The account's groups (WhatsApp keeps no contact list a linked device could read). */
  async directory(): Promise<Directory> {
    const groups = await this.call(() => this.connected().groupFetchAllParticipating());
    return { users: [], groups: Object.values(groups).map((group) => ({ id: group.id, name: group.subject || group.id })) };
  }

  /** A failed send is transient while the socket may recover, permanent for a bad recipient. */
  private async call<T>(action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      const message = (error as Error).message;
      const code = statusCodeOf(error);
      throw new CommandError(code !== undefined && code >= 400 && code < 500 && code !== 408 && code !== 428 ? "permanent" : "transient", message);
    }
  }

  async stop(): Promise<void> {
    this.closing = true;
    this.clearTimers();
    this.state = "stopped";
    this.socket?.end(undefined);
    this.socket = null;
  }

  async logout(): Promise<void> {
    this.closing = true;
    this.clearTimers();
    this.state = "stopped";
    const socket = this.socket;
    this.socket = null;
    try {
      await socket?.logout();
    } catch (error) {
      this.log.warn("logout failed; closing anyway", { error: (error as Error).message });
    }
    socket?.end(undefined);
  }
}

export function createWhatsAppFactory(driver: WhatsAppDriver, timings?: WhatsAppTimings) {
  return (init: SessionInit) => new WhatsAppSession(init, driver, timings);
}
