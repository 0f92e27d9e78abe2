// The real WhatsApp wiring: Baileys 7 behind the WASocketLike interface that session.ts drives.
// Everything with behaviour lives in session.ts and is tested there with a fake socket; this file
// only builds the socket and the codec. Loaded on demand, so the bridge starts without Baileys
// when a deployment runs no WhatsApp channel.
import type { Logger } from "../log.ts";
import type { AuthCodec, AuthState } from "./auth-state.ts";
import type { WASocketLike, WhatsAppDriver } from "./session.ts";

export async function loadBaileysDriver(): Promise<WhatsAppDriver> {
  const baileys = await import("baileys");
  const { BufferJSON, initAuthCreds, makeCacheableSignalKeyStore, proto, Browsers, S_WHATSAPP_NET } = baileys;
  const makeWASocket = baileys.default;

  const codec: AuthCodec = {
    stringify: (value) => JSON.stringify(value, BufferJSON.replacer),
    parse: (text) => JSON.parse(text, BufferJSON.reviver),
    initCreds: () => initAuthCreds() as unknown as Record<string, unknown>,
    reviveKey: (type, value) => (type === "app-state-sync-key" ? proto.Message.AppStateSyncKeyData.fromObject(value as object) : value),
  };

  const createSocket = (auth: AuthState, log: Logger): WASocketLike => {
    const logger = baileysLogger(log);
    const socket = makeWASocket({
      auth: { creds: auth.creds as never, keys: makeCacheableSignalKeyStore(auth.keys as never, logger as never) },
      logger: logger as never,
      browser: Browsers.ubuntu("Switchboard"),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      // Messages are not stored here: a retry request for one we sent cannot be served.
      getMessage: async () => undefined,
    });
    return {
      ev: socket.ev as unknown as WASocketLike["ev"],
      get user() {
        return socket.user as WASocketLike["user"];
      },
      sendMessage: (jid, content, options) => socket.sendMessage(jid, content as never, options as never) as Promise<{ key: { id?: string | null } } | undefined>,
      sendPresenceUpdate: (type, jid) => socket.sendPresenceUpdate(type, jid),
      logout: () => socket.logout(),
      end: (error) => socket.end(error),
      groupFetchAllParticipating: () => socket.groupFetchAllParticipating(),
      ping: async () => {
        await socket.query({ tag: "iq", attrs: { to: S_WHATSAPP_NET, type: "get", xmlns: "w:p" }, content: [{ tag: "ping", attrs: {} }] });
      },
    };
  };

  return { createSocket, codec };
}

/** Baileys logs through a pino-shaped logger; its chatter is debug, its errors stay warnings. */
function baileysLogger(log: Logger, level = "warn"): Record<string, unknown> {
  const write = (at: "debug" | "warn" | "error") => (first: unknown, second?: unknown) => {
    const message = typeof first === "string" ? first : typeof second === "string" ? second : "baileys";
    log[at](`baileys: ${message}`);
  };
  return {
    level,
    child: () => baileysLogger(log, level),
    trace: () => undefined,
    debug: () => undefined,
    info: () => undefined,
    warn: write("warn"),
    error: write("warn"),
    fatal: write("error"),
  };
}
