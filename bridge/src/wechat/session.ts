// A WeChat session over the iLink bot API: the QR login (a URL drawn as a QR; an expired one is
// renewed a few times), then a long poll of getupdates. Nothing is lost or doubled across a
// restart: each poll's messages are queued first, then a `credentials` entry with the next
// cursor; the queue delivers in order, so the Worker saves the cursor only once it has stored
// the messages before it, and a bridge that starts from that cursor sees only messages the
// Worker never stored (or ones it de-duplicates by id). Replies need the latest context_token
// of the user's conversation: kept per user and saved the same way (`ctx:<user id>`). An
// expired session (errcode -14) ends polling at once and asks for a new QR login.
import { randomUUID } from "node:crypto";
import type { SessionStatus } from "../../../worker/bridge/protocol.ts";
import { CommandError } from "../link.ts";
import type { Logger } from "../log.ts";
import type { ProviderSession, SessionInit } from "../sessions.ts";
import { DEFAULT_WECHAT_API_BASE, ILinkClient, ILinkError, type QrState, type WeChatMessage } from "./ilink.ts";

export interface WeChatTimings {
  /** How long a QR is shown as valid (iLink does not say; it reports `expired`). */
  qrTtlMs: number;
  /** New QRs issued after the first one expires unscanned, before the login gives up. */
  maxQrRenewals: number;
  /** Pause between two QR status polls that came back at once. */
  qrPollPauseMs: number;
  /** Client-side cap on one getupdates (iLink holds it for about 35 s). */
  pollTimeoutMs: number;
  /** Pause after an empty poll that came back at once, so a server that does not hold is not hammered. */
  idlePauseMs: number;
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_WECHAT_TIMINGS: WeChatTimings = {
  qrTtlMs: 120_000,
  maxQrRenewals: 3,
  qrPollPauseMs: 1000,
  pollTimeoutMs: 45_000,
  idlePauseMs: 1000,
  backoffMs: 2000,
  maxBackoffMs: 60_000,
};

/** Saved entries: the bot token and ids from the QR login, the cursor, and `ctx:<user>` tokens. */
const CONTEXT_PREFIX = "ctx:";

export class WeChatSession implements ProviderSession {
  private state: SessionStatus["state"] = "starting";
  private reason: string | null = null;
  private lastEventAt: number | null = null;
  private closing = false;
  private readonly abort = new AbortController();
  private client: ILinkClient | null = null;
  private credentials: Record<string, string>;
  private readonly contexts = new Map<string, string>();
  private readonly log: Logger;

  constructor(
    private readonly init: SessionInit,
    private readonly apiBase: string = DEFAULT_WECHAT_API_BASE,
    private readonly timings: WeChatTimings = DEFAULT_WECHAT_TIMINGS,
  ) {
    this.log = init.log;
    this.credentials = init.credentials;
    for (const [name, value] of Object.entries(init.credentials)) if (name.startsWith(CONTEXT_PREFIX)) this.contexts.set(name.slice(CONTEXT_PREFIX.length), value);
  }

  status(): SessionStatus {
    return { state: this.state, reason: this.reason, lastEventAt: this.lastEventAt };
  }

  async start(): Promise<void> {
    void this.run();
  }

  private async run(): Promise<void> {
    if (!this.credentials.token && !(await this.login())) return;
    await this.poll();
  }

  // ---------------------------------------------------------------- QR login

  /** True once the phone confirmed and the bot token is saved. */
  private async login(): Promise<boolean> {
    const client = new ILinkClient(this.apiBase);
    try {
      for (let renewal = 0; renewal <= this.timings.maxQrRenewals; renewal++) {
        const qr = await client.getQrCode();
        if (this.closing) return false;
        this.state = "awaiting-login";
        this.lastEventAt = Date.now();
        this.init.emit({ type: "login", login: { state: "qr", qr: qr.qrcode_img_content, expiresAt: Date.now() + this.timings.qrTtlMs } });
        const outcome = await this.awaitScan(client, qr.qrcode);
        if (outcome === "expired") continue;
        if (outcome === "closed") return false;
        if ("ended" in outcome) return this.giveUp(outcome.ended);
        return this.confirmed(outcome);
      }
      return this.giveUp("the QR code expired without being scanned — Relogin for a new code");
    } catch (error) {
      if (this.closing) return false;
      return this.giveUp(`the QR login did not complete: ${(error as Error).message} — Relogin for a new code`);
    }
  }

  private async awaitScan(client: ILinkClient, qrcode: string): Promise<"expired" | "closed" | { ended: string } | QrState> {
    for (;;) {
      if (this.closing) return "closed";
      const asked = Date.now();
      let state: QrState;
      try {
        state = await client.getQrStatus(qrcode, AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.timings.pollTimeoutMs)]));
      } catch (error) {
        // Our own cap on a held request: no change yet, ask again.
        if ((error as Error).name === "TimeoutError") continue;
        throw error;
      }
      switch (state.status) {
        case "confirmed":
          if (!state.bot_token || !state.ilink_bot_id) return { ended: "iLink confirmed the login without a bot token — Relogin to try again" };
          return state;
        case "expired":
          return "expired";
        case "need_verifycode":
        case "verify_code_blocked":
          return { ended: "WeChat asked for a verification code on the phone, which this login cannot take — Relogin to try again" };
        case "binded_redirect":
          return { ended: "this WeChat account's bot is already bound to another client — unbind it in WeChat, then Relogin" };
        case "scaned":
          this.log.info("QR scanned; waiting for the confirmation on the phone");
          break;
      }
      if (Date.now() - asked < this.timings.qrPollPauseMs) await this.pause(this.timings.qrPollPauseMs);
    }
  }

  private confirmed(state: QrState): true {
    this.credentials = {
      token: state.bot_token!,
      botId: state.ilink_bot_id!,
      ...(state.ilink_user_id ? { userId: state.ilink_user_id } : {}),
      ...(state.baseurl ? { baseUrl: state.baseurl } : {}),
    };
    this.contexts.clear();
    this.init.emit({ type: "credentials", set: this.credentials, removed: [], replace: true });
    this.log.info("QR login confirmed");
    return true;
  }

  private giveUp(reason: string): false {
    this.state = "stopped";
    this.reason = reason;
    this.log.warn("QR login ended", { reason });
    this.init.emit({ type: "login", login: { state: "disconnected", reason, reconnecting: false } });
    return false;
  }

  // ---------------------------------------------------------------- long poll

  private connectedEvent(): void {
    const { botId, userId } = this.credentials;
    this.state = "running";
    this.reason = null;
    this.init.emit({ type: "login", login: { state: "connected", account: { id: botId!, name: botId!, details: { botId, ...(userId ? { userId } : {}) } } } });
  }

  private async poll(): Promise<void> {
    if (this.closing) return;
    // iLink may name the host a bot is served from; a base set by the operator (a proxy, a fake) wins.
    const base = this.apiBase !== DEFAULT_WECHAT_API_BASE ? this.apiBase : this.credentials.baseUrl || this.apiBase;
    const client = new ILinkClient(base, this.credentials.token!);
    this.client = client;
    let cursor = this.credentials.cursor ?? "";
    let failures = 0;
    this.connectedEvent();
    this.log.info("polling", { resumedFromCursor: cursor !== "" });
    while (!this.closing) {
      const asked = Date.now();
      try {
        const updates = await client.getUpdates(cursor, AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.timings.pollTimeoutMs)]));
        if (this.closing) return;
        if (failures > 0) this.connectedEvent();
        failures = 0;
        this.take(updates.msgs, updates.get_updates_buf, cursor);
        cursor = updates.get_updates_buf;
        if (updates.msgs.length === 0 && Date.now() - asked < this.timings.idlePauseMs) await this.pause(this.timings.idlePauseMs);
      } catch (error) {
        if (this.closing) return;
        if (error instanceof ILinkError && error.expired) return this.expire();
        // Our own cap on a held request: nothing arrived, ask again with the same cursor.
        if ((error as Error).name === "TimeoutError") continue;
        const delay = Math.min(this.timings.backoffMs * 2 ** failures, this.timings.maxBackoffMs);
        failures += 1;
        this.state = "reconnecting";
        this.reason = `getupdates failed: ${(error as Error).message}`;
        if (failures === 1) this.init.emit({ type: "login", login: { state: "disconnected", reason: `${this.reason}; retrying`, reconnecting: true } });
        this.log.warn("poll failed; retrying", { inMs: delay, error: (error as Error).message });
        await this.pause(delay);
      }
    }
  }

  /** Queues a poll's messages, then the cursor that follows them (and the context tokens they brought). */
  private take(messages: WeChatMessage[], next: string, previous: string): void {
    const saved: Record<string, string> = {};
    for (const message of messages) {
      this.lastEventAt = Date.now();
      // The channel refuses a whole batch over one unreadable message: such a message stays here.
      if ((typeof message.message_id !== "number" && typeof message.message_id !== "string") || message.message_id === "" || typeof message.from_user_id !== "string" || !message.from_user_id) {
        this.log.warn("skipped a message without an id or a sender");
        continue;
      }
      const { context_token: contextToken, ...forwarded } = message;
      if (contextToken && message.from_user_id && message.message_type !== 2) {
        this.contexts.set(message.from_user_id, contextToken);
        saved[`${CONTEXT_PREFIX}${message.from_user_id}`] = contextToken;
      }
      this.init.emit({ type: "message", message: forwarded });
    }
    if (next !== previous) saved.cursor = next;
    if (Object.keys(saved).length > 0) this.init.emit({ type: "credentials", set: saved, removed: [], replace: false });
  }

  private expire(): void {
    if (this.state === "logged-out") return;
    this.state = "logged-out";
    this.reason = "the WeChat bot session expired";
    // Done for good: only a new QR login (a new session) helps.
    this.closing = true;
    this.client = null;
    this.abort.abort();
    this.log.warn("session expired; polling stopped");
    this.init.emit({ type: "login", login: { state: "logged-out", reason: "the WeChat bot session expired; scan a new QR code" } });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.abort.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }

  // ---------------------------------------------------------------- commands

  async send(to: string, text: string): Promise<{ messageId: string }> {
    const client = this.client;
    if (!client || this.state !== "running") throw new CommandError("transient", `the WeChat session is ${this.state}${this.reason ? ` (${this.reason})` : ""}`);
    const contextToken = this.contexts.get(to);
    if (!contextToken) throw new CommandError("permanent", "WeChat lets the bot answer only a user who wrote to it: no conversation with this user yet");
    const clientId = randomUUID();
    try {
      await client.sendText(to, contextToken, text, clientId);
    } catch (error) {
      if (error instanceof ILinkError && error.expired) {
        this.expire();
        throw new CommandError("unauthorized", "the WeChat bot session expired");
      }
      const status = error instanceof ILinkError ? error.code : 0;
      const kind = status === 429 ? "rate-limited" : status >= 400 && status < 500 ? "permanent" : status < 0 ? "permanent" : "transient";
      throw new CommandError(kind, (error as Error).message);
    }
    return { messageId: clientId };
  }

  async stop(): Promise<void> {
    this.closing = true;
    this.state = "stopped";
    this.client = null;
    this.abort.abort();
  }

  /** iLink has no unbind call for a bot: polling stops and the Worker forgets the token. */
  async logout(): Promise<void> {
    await this.stop();
  }
}

export function createWeChatFactory(apiBase?: string, timings?: WeChatTimings) {
  return (init: SessionInit) => new WeChatSession(init, apiBase, timings);
}
