// A fake of zca-js: `loginQR` calls back with its event types (QRCodeGenerated with a PNG image,
// QRCodeExpired, QRCodeScanned, QRCodeDeclined, GotLoginInfo with cookie/imei/userAgent) and
// resolves to an API; `login` resumes from saved credentials; the listener emits `connected`,
// `message` (UserMessage / GroupMessage shapes) and `closed` with Zalo's close codes.
import type { QrCallbackEvent, ZaloApiLike, ZaloDriver, ZaloListener } from "../../../bridge/src/zalo/session.ts";

// zca-js listeners take differently typed arguments per event.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (...args: any[]) => void;

export class FakeZaloListener implements ZaloListener {
  private readonly handlers = new Map<string, Handler[]>();
  started = false;
  stopped = false;
  on(event: string, listener: Handler): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), listener]);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const handler of this.handlers.get(event) ?? []) handler(...args);
  }
  start(): void {
    this.started = true;
    setTimeout(() => !this.stopped && this.emit("connected"), 5);
  }
  stop(): void {
    this.stopped = true;
  }
}

export class FakeZalo {
  readonly apis: (ZaloApiLike & { listener: FakeZaloListener })[] = [];
  readonly sent: { content: unknown; threadId: string; type: number }[] = [];
  readonly logins: ("qr" | "saved")[] = [];
  private qrCallback: ((event: QrCallbackEvent) => void) | null = null;
  private finishQr: (() => void) | null = null;
  private failQr: ((error: Error) => void) | null = null;
  friends = [
    { userId: "7001", displayName: "An" },
    { userId: "7002", displayName: "Binh" },
  ];
  groups: Record<string, string> = { "9001": "Ops team", "9002": "Family" };

  constructor(readonly ownId = "5000111") {}

  readonly driver: ZaloDriver = {
    loginQR: (_options, callback) => {
      this.logins.push("qr");
      this.qrCallback = callback;
      return new Promise<ZaloApiLike>((resolve, reject) => {
        this.finishQr = () => resolve(this.api());
        this.failQr = reject;
        setTimeout(() => this.generate(), 5);
      });
    },
    login: async (credentials) => {
      this.logins.push("saved");
      if ((credentials as { imei: string }).imei !== "imei-1") throw new Error("invalid credentials");
      return this.api();
    },
  };

  private generate(): void {
    this.qrCallback?.({
      type: 0,
      data: { code: `code-${this.logins.length}-${Date.now()}`, image: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==" },
      actions: { retry: () => setTimeout(() => this.generate(), 5), abort: () => this.failQr?.(new Error("aborted")) },
    });
  }

  expire(): void {
    this.qrCallback?.({ type: 1, data: null, actions: { retry: () => setTimeout(() => this.generate(), 5), abort: () => undefined } });
  }

  /** The phone scans and confirms: login info, then the API. */
  confirm(): void {
    this.qrCallback?.({ type: 2, data: { display_name: "Lan" }, actions: { retry: () => undefined, abort: () => undefined } });
    this.qrCallback?.({ type: 4, data: { cookie: [{ key: "zpw_sek", value: "secret-cookie" }], imei: "imei-1", userAgent: "Mozilla/5.0 test" }, actions: null });
    this.finishQr?.();
  }

  decline(): void {
    this.qrCallback?.({ type: 3, data: { code: "x" }, actions: { retry: () => undefined, abort: () => this.failQr?.(new Error("declined")) } });
  }

  private api(): ZaloApiLike & { listener: FakeZaloListener } {
    const fake = this;
    const api = {
      listener: new FakeZaloListener(),
      getOwnId: () => fake.ownId,
      fetchAccountInfo: async () => ({ profile: { displayName: "Lan", phoneNumber: "84900000000" } }),
      sendMessage: async (content: unknown, threadId: string, type: 0 | 1) => {
        fake.sent.push({ content, threadId, type });
        return { message: { msgId: String(8_000_000 + fake.sent.length) } };
      },
      sendTypingEvent: async () => undefined,
      getAllFriends: async () => fake.friends,
      getAllGroups: async () => ({ gridVerMap: Object.fromEntries(Object.keys(fake.groups).map((id) => [id, "1"])) }),
      getGroupInfo: async (ids: string[]) => ({ gridInfoMap: Object.fromEntries(ids.map((id) => [id, { name: fake.groups[id] }])) }),
    };
    this.apis.push(api);
    return api;
  }

  get latest() {
    const api = this.apis.at(-1);
    if (!api) throw new Error("no API yet");
    return api;
  }
}

/** A zca-js UserMessage (type 0) or GroupMessage (type 1), as the listener emits it. */
export function zaloMessage(options: { from: string; text: string; group?: string; mentions?: string[]; msgId?: string }) {
  return {
    type: options.group ? 1 : 0,
    threadId: options.group ?? options.from,
    isSelf: false,
    data: {
      msgId: options.msgId ?? String(Math.floor(Math.random() * 1e12)),
      cliMsgId: "1",
      msgType: "webchat",
      uidFrom: options.from,
      idTo: "5000111",
      dName: "An",
      ts: String(Date.now()),
      content: options.text,
      ...(options.mentions ? { mentions: options.mentions.map((uid) => ({ uid, pos: 0, len: 4, type: 0 })) } : {}),
    },
  };
}
