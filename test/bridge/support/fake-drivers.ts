// The drivers module a bridge process loads in the end-to-end tests (BRIDGE_DRIVERS): WhatsApp
// sessions over FakeWhatsApp instead of Baileys and Zalo Personal sessions over FakeZalo instead
// of zca-js, driven by the test through the process's IPC channel (scan a QR, deliver messages,
// close with a DisconnectReason) and reporting back what the sessions sent and how they logged in.
// WeChat sessions are the real ones: they speak HTTP to the fake iLink API at WECHAT_API_BASE.
import { WhatsAppSession, type WhatsAppTimings } from "../../../bridge/src/whatsapp/session.ts";
import type { SessionFactories } from "../../../bridge/src/sessions.ts";
import { createWeChatFactory } from "../../../bridge/src/wechat/session.ts";
import { ZaloSession } from "../../../bridge/src/zalo/session.ts";
import { FakeWhatsApp, textMessage } from "./fake-baileys.ts";
import { FakeZalo, zaloMessage } from "./fake-zca.ts";

export type DriverCommand =
  | { op: "phone"; channelId: string; phone: string }
  | { op: "scan"; channelId: string }
  /** WhatsApp shows the next QR (they rotate about every 20 s). */
  | { op: "rotate"; channelId: string }
  | { op: "deliver"; channelId: string; from: string; text: string; id: string }
  | { op: "close"; channelId: string; code: number }
  /** Zalo: the phone scans and confirms the QR login. */
  | { op: "zalo-confirm"; channelId: string }
  | { op: "zalo-deliver"; channelId: string; from: string; text: string; msgId: string };

export type DriverReport =
  | { type: "socket"; channelId: string; resumed: boolean; at: number }
  | { type: "sent"; channelId: string; jid: string; text: string }
  | { type: "delivered"; channelId: string; id: string }
  | { type: "zalo-login"; channelId: string; how: "qr" | "saved" }
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

const zalos = new Map<string, FakeZalo>();

function zalo(channelId: string): FakeZalo {
  let found = zalos.get(channelId);
  if (!found) {
    const fake = new FakeZalo("5000777");
    const { loginQR, login } = fake.driver;
    fake.driver.loginQR = (options, callback) => {
      report({ type: "zalo-login", channelId, how: "qr" });
      return loginQR(options, callback);
    };
    fake.driver.login = (credentials) => {
      report({ type: "zalo-login", channelId, how: "saved" });
      return login(credentials);
    };
    zalos.set(channelId, (found = fake));
  }
  return found;
}

export const factories: SessionFactories = {
  whatsapp: (init) => new WhatsAppSession(init, world(init.channelId).driver, TIMINGS),
  "zalo-personal": (init) => {
    const fake = zalo(init.channelId);
    const session = new ZaloSession(init, fake.driver, { backoffMs: 200, maxBackoffMs: 2000, qrTtlMs: 100_000 });
    const original = session.send.bind(session);
    session.send = async (to, text, quote) => {
      const sent = await original(to, text, quote);
      report({ type: "sent", channelId: init.channelId, jid: to, text });
      return sent;
    };
    return session;
  },
  wechat: createWeChatFactory(process.env.WECHAT_API_BASE, { qrTtlMs: 60_000, maxQrRenewals: 3, qrPollPauseMs: 100, pollTimeoutMs: 20_000, idlePauseMs: 200, backoffMs: 200, maxBackoffMs: 2000 }),
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
      case "zalo-confirm":
        zalo(command.channelId).confirm();
        break;
      case "zalo-deliver":
        zalo(command.channelId).latest.listener.emit("message", zaloMessage({ from: command.from, text: command.text, msgId: command.msgId }));
        break;
    }
    report({ type: "done", op: command.op });
  })();
});
