// A Zalo Personal session over a zca-js-shaped client: the QR login (zca-js hands an image of
// the QR; an expired one is renewed), the saved login (cookie, imei, user agent — kept by the
// Worker, sealed) to resume without a QR, the listener's close codes (3000: Zalo Web opened
// elsewhere — no fight; 3003: kicked — relogin needed; others: back-off), messages in and out,
// and the friends and groups directory.
import type { Directory, SessionStatus } from "../../../worker/bridge/protocol.ts";
import { CommandError } from "../link.ts";
import type { Logger } from "../log.ts";
import type { ProviderSession, SessionInit } from "../sessions.ts";

/** zca-js LoginQRCallbackEventType. */
export const QrEvent = { Generated: 0, Expired: 1, Scanned: 2, Declined: 3, GotLoginInfo: 4 } as const;

export interface QrCallbackEvent {
  type: number;
  data: { code?: string; image?: string; cookie?: unknown; imei?: string; userAgent?: string; display_name?: string } | null;
  actions: { retry(): unknown; abort(): unknown } | null;
}

export interface ZaloListener {
  on(event: "message", listener: (message: Record<string, unknown>) => void): void;
  on(event: "connected", listener: () => void): void;
  on(event: "closed", listener: (code: number, reason: string) => void): void;
  on(event: "error", listener: (error: unknown) => void): void;
  start(options?: { retryOnClose?: boolean }): void;
  stop(): void;
}

/** The part of zca-js's API a session uses. */
export interface ZaloApiLike {
  listener: ZaloListener;
  getOwnId(): string;
  fetchAccountInfo(): Promise<{ profile?: { displayName?: string; zaloName?: string; phoneNumber?: string } }>;
  sendMessage(content: string | { msg: string; quote?: unknown }, threadId: string, type: 0 | 1): Promise<{ message: { msgId: string | number } | null }>;
  sendTypingEvent?(threadId: string, type: 0 | 1): Promise<unknown>;
  getAllFriends(): Promise<{ userId: string; displayName?: string; zaloName?: string }[]>;
  getAllGroups(): Promise<{ gridVerMap: Record<string, unknown> }>;
  getGroupInfo(ids: string[]): Promise<{ gridInfoMap: Record<string, { name?: string }> }>;
}

export interface ZaloDriver {
  loginQR(options: { userAgent?: string }, callback: (event: QrCallbackEvent) => void): Promise<ZaloApiLike>;
  login(credentials: { cookie: unknown; imei: string; userAgent: string }): Promise<ZaloApiLike>;
}

export interface ZaloTimings {
  backoffMs: number;
  maxBackoffMs: number;
  qrTtlMs: number;
}

export const DEFAULT_ZALO_TIMINGS: ZaloTimings = { backoffMs: 2000, maxBackoffMs: 120_000, qrTtlMs: 100_000 };

const DUPLICATE_CONNECTION = 3000;
const KICKED = 3003;

export class ZaloSession implements ProviderSession {
  private api: ZaloApiLike | null = null;
  private state: SessionStatus["state"] = "starting";
  private reason: string | null = null;
  private lastEventAt: number | null = null;
  private closing = false;
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private credentials: Record<string, string>;
  private readonly recent = new Map<string, Record<string, unknown>>();
  private readonly log: Logger;

  constructor(
    private readonly init: SessionInit,
    private readonly driver: ZaloDriver,
    private readonly timings: ZaloTimings = DEFAULT_ZALO_TIMINGS,
  ) {
    this.log = init.log;
    this.credentials = init.credentials;
  }

  status(): SessionStatus {
    return { state: this.state, reason: this.reason, lastEventAt: this.lastEventAt };
  }

  async start(): Promise<void> {
    void this.connect();
  }

  private saved(): { cookie: unknown; imei: string; userAgent: string } | null {
    const { cookie, imei, userAgent } = this.credentials;
    return cookie && imei && userAgent ? { cookie: JSON.parse(cookie), imei, userAgent } : null;
  }

  private async connect(): Promise<void> {
    if (this.closing) return;
    const saved = this.saved();
    let api: ZaloApiLike;
    try {
      api = saved ? await this.driver.login(saved) : await this.driver.loginQR({}, (event) => this.onQr(event));
    } catch (error) {
      if (this.closing) return;
      const message = (error as Error).message;
      if (!saved) {
        this.finish("stopped", `the QR login did not complete: ${message} — Relogin for a new code`);
        this.init.emit({ type: "login", login: { state: "disconnected", reason: this.reason!, reconnecting: false } });
        return;
      }
      this.retry(`login failed: ${message}`);
      return;
    }
    if (this.closing) return;
    this.api = api;
    api.listener.on("message", (message) => this.onMessage(message));
    api.listener.on("connected", () => void this.onConnected(api));
    api.listener.on("closed", (code, reason) => this.onClosed(api, code, reason));
    api.listener.on("error", (error) => this.log.warn("listener error", { error: (error as Error)?.message }));
    api.listener.start({ retryOnClose: false });
  }

  private onQr(event: QrCallbackEvent): void {
    if (this.closing) return;
    this.lastEventAt = Date.now();
    switch (event.type) {
      case QrEvent.Generated:
        this.state = "awaiting-login";
        this.init.emit({
          type: "login",
          login: { state: "qr", qr: event.data?.code || "zalo-login", expiresAt: Date.now() + this.timings.qrTtlMs, ...(event.data?.image ? { image: dataUrl(event.data.image) } : {}) },
        });
        return;
      case QrEvent.Expired:
        event.actions?.retry(); // a new code follows as Generated
        return;
      case QrEvent.Scanned:
        this.log.info("QR scanned; waiting for the confirmation on the phone");
        return;
      case QrEvent.Declined:
        this.finish("stopped", "the login was declined on the phone — Relogin to try again");
        this.init.emit({ type: "login", login: { state: "disconnected", reason: this.reason!, reconnecting: false } });
        event.actions?.abort();
        return;
      case QrEvent.GotLoginInfo: {
        const { cookie, imei, userAgent } = event.data ?? {};
        if (!cookie || !imei || !userAgent) return;
        this.credentials = { cookie: JSON.stringify(cookie), imei, userAgent };
        this.init.emit({ type: "credentials", set: this.credentials, removed: [], replace: true });
        return;
      }
    }
  }

  private async onConnected(api: ZaloApiLike): Promise<void> {
    if (api !== this.api || this.closing) return;
    this.failures = 0;
    this.state = "running";
    this.reason = null;
    this.lastEventAt = Date.now();
    const id = api.getOwnId();
    const profile = await api.fetchAccountInfo().then((info) => info.profile ?? {}, () => ({}) as { displayName?: string; zaloName?: string; phoneNumber?: string });
    const name = profile.displayName || profile.zaloName || id;
    this.init.emit({ type: "login", login: { state: "connected", account: { id, name, details: { uid: id, ...(profile.phoneNumber ? { phone: profile.phoneNumber } : {}) } } } });
    this.log.info("connected");
  }

  private onClosed(api: ZaloApiLike, code: number, reason: string): void {
    if (api !== this.api || this.closing) return;
    this.api = null;
    if (code === DUPLICATE_CONNECTION) {
      const why = "connection replaced — Zalo Web was opened elsewhere for this account; Retry to take it back";
      this.finish("replaced", why);
      this.init.emit({ type: "login", login: { state: "disconnected", reason: why, reconnecting: false } });
      return;
    }
    if (code === KICKED) {
      this.finish("logged-out", "Zalo ended this web session");
      this.init.emit({ type: "login", login: { state: "logged-out", reason: "Zalo ended this web session (kicked)" } });
      return;
    }
    this.retry(`listener closed (${code}${reason ? `: ${reason}` : ""})`);
  }

  private retry(why: string): void {
    const delay = Math.min(this.timings.backoffMs * 2 ** this.failures, this.timings.maxBackoffMs);
    this.failures += 1;
    this.state = "reconnecting";
    this.reason = why;
    this.log.warn("disconnected; reconnecting", { inMs: delay });
    this.init.emit({ type: "login", login: { state: "disconnected", reason: `${why}; reconnecting in ${Math.round(delay / 1000)} s`, reconnecting: true } });
    this.timer = setTimeout(() => void this.connect(), delay);
  }

  private finish(state: SessionStatus["state"], reason: string): void {
    this.state = state;
    this.reason = reason;
    if (this.timer) clearTimeout(this.timer);
    this.log.warn("session ended", { state, reason });
  }

  private onMessage(message: Record<string, unknown>): void {
    this.lastEventAt = Date.now();
    const data = message.data as { msgId?: string | number } | undefined;
    if (data?.msgId !== undefined) {
      this.recent.set(String(data.msgId), data as Record<string, unknown>);
      if (this.recent.size > 500) this.recent.delete(this.recent.keys().next().value!);
    }
    this.init.emit({ type: "message", message: JSON.parse(JSON.stringify(message, (_key, value) => (typeof value === "bigint" ? String(value) : value))) });
  }

  private connected(): ZaloApiLike {
    if (!this.api || this.state !== "running") throw new CommandError("transient", `the Zalo session is ${this.state}${this.reason ? ` (${this.reason})` : ""}`);
    return this.api;
  }

  async send(to: string, text: string, quote?: string): Promise<{ messageId: string }> {
    const api = this.connected();
    const { threadId, type } = target(to);
    const quoted = quote ? this.recent.get(quote) : undefined;
    try {
      const result = await api.sendMessage(quoted ? { msg: text, quote: quoted } : text, threadId, type);
      return { messageId: String(result.message?.msgId ?? "") };
    } catch (error) {
      throw new CommandError("transient", (error as Error).message);
    }
  }

  async typing(to: string): Promise<void> {
    const { threadId, type } = target(to);
    await this.connected().sendTypingEvent?.(threadId, type);
  }

  async directory(): Promise<Directory> {
    const api = this.connected();
    const friends = await api.getAllFriends();
    const groupIds = Object.keys((await api.getAllGroups()).gridVerMap ?? {});
    const info = groupIds.length > 0 ? (await api.getGroupInfo(groupIds)).gridInfoMap : {};
    return {
      users: friends.map((friend) => ({ id: friend.userId, name: friend.displayName || friend.zaloName || friend.userId })),
      groups: groupIds.map((id) => ({ id, name: info[id]?.name || id })),
    };
  }

  async stop(): Promise<void> {
    this.closing = true;
    this.state = "stopped";
    if (this.timer) clearTimeout(this.timer);
    this.api?.listener.stop();
    this.api = null;
  }

  /** zca-js has no logout: the listener stops and the saved login is forgotten by the Worker. */
  async logout(): Promise<void> {
    await this.stop();
  }
}

function target(address: string): { threadId: string; type: 0 | 1 } {
  return { threadId: address.slice(2), type: address.startsWith("g:") ? 1 : 0 };
}

function dataUrl(image: string): string {
  return image.startsWith("data:") ? image : `data:image/png;base64,${image}`;
}

export function createZaloFactory(driver: ZaloDriver, timings?: ZaloTimings) {
  return (init: SessionInit) => new ZaloSession(init, driver, timings);
}
