// A faithful fake of the iLink bot API (the WeChat bot binding of a personal account), the
// subset Switchboard uses, served from Node under `/wechat`:
// - `POST /ilink/bot/get_bot_qrcode?bot_type=3` issues a QR (`qrcode`, `qrcode_img_content`);
// - `GET /ilink/bot/get_qrcode_status?qrcode=…` is held open until the QR's state changes (or a
//   short hold passes: `wait`), through `scaned` → `confirmed` (with `bot_token`, `ilink_bot_id`,
//   `ilink_user_id`, `baseurl`) or `expired`;
// - `POST /ilink/bot/getupdates {get_updates_buf}` returns the messages after the cursor and the
//   next cursor, holding the request open (up to `longPollMs`) while there are none;
// - `POST /ilink/bot/sendmessage {msg}` needs the bot headers, the bot token and a context_token
//   iLink issued for that user.
// Authenticated calls without `AuthorizationType: ilink_bot_token`, a Bearer token, a base64
// `X-WECHAT-UIN`, `iLink-App-Id` or `base_info` are refused (HTTP 400 here; iLink's exact answer
// to them is not documented). An expired session answers `ret`/`errcode` -14 to every call.
// The tests play the phone (scan, confirm) and the users (`userSays`) through the methods below.
// Plain erasable TypeScript: Node runs it directly.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseJson, readRawBody, sendJson } from "./fake-http.ts";

export const SESSION_EXPIRED = -14;

type QrStatus = "wait" | "scaned" | "confirmed" | "expired";

interface FakeQr {
  qrcode: string;
  imageContent: string;
  status: QrStatus;
  bot?: FakeWeChatBot;
}

export interface FakeWeChatBot {
  token: string;
  botId: string;
  userId: string;
  expired: boolean;
  /** Every message ever delivered to the bot, in order; `seq` is what cursors count. */
  inbox: { seq: number; message: Record<string, unknown> }[];
  /** Context tokens issued per user: a reply must carry one of them. */
  contexts: Map<string, Set<string>>;
  sent: { to: string; text: string; contextToken: string; at: number }[];
  /** getupdates requests received (answered or still held). */
  polls: { cursor: string; at: number }[];
  failures?: { count: number; status: number };
}

/** The cursor is opaque to clients; here it carries the last sequence number handed out. */
const encodeCursor = (seq: number) => Buffer.from(JSON.stringify({ seq, salt: randomBytes(4).toString("hex") })).toString("base64");
function decodeCursor(cursor: string): number | null {
  if (cursor === "") return 0;
  try {
    const seq = (JSON.parse(Buffer.from(cursor, "base64").toString("utf8")) as { seq?: unknown }).seq;
    return typeof seq === "number" && Number.isInteger(seq) && seq >= 0 ? seq : null;
  } catch {
    return null;
  }
}

export class FakeWeChat {
  /** How long getupdates is held while nothing arrives (iLink: about 35 s). */
  longPollMs = 35_000;
  /** How long get_qrcode_status is held while the QR's state does not change. */
  qrHoldMs = 1000;
  /** The API base handed back as `baseurl` on confirmation (set by whoever serves the fake). */
  baseUrl = "";
  readonly qrs: FakeQr[] = [];
  readonly bots = new Map<string, FakeWeChatBot>();
  /** Requests that were refused for their headers or body, with the reason. */
  readonly refused: { path: string; reason: string }[] = [];
  private readonly wakers = new Set<() => void>();
  private seq = 0;
  private messageIds = 7_000_000;

  // ------------------------------------------------------------ the phone and the users

  latestQr(): FakeQr | undefined {
    return this.qrs.at(-1);
  }

  /** The QR a phone would scan: the one shown (`shown` is what it encodes), else the latest issued. */
  private qrFor(shown?: string): FakeQr {
    const qr = shown === undefined ? this.latestQr() : this.qrs.find((candidate) => candidate.imageContent === shown);
    if (!qr) throw new Error("no such QR issued");
    return qr;
  }

  scan(shown?: string): void {
    this.setQr("scaned", shown);
  }

  /** The phone confirms the binding: a new bot (token, ids) for this account. */
  confirm(options: { userId?: string; shown?: string } = {}): FakeWeChatBot {
    const qr = this.qrFor(options.shown);
    const userId = options.userId ?? `wxid_${randomBytes(4).toString("hex")}@im.wechat`;
    const bot: FakeWeChatBot = {
      token: `bot-${randomBytes(16).toString("hex")}`,
      botId: `${randomBytes(6).toString("hex")}@im.bot`,
      userId,
      expired: false,
      inbox: [],
      contexts: new Map(),
      sent: [],
      polls: [],
    };
    this.bots.set(bot.token, bot);
    qr.bot = bot;
    this.setQr("confirmed", options.shown);
    return bot;
  }

  expireQr(shown?: string): void {
    this.setQr("expired", shown);
  }

  private setQr(status: QrStatus, shown?: string): void {
    this.qrFor(shown).status = status;
    this.wake();
  }

  bot(botId: string): FakeWeChatBot {
    const bot = [...this.bots.values()].find((candidate) => candidate.botId === botId);
    if (!bot) throw new Error(`no bot ${botId}`);
    return bot;
  }

  /** A user writes to the bot: the message (with a fresh context token) waits for getupdates. */
  userSays(botId: string, options: { from: string; text: string; groupId?: string; items?: Record<string, unknown>[] }): Record<string, unknown> {
    const bot = this.bot(botId);
    const contextToken = randomBytes(24).toString("base64");
    const tokens = bot.contexts.get(options.from) ?? new Set();
    tokens.add(contextToken);
    bot.contexts.set(options.from, tokens);
    const message = {
      seq: (this.seq += 1),
      message_id: (this.messageIds += 1),
      from_user_id: options.from,
      to_user_id: bot.botId,
      client_id: `c-${this.messageIds}`,
      create_time_ms: Date.now(),
      session_id: `s-${options.from}`,
      ...(options.groupId ? { group_id: options.groupId } : {}),
      message_type: 1,
      message_state: 2,
      item_list: options.items ?? [{ type: 1, text_item: { text: options.text } }],
      context_token: contextToken,
    };
    bot.inbox.push({ seq: message.seq, message });
    this.wake();
    return message;
  }

  /** The next `count` getupdates of this bot fail with HTTP `status` (an iLink outage). */
  failPolls(botId: string, count: number, status = 502): void {
    this.bot(botId).failures = { count, status };
  }

  /** iLink ends the bot session: every call answers errcode -14 from now on. */
  expireSession(botId: string): void {
    this.bot(botId).expired = true;
    this.wake();
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }

  /** Resolves when something changes or `ms` pass (or the client goes away). */
  private hold(ms: number, response: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(done);
        response.off("close", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
      response.once("close", done);
    });
  }

  // ------------------------------------------------------------ HTTP

  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(path, "http://fake");
    const raw = await readRawBody(request);
    switch (`${request.method} ${url.pathname}`) {
      case "POST /ilink/bot/get_bot_qrcode":
        return this.getQrCode(url, request, response);
      case "GET /ilink/bot/get_qrcode_status":
        return this.getQrStatus(url, request, response);
      case "POST /ilink/bot/getupdates":
      case "POST /ilink/bot/sendmessage": {
        const body = parseJson(raw);
        const bot = this.authenticate(url.pathname, request, body, response);
        if (!bot) return;
        if (bot.expired) return sendJson(response, 200, { ret: SESSION_EXPIRED, errcode: SESSION_EXPIRED, errmsg: "session timeout" });
        return url.pathname.endsWith("getupdates") ? this.getUpdates(bot, body as Record<string, unknown>, response) : this.sendMessage(bot, body as Record<string, unknown>, response);
      }
      default:
        return sendJson(response, 404, { ret: -1, errmsg: "no such iLink method" });
    }
  }

  private refuse(path: string, response: ServerResponse, reason: string): void {
    this.refused.push({ path, reason });
    sendJson(response, 400, { ret: -1, errmsg: reason });
  }

  private appHeadersProblem(request: IncomingMessage): string | null {
    const uin = String(request.headers["x-wechat-uin"] ?? "");
    if (!/^\d+$/.test(Buffer.from(uin, "base64").toString("utf8")) || Buffer.from(Buffer.from(uin, "base64").toString("utf8")).toString("base64") !== uin) return "X-WECHAT-UIN must be base64 of a decimal uint32";
    if (!request.headers["ilink-app-id"]) return "iLink-App-Id is required";
    if (!request.headers["ilink-app-clientversion"]) return "iLink-App-ClientVersion is required";
    return null;
  }

  private authenticate(path: string, request: IncomingMessage, body: unknown, response: ServerResponse): FakeWeChatBot | null {
    const problem = this.appHeadersProblem(request);
    if (problem) return this.refuse(path, response, problem), null;
    if (request.headers["authorizationtype"] !== "ilink_bot_token") return this.refuse(path, response, "AuthorizationType must be ilink_bot_token"), null;
    if (!String(request.headers["content-type"] ?? "").startsWith("application/json")) return this.refuse(path, response, "Content-Type must be application/json"), null;
    if (typeof body !== "object" || body === null || typeof (body as { base_info?: unknown }).base_info !== "object") return this.refuse(path, response, "base_info is required"), null;
    const token = /^Bearer (.+)$/.exec(String(request.headers.authorization ?? ""))?.[1];
    const bot = token ? this.bots.get(token) : undefined;
    // An unknown or revoked token reads as an ended session.
    if (!bot) return sendJson(response, 200, { ret: SESSION_EXPIRED, errcode: SESSION_EXPIRED, errmsg: "session timeout" }), null;
    return bot;
  }

  private getQrCode(url: URL, request: IncomingMessage, response: ServerResponse): void {
    const problem = this.appHeadersProblem(request);
    if (problem) return this.refuse(url.pathname, response, problem);
    if (url.searchParams.get("bot_type") !== "3") return this.refuse(url.pathname, response, "bot_type must be 3");
    const qrcode = randomBytes(12).toString("hex");
    const qr: FakeQr = { qrcode, imageContent: `https://liteapp.weixin.qq.com/q/7GiQu1?qrcode=${qrcode}&bot_type=3`, status: "wait" };
    this.qrs.push(qr);
    sendJson(response, 200, { ret: 0, qrcode, qrcode_img_content: qr.imageContent });
  }

  private async getQrStatus(url: URL, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const problem = this.appHeadersProblem(request);
    if (problem) return this.refuse(url.pathname, response, problem);
    const qr = this.qrs.find((candidate) => candidate.qrcode === url.searchParams.get("qrcode"));
    if (!qr) return sendJson(response, 200, { ret: 0, status: "expired" });
    const seen = qr.status;
    if (seen === "wait" || seen === "scaned") await this.hold(this.qrHoldMs, response);
    if (response.destroyed) return;
    if (qr.status !== "confirmed") return sendJson(response, 200, { ret: 0, status: qr.status });
    const bot = qr.bot!;
    sendJson(response, 200, { ret: 0, status: "confirmed", bot_token: bot.token, ilink_bot_id: bot.botId, ilink_user_id: bot.userId, baseurl: this.baseUrl });
  }

  private async getUpdates(bot: FakeWeChatBot, body: Record<string, unknown>, response: ServerResponse): Promise<void> {
    const cursor = typeof body.get_updates_buf === "string" ? body.get_updates_buf : "";
    bot.polls.push({ cursor, at: Date.now() });
    if (bot.failures && bot.failures.count > 0) {
      bot.failures.count -= 1;
      return sendJson(response, bot.failures.status, { error: "upstream unavailable" });
    }
    const after = decodeCursor(cursor);
    if (after === null) return sendJson(response, 200, { ret: -1, errmsg: "invalid get_updates_buf" });
    const deadline = Date.now() + this.longPollMs;
    let pending = bot.inbox.filter((entry) => entry.seq > after);
    while (pending.length === 0 && !bot.expired && Date.now() < deadline && !response.destroyed) {
      await this.hold(deadline - Date.now(), response);
      pending = bot.inbox.filter((entry) => entry.seq > after);
    }
    if (response.destroyed) return;
    if (bot.expired) return sendJson(response, 200, { ret: SESSION_EXPIRED, errcode: SESSION_EXPIRED, errmsg: "session timeout" });
    const last = pending.at(-1)?.seq ?? after;
    sendJson(response, 200, {
      ret: 0,
      msgs: pending.map((entry) => entry.message),
      get_updates_buf: pending.length > 0 || cursor === "" ? encodeCursor(last) : cursor,
      longpolling_timeout_ms: this.longPollMs,
    });
  }

  private sendMessage(bot: FakeWeChatBot, body: Record<string, unknown>, response: ServerResponse): void {
    const msg = (body.msg ?? {}) as { to_user_id?: unknown; context_token?: unknown; item_list?: { type?: unknown; text_item?: { text?: unknown } }[] };
    const to = typeof msg.to_user_id === "string" ? msg.to_user_id : "";
    const contextToken = typeof msg.context_token === "string" ? msg.context_token : "";
    if (!to) return sendJson(response, 200, { ret: -1, errmsg: "to_user_id is required" });
    if (!contextToken || !bot.contexts.get(to)?.has(contextToken)) return sendJson(response, 200, { ret: -1, errmsg: "context_token is missing or not issued for this user" });
    const texts = (msg.item_list ?? []).filter((item) => item.type === 1).map((item) => item.text_item?.text);
    if (texts.length !== 1 || typeof texts[0] !== "string" || texts[0].length === 0) return sendJson(response, 200, { ret: -1, errmsg: "item_list must hold one non-empty text item" });
    // iLink documents no limit; the fake holds replies to the 4,000 characters the adapter splits at.
    if (texts[0].length > 4000) return sendJson(response, 200, { ret: -1, errmsg: "text too long" });
    bot.sent.push({ to, text: texts[0], contextToken, at: Date.now() });
    sendJson(response, 200, { ret: 0, errmsg: "" });
  }
}
