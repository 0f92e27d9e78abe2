// A faithful fake of the Lark / Feishu Open Platform endpoints Switchboard calls, served from Node
// under `/lark/open-apis/...`. It answers like Lark — `{ code: 0, msg, data }`, or a non-zero code
// (mostly with HTTP 400), HTTP 429 with code 99991400 and `x-ogw-ratelimit-reset` — issues
// tenant_access_tokens that live 2 hours (the same token until its last 30 minutes), refuses
// unknown or expired ones with 99991663, sends at most one message per `uuid` within an hour,
// records every call per app, and can expire tokens or inject failures on command.
// Plain erasable TypeScript: Node runs it directly.
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseJson, readRawBody, sendJson } from "./fake-http.ts";

export interface FakeLarkApp {
  appId: string;
  appSecret: string;
  /** The bot's open_id (`ou_…`) and name, as bot/v3/info reports them. */
  openId: string;
  name: string;
}

export interface LarkCall {
  appId: string | null;
  op: string;
  path: string;
  body: Record<string, any>;
  at: number;
}

export interface LarkSentMessage {
  messageId: string;
  chatId: string;
  /** The message this one replies to. */
  parentId?: string;
  text: string;
  uuid?: string;
}

export interface CannedLarkResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Carry the call out first, then answer this: the response was lost on the way back. */
  afterSending?: boolean;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const HOUR = 60 * 60 * 1000;
const ok = (extra: Record<string, unknown>): Answer => ({ status: 200, body: { code: 0, msg: "success", ...extra } });
const refusal = (code: number, msg: string, status = 400): Answer => ({ status, body: { code, msg } });
const newId = (prefix: string) => `${prefix}${randomBytes(16).toString("hex")}`;

export class FakeLark {
  readonly apps = new Map<string, FakeLarkApp & { tokenLifetimeSeconds: number }>();
  readonly calls: LarkCall[] = [];
  private readonly tokens = new Map<string, { appId: string; expiresAt: number }>();
  /** Every token ever issued, so calls with an expired one are still recorded for its app. */
  private readonly issuedTo = new Map<string, string>();
  private readonly faults = new Map<string, CannedLarkResponse[]>();
  private readonly sent = new Map<string, LarkSentMessage[]>();
  private readonly byUuid = new Map<string, { message: LarkSentMessage; at: number }>();
  /** Users' messages the tests delivered (id → chat), so replies land in the right chat; recalled ones are gone. */
  private readonly incoming = new Map<string, { chatId: string; recalled: boolean }>();

  addApp(app: FakeLarkApp): void {
    this.apps.set(app.appId, { ...app, tokenLifetimeSeconds: 7200 });
  }

  /** Every token issued to the app stops working now, as if it had expired. */
  expireTokens(appId: string): void {
    for (const [token, entry] of this.tokens) if (entry.appId === appId) this.tokens.delete(token);
  }

  /** Handles one API call (after the body was read). */
  handleApi(method: string, url: URL, authorization: string | undefined, body: Record<string, any>): Answer {
    const path = url.pathname;
    if (method === "POST" && path === "/open-apis/auth/v3/tenant_access_token/internal") return this.issueToken(body);
    const bearer = /^Bearer (\S+)$/.exec(authorization ?? "")?.[1];
    const entry = bearer ? this.tokens.get(bearer) : undefined;
    const op = operationOf(method, path);
    this.calls.push({ appId: bearer ? (this.issuedTo.get(bearer) ?? null) : null, op, path: `${path}${url.search}`, body, at: Date.now() });
    if (!bearer) return refusal(99991661, "Missing access token for authorization. Please make a request with token attached.");
    if (!entry || entry.expiresAt <= Date.now()) return refusal(99991663, "Invalid access token for authorization. Please make a request with token attached.");
    const fault = this.faults.get(`${entry.appId}/${op}`)?.shift();
    if (fault && !fault.afterSending) return fault;
    const answer = this.perform(entry.appId, op, url, body);
    return fault ?? answer;
  }

  private issueToken(body: Record<string, any>): Answer {
    const app = this.apps.get(String(body.app_id ?? ""));
    this.calls.push({ appId: app?.appId ?? null, op: "token", path: "/open-apis/auth/v3/tenant_access_token/internal", body: { app_id: body.app_id }, at: Date.now() });
    if (!app) return refusal(10003, "invalid param");
    if (body.app_secret !== app.appSecret) return refusal(10014, "app secret invalid");
    const fault = this.faults.get(`${app.appId}/token`)?.shift();
    if (fault) return fault;
    const now = Date.now();
    // Lark hands out the same token until its last 30 minutes, then a new one.
    const current = [...this.tokens].find(([, entry]) => entry.appId === app.appId && entry.expiresAt - now >= 30 * 60 * 1000);
    if (current) return { status: 200, body: { code: 0, msg: "ok", tenant_access_token: current[0], expire: Math.floor((current[1].expiresAt - now) / 1000) } };
    const token = newId("t-g1044");
    this.tokens.set(token, { appId: app.appId, expiresAt: now + app.tokenLifetimeSeconds * 1000 });
    this.issuedTo.set(token, app.appId);
    return { status: 200, body: { code: 0, msg: "ok", tenant_access_token: token, expire: app.tokenLifetimeSeconds } };
  }

  private perform(appId: string, op: string, url: URL, body: Record<string, any>): Answer {
    const app = this.apps.get(appId)!;
    switch (op) {
      case "bot.info":
        return { status: 200, body: { code: 0, msg: "ok", bot: { activate_status: 2, app_name: app.name, avatar_url: "https://example.invalid/avatar.png", ip_white_list: [], open_id: app.openId } } };
      case "message.create": {
        if (url.searchParams.get("receive_id_type") !== "chat_id") return refusal(99992402, "field validation failed: receive_id_type");
        if (!/^oc_/.test(String(body.receive_id ?? ""))) return refusal(230001, "invalid receive_id");
        return this.send(appId, String(body.receive_id), undefined, body);
      }
      case "message.reply": {
        const parentId = decodeURIComponent(/^\/open-apis\/im\/v1\/messages\/([^/]+)\/reply$/.exec(url.pathname)![1]!);
        const parent = this.incoming.get(parentId) ?? this.sentMessage(appId, parentId);
        if (!parent || ("recalled" in parent && parent.recalled)) return refusal(230011, "The message was withdrawn.");
        return this.send(appId, parent.chatId, parentId, body);
      }
      default:
        return { status: 404, body: { code: 404, msg: "404 page not found" } };
    }
  }

  private send(appId: string, chatId: string, parentId: string | undefined, body: Record<string, any>): Answer {
    if (body.msg_type !== "text") return refusal(230001, "unsupported msg_type");
    const text = (parseJson(String(body.content ?? "")) as { text?: unknown } | undefined)?.text;
    if (typeof text !== "string" || text.trim() === "") return refusal(230001, "invalid message content");
    const uuid = typeof body.uuid === "string" && body.uuid ? body.uuid : undefined;
    if (uuid && uuid.length > 50) return refusal(99992402, "field validation failed: uuid");
    const earlier = uuid ? this.byUuid.get(`${appId}/${uuid}`) : undefined;
    // Lark's idempotency: the same uuid within an hour answers with the message already sent.
    if (earlier && Date.now() - earlier.at < HOUR) return ok({ data: this.view(earlier.message) });
    const message: LarkSentMessage = { messageId: newId("om_"), chatId, ...(parentId ? { parentId } : {}), text, ...(uuid ? { uuid } : {}) };
    this.sent.set(appId, [...(this.sent.get(appId) ?? []), message]);
    if (uuid) this.byUuid.set(`${appId}/${uuid}`, { message, at: Date.now() });
    return ok({ data: this.view(message) });
  }

  private view(message: LarkSentMessage) {
    const now = String(Date.now());
    return {
      message_id: message.messageId,
      ...(message.parentId ? { root_id: message.parentId, parent_id: message.parentId } : {}),
      msg_type: "text",
      create_time: now,
      update_time: now,
      deleted: false,
      updated: false,
      chat_id: message.chatId,
      sender: { id: "cli_fake", id_type: "app_id", sender_type: "app", tenant_key: "2ca1d211f64f6438" },
      body: { content: JSON.stringify({ text: message.text }) },
    };
  }

  private sentMessage(appId: string, messageId: string): LarkSentMessage | undefined {
    return this.sent.get(appId)?.find((message) => message.messageId === messageId);
  }

  /** What a chat shows: the app's messages there, in order. */
  chatMessages(appId: string, chatId: string): LarkSentMessage[] {
    return (this.sent.get(appId) ?? []).filter((message) => message.chatId === chatId);
  }

  /** Node HTTP handler for `/open-apis/*` and the `/__control/*` endpoints. */
  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(path, "http://fake");
    const raw = await readRawBody(request);
    const parsed = parseJson(raw);
    const input = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, any>;
    if (url.pathname.startsWith("/open-apis/")) {
      const answer = this.handleApi(request.method ?? "GET", url, request.headers.authorization, input);
      return sendJson(response, answer.status, answer.body, answer.headers);
    }
    const query = (name: string) => url.searchParams.get(name) ?? "";
    switch (`${request.method} ${url.pathname}`) {
      case "POST /__control/apps":
        this.addApp(input as FakeLarkApp);
        return sendJson(response, 200, { ok: true });
      case "POST /__control/expire-tokens":
        this.expireTokens(input.appId);
        return sendJson(response, 200, { ok: true });
      case "POST /__control/token-lifetime":
        this.apps.get(input.appId)!.tokenLifetimeSeconds = input.seconds;
        return sendJson(response, 200, { ok: true });
      case "POST /__control/incoming":
        this.incoming.set(input.messageId, { chatId: input.chatId, recalled: false });
        return sendJson(response, 200, { ok: true });
      case "POST /__control/recall":
        this.incoming.set(input.messageId, { chatId: this.incoming.get(input.messageId)?.chatId ?? "", recalled: true });
        return sendJson(response, 200, { ok: true });
      case "POST /__control/faults":
        this.faults.set(`${input.appId}/${input.op}`, [...(this.faults.get(`${input.appId}/${input.op}`) ?? []), ...input.responses]);
        return sendJson(response, 200, { ok: true });
      case "GET /__control/calls":
        return sendJson(response, 200, { calls: this.calls.filter((call) => call.appId === query("appId") && (!query("op") || call.op === query("op"))) });
      case "GET /__control/messages":
        return sendJson(response, 200, { messages: this.chatMessages(query("appId"), query("chatId")) });
      default:
        return sendJson(response, 404, { error: "no such fake endpoint" });
    }
  }
}

/** A short name per endpoint, for records and fault injection. */
function operationOf(method: string, path: string): string {
  if (method === "GET" && path === "/open-apis/bot/v3/info") return "bot.info";
  if (method === "POST" && path === "/open-apis/im/v1/messages") return "message.create";
  if (method === "POST" && /^\/open-apis\/im\/v1\/messages\/[^/]+\/reply$/.test(path)) return "message.reply";
  return `${method} ${path}`;
}
