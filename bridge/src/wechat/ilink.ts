// The iLink bot API (WeChat's official bot binding for a personal account) over plain HTTPS
// JSON: the QR login (get_bot_qrcode, get_qrcode_status), the long poll (getupdates with the
// get_updates_buf cursor) and sendmessage. Application errors come back with HTTP 200 and a
// non-zero `ret`/`errcode`; -14 means the bot session expired and only a new QR login helps.
import { randomInt } from "node:crypto";

export const DEFAULT_WECHAT_API_BASE = "https://ilinkai.weixin.qq.com";
/** errcode of an expired bot session. */
export const SESSION_EXPIRED = -14;
/** iLink bot type of a personal account's bot binding. */
const BOT_TYPE = 3;
const APP_ID = "bot";
/** 0x00MMNNPP of the client version, as a decimal string (1.0.0). */
const CLIENT_VERSION = String(0x00010000);
const BASE_INFO = { channel_version: "1.0.0", bot_agent: "Switchboard" };

export type QrStatus = "wait" | "scaned" | "confirmed" | "expired" | "need_verifycode" | "verify_code_blocked" | "scaned_but_redirect" | "binded_redirect";

export interface QrCode {
  qrcode: string;
  /** What the phone scans: a URL to draw as a QR code. */
  qrcode_img_content: string;
}

export interface QrState {
  status: QrStatus;
  bot_token?: string;
  ilink_bot_id?: string;
  ilink_user_id?: string;
  baseurl?: string;
}

export interface WeChatItem {
  type: number;
  text_item?: { text?: string };
  voice_item?: { text?: string };
}

/** One message as getupdates returns it (forwarded to the Worker as is). */
export interface WeChatMessage {
  message_id: number | string;
  from_user_id: string;
  to_user_id?: string;
  group_id?: string;
  create_time_ms?: number;
  /** 1 a user, 2 a bot. */
  message_type?: number;
  item_list?: WeChatItem[];
  context_token?: string;
  [field: string]: unknown;
}

export interface Updates {
  msgs: WeChatMessage[];
  get_updates_buf: string;
  longpolling_timeout_ms?: number;
}

/** An answer with a non-zero ret/errcode, or an HTTP failure (`code` is then the HTTP status). */
export class ILinkError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
  get expired(): boolean {
    return this.code === SESSION_EXPIRED;
  }
}

/** X-WECHAT-UIN: base64 of a random uint32 written in decimal, new on every request. */
function uin(): string {
  return Buffer.from(String(randomInt(0, 2 ** 32 - 1))).toString("base64");
}

export class ILinkClient {
  constructor(
    readonly base: string,
    private readonly token: string | null = null,
  ) {}

  private headers(json: boolean): Record<string, string> {
    return {
      ...(json ? { "content-type": "application/json" } : {}),
      "X-WECHAT-UIN": uin(),
      "iLink-App-Id": APP_ID,
      "iLink-App-ClientVersion": CLIENT_VERSION,
      ...(this.token ? { AuthorizationType: "ilink_bot_token", Authorization: `Bearer ${this.token}` } : {}),
    };
  }

  private async call<T>(method: "GET" | "POST", path: string, body: Record<string, unknown> | null, signal?: AbortSignal): Promise<T> {
    const response = await fetch(new URL(path, this.base.endsWith("/") ? this.base : `${this.base}/`), {
      method,
      headers: this.headers(body !== null),
      body: body === null ? undefined : JSON.stringify(this.token ? { ...body, base_info: BASE_INFO } : body),
      signal,
    });
    const text = await response.text();
    if (!response.ok) throw new ILinkError(response.status, `iLink ${path.split("?")[0]} answered HTTP ${response.status}`);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new ILinkError(0, `iLink ${path.split("?")[0]} answered something that is not JSON`);
    }
    const code = Number(parsed.errcode ?? parsed.ret ?? 0);
    if (code !== 0) throw new ILinkError(code, `iLink ${path.split("?")[0]}: ${String(parsed.errmsg || `error ${code}`)}`);
    return parsed as T;
  }

  getQrCode(): Promise<QrCode> {
    return this.call("POST", `ilink/bot/get_bot_qrcode?bot_type=${BOT_TYPE}`, { local_token_list: [] });
  }

  /** Held open by iLink until the state changes or its own timeout passes. */
  getQrStatus(qrcode: string, signal?: AbortSignal): Promise<QrState> {
    return this.call("GET", `ilink/bot/get_qrcode_status?qrcode=${encodeURIComponent(qrcode)}`, null, signal);
  }

  /** Held open by iLink until messages arrive after `cursor` or the long-poll timeout passes. */
  async getUpdates(cursor: string, signal?: AbortSignal): Promise<Updates> {
    const answer = await this.call<Partial<Updates>>("POST", "ilink/bot/getupdates", { get_updates_buf: cursor }, signal);
    return { msgs: answer.msgs ?? [], get_updates_buf: answer.get_updates_buf ?? cursor, longpolling_timeout_ms: answer.longpolling_timeout_ms };
  }

  async sendText(to: string, contextToken: string, text: string, clientId: string): Promise<void> {
    await this.call("POST", "ilink/bot/sendmessage", {
      msg: { to_user_id: to, client_id: clientId, message_type: 2, message_state: 2, context_token: contextToken, item_list: [{ type: 1, text_item: { text } }] },
    });
  }
}
