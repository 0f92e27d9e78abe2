// The drivers module a bridge process loads in the end-to-end tests (BRIDGE_DRIVERS): WhatsApp
// sessions over FakeWhatsApp instead of Baileys, driven by the test through the process's IPC
// channel (scan a QR, deliver messages, close with a DisconnectReason) and reporting back what
// the sessions sent and which sockets they opened.
import { WhatsAppSession, type WhatsAppTimings } from "../../../bridge/src/whatsapp/session.ts";
import type { SessionFactories } from "../../../bridge/src/sessions.ts";
import { FakeWhatsApp, textMessage } from "./fake-baileys.ts";

export type DriverCommand =
  | { op: "phone"; channelId: string; phone: string }
  | { op: "scan"; channelId: string }
  /** WhatsApp shows the next QR (they rotate about every 20 s). */
  | { op: "rotate"; channelId: string }
  | { op: "deliver"; channelId: string; from: string; text: string; id: string }
  | { op: "close"; channelId: string; code: number };

export type DriverReport =
  | { type: "socket"; channelId: string; resumed: boolean; at: number }
  | { type: "sent"; channelId: string; jid: string; text: string }
  | { type: "delivered"; channelId: string; id: string }
  | { type: "done"; op: string };

const TIMINGS: WhatsAppTimings = { backoffMs: 200, maxBackoffMs: 2000, silentMs: 60_000, watchdogEveryMs: 10_000, pingTimeoutMs: 5000, qrTtlMs: 60_000 };
const phones = new Map<string, string>();
const worlds = new Map<string, FakeWhatsApp>();
const report = (message: DriverReport) => process.send?.(message);

function world(channelId: string): FakeWhatsApp {
  let found = worlds.get(channelId);
  if (!found) {
    found = new FakeWhatsApp(phones.get(channelId) ?? "15550000000");
    found.onSocket = (_socket, resumed) => report({ type: "socket", channelId, resumed, at: Date.now() });
    found.onSent = (sent) => report({ type: "sent", channelId, jid: sent.jid, text: String(sent.content.text ?? "") });
    worlds.set(channelId, found);
  }
  return found;
}

export const factories: SessionFactories = {
  whatsapp: (init) => new WhatsAppSession(init, world(init.channelId).driver, TIMINGS),
};

process.on("message", (raw) => {
  const command = raw as DriverCommand;
  void (async () => {
    switch (command.op) {
      case "phone":
        phones.set(command.channelId, command.phone);
        if (worlds.has(command.channelId)) worlds.get(command.channelId)!.phone = command.phone;
        break;
      case "rotate":
        world(command.channelId).showQr();
        break;
      case "scan":
        await world(command.channelId).scan();
        break;
      case "deliver":
        await world(command.channelId).deliver(textMessage({ from: command.from, text: command.text, id: command.id }));
        report({ type: "delivered", channelId: command.channelId, id: command.id });
        break;
      case "close":
        world(command.channelId).close(command.code);
        break;
    }
    report({ type: "done", op: command.op });
  })();
});
