// A fake of Baileys' socket that speaks its event shapes: `connection.update` with a rotating
// `qr`, `open`, and `close` with a Boom-shaped `lastDisconnect.error` (401 logged out, 440
// replaced, 515 restart required after a scan, 428/408 for lost connections); `creds.update`;
// `messages.upsert` with notify/append. A FakeWhatsApp plays the server side for one account.
import type { AuthCodec, AuthState } from "../../../bridge/src/whatsapp/auth-state.ts";
import type { ConnectionUpdate, WAMessageLike, WASocketEvents, WASocketLike, WhatsAppDriver } from "../../../bridge/src/whatsapp/session.ts";

/** Baileys' errors are Boom objects; the session reads `output.statusCode`. */
export function boom(statusCode: number, message = `status ${statusCode}`): Error {
  return Object.assign(new Error(message), { output: { statusCode } });
}

export const jsonCodec: AuthCodec = {
  stringify: (value) => JSON.stringify(value),
  parse: (text) => JSON.parse(text),
  initCreds: () => ({ registered: false, noiseKey: { private: "n", public: "N" } }),
};

export interface SentMessage {
  jid: string;
  content: Record<string, unknown>;
  options?: Record<string, unknown>;
  id: string;
}

let messageCounter = 0;

export class FakeWASocket implements WASocketLike {
  private readonly listeners = new Map<string, ((payload: unknown) => void)[]>();
  user: WASocketLike["user"];
  ended = false;
  loggedOut = false;
  pingAnswers = true;
  readonly ev = {
    on: <E extends keyof WASocketEvents>(event: E, listener: (payload: WASocketEvents[E]) => void) => {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener as (payload: unknown) => void]);
    },
  };

  constructor(
    readonly auth: AuthState,
    private readonly server: FakeWhatsApp,
  ) {}

  emit<E extends keyof WASocketEvents>(event: E, payload: WASocketEvents[E]): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload);
  }

  async sendMessage(jid: string, content: Record<string, unknown>, options?: Record<string, unknown>) {
    if (this.ended) throw boom(428, "Connection Closed");
    const id = `3EB0${(messageCounter += 1).toString(16).toUpperCase().padStart(8, "0")}`;
    this.server.sent.push({ jid, content, options, id });
    this.server.onSent?.({ jid, content, options, id });
    return { key: { remoteJid: jid, fromMe: true, id } };
  }

  async sendPresenceUpdate(type: "composing" | "paused" | "available", jid?: string) {
    this.server.presence.push({ type, jid });
  }

  async logout() {
    this.loggedOut = true;
    this.server.linked = false;
  }

  end(error?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.emit("connection.update", { connection: "close", lastDisconnect: { error: error ?? boom(428, "Connection Closed"), date: new Date() } });
  }

  async groupFetchAllParticipating() {
    return { "120363000000000001@g.us": { id: "120363000000000001@g.us", subject: "Ops room" } };
  }

  async ping(): Promise<void> {
    if (!this.pingAnswers) await new Promise(() => undefined); // never answers
  }
}

export class FakeWhatsApp {
  readonly sockets: FakeWASocket[] = [];
  readonly sent: SentMessage[] = [];
  readonly presence: { type: string; jid?: string }[] = [];
  onSent?: (message: SentMessage) => void;
  onSocket?: (socket: FakeWASocket, resumed: boolean) => void;
  /** The phone still lists this device (false after a logout or an unlink on the phone). */
  linked = false;
  private qrCount = 0;

  constructor(
    public phone = "15551230000",
    readonly lid = "240000000000001",
    readonly pushName = "Ops phone",
  ) {}

  readonly driver: WhatsAppDriver = {
    codec: jsonCodec,
    createSocket: (auth) => {
      const socket = new FakeWASocket(auth, this);
      this.sockets.push(socket);
      const resumed = Boolean((auth.creds as { me?: unknown }).me);
      this.onSocket?.(socket, resumed);
      // Like Baileys: events start on a later tick, after the caller attached its listeners.
      setTimeout(() => {
        if (socket.ended) return;
        socket.emit("connection.update", { connection: "connecting" });
        if (resumed) this.open(socket);
        else this.showQr(socket);
      }, 5);
      return socket;
    },
  };

  get latest(): FakeWASocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error("no socket yet");
    return socket;
  }

  /** A new QR for the waiting socket (WhatsApp rotates them). */
  showQr(socket = this.latest): string {
    const qr = `2@ref${(this.qrCount += 1)},noise,identity,adv`;
    socket.emit("connection.update", { qr } satisfies ConnectionUpdate);
    return qr;
  }

  /** The phone scans the QR: creds and keys are written, then WhatsApp demands a restart (515). */
  async scan(socket = this.latest): Promise<void> {
    const creds = socket.auth.creds as Record<string, unknown>;
    Object.assign(creds, { registered: true, me: { id: `${this.phone}:7@s.whatsapp.net`, lid: `${this.lid}:7@lid`, name: this.pushName } });
    this.linked = true;
    socket.emit("creds.update", { me: creds.me });
    await socket.auth.keys.set({ "pre-key": { "1": { public: "p1", private: "k1" }, "2": { public: "p2", private: "k2" } }, "app-state-sync-key": { AAAA: { keyData: "kd" } } });
    socket.emit("connection.update", { isNewLogin: true, qr: undefined });
    socket.end(boom(515, "Stream Errored (restart required)"));
  }

  private open(socket: FakeWASocket): void {
    const me = (socket.auth.creds as { me: { id: string; lid?: string; name?: string } }).me;
    socket.user = { id: me.id, lid: me.lid, name: me.name };
    this.linked = true;
    socket.emit("connection.update", { connection: "open" });
  }

  /** A message arrives on the open socket; every message also advances the signal session. */
  async deliver(message: WAMessageLike, type: "notify" | "append" = "notify", socket = this.latest): Promise<void> {
    const peer = message.key.participant ?? message.key.remoteJid!;
    await socket.auth.keys.set({ session: { [`${peer.split("@")[0]}.0`]: { ratchet: message.key.id } } });
    socket.emit("messages.upsert", { messages: [message], type });
  }

  /** The server closes the socket with a DisconnectReason code. */
  close(code: number, socket = this.latest): void {
    if (code === 401) this.linked = false;
    socket.end(boom(code));
  }
}

/** A text message as Baileys hands it over. */
export function textMessage(options: { from: string; text: string; group?: string; fromMe?: boolean; id?: string; pushName?: string }): WAMessageLike {
  return {
    key: {
      remoteJid: options.group ?? options.from,
      fromMe: options.fromMe ?? false,
      id: options.id ?? `ABCD${(messageCounter += 1).toString(16).toUpperCase().padStart(12, "0")}`,
      ...(options.group ? { participant: options.from } : {}),
    },
    message: { conversation: options.text, messageContextInfo: { deviceListMetadata: { senderKeyHash: new Uint8Array([1, 2, 3]) } } },
    messageTimestamp: Math.floor(Date.now() / 1000),
    pushName: options.pushName ?? "Ada",
  };
}
