// A faithful fake of the DingTalk endpoints Switchboard calls, served from Node under
// `/dingtalk/...`: the v1.0 API (`/v1.0/oauth2/accessToken`, `/v1.0/robot/oToMessages/batchSend`,
// `/v1.0/robot/groupMessages/send`) answering like api.dingtalk.com — plain JSON on success, an
// HTTP error with `{ code, message, requestid }` otherwise (`InvalidAuthentication` for a token it
// does not know or that expired) — and session webhooks (`/robot/sendBySession?session=…`)
// answering `{ errcode, errmsg }` like oapi.dingtalk.com. It records every call per app, keeps
// what each conversation shows, and expires tokens or injects failures on command.
// Plain erasable TypeScript: Node runs it directly.
import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseJson, readRawBody, sendJson } from "./fake-http.ts";

export interface FakeDingTalkApp {
  appKey: string;
  appSecret: string;
  robotCode: string;
}

export interface DingTalkSession {
  appKey: string;
  session: string;
  conversationId: string;
  /** DMs: the user the conversation is with, so batchSend lands in the same conversation. */
  staffId?: string;
  expiresAt: number;
}

export interface DingTalkCall {
  appKey: string | null;
  op: string;
  body: Record<string, any>;
  at: number;
}

export interface DingTalkPosted {
  conversationId: string;
  text: string;
  via: "session" | "batchSend" | "groupSend";
}

export interface CannedDingTalkResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

const failure = (status: number, code: string, message: string): Answer => ({ status, body: { code, message, requestid: randomUUID().toUpperCase() } });

export class FakeDingTalk {
  readonly apps = new Map<string, FakeDingTalkApp>();
  readonly calls: DingTalkCall[] = [];
  private readonly tokens = new Map<string, { appKey: string; expiresAt: number }>();
  private readonly issuedTo = new Map<string, string>();
  private readonly sessions = new Map<string, DingTalkSession>();
  private readonly faults = new Map<string, CannedDingTalkResponse[]>();
  private readonly posted = new Map<string, DingTalkPosted[]>();

  addApp(app: FakeDingTalkApp): void {
    this.apps.set(app.appKey, app);
  }

  expireTokens(appKey: string): void {
    for (const [token, entry] of this.tokens) if (entry.appKey === appKey) this.tokens.delete(token);
  }

  /** Records the call; returns the next injected failure for it, if any. */
  private record(appKey: string | null, op: string, body: Record<string, any>): CannedDingTalkResponse | undefined {
    this.calls.push({ appKey, op, body, at: Date.now() });
    return appKey ? this.faults.get(`${appKey}/${op}`)?.shift() : undefined;
  }

  private issueToken(body: Record<string, any>): Answer {
    const app = this.apps.get(String(body.appKey ?? ""));
    const fault = this.record(app?.appKey ?? null, "token", { appKey: body.appKey });
    if (fault) return fault;
    if (!app || body.appSecret !== app.appSecret) return failure(400, "invalidClientIdOrSecret", "无效的clientId或者clientSecret");
    const now = Date.now();
    // Asked again while valid, DingTalk returns the token it already issued.
    const current = [...this.tokens].find(([, entry]) => entry.appKey === app.appKey && entry.expiresAt > now);
    if (current) return { status: 200, body: { accessToken: current[0], expireIn: Math.floor((current[1].expiresAt - now) / 1000) } };
    const token = randomBytes(16).toString("hex");
    this.tokens.set(token, { appKey: app.appKey, expiresAt: now + 7200 * 1000 });
    this.issuedTo.set(token, app.appKey);
    return { status: 200, body: { accessToken: token, expireIn: 7200 } };
  }

  /** A v1.0 robot API call with `x-acs-dingtalk-access-token`. */
  private robotApi(op: "batchSend" | "groupSend", token: string | undefined, body: Record<string, any>): Answer {
    const entry = token ? this.tokens.get(token) : undefined;
    const appKey = token ? (this.issuedTo.get(token) ?? null) : null;
    if (!entry || entry.expiresAt <= Date.now()) {
      this.calls.push({ appKey, op, body, at: Date.now() });
      return failure(400, "InvalidAuthentication", "不合法的access_token");
    }
    const fault = this.record(appKey, op, body);
    if (fault) return fault;
    const app = this.apps.get(entry.appKey)!;
    if (body.robotCode !== app.robotCode) return failure(400, "resource.not.found", "robot 不存在");
    if (body.msgKey !== "sampleText") return failure(400, "param.invalid", "msgKey 不支持");
    const content = (parseJson(String(body.msgParam ?? "")) as { content?: unknown } | undefined)?.content;
    if (typeof content !== "string" || !content.trim()) return failure(400, "param.invalid", "msgParam 无效");
    const processQueryKey = randomBytes(12).toString("base64");
    if (op === "groupSend") {
      if (!body.openConversationId) return failure(400, "param.invalid", "openConversationId 为空");
      this.post(app.appKey, { conversationId: body.openConversationId, text: content, via: "groupSend" });
      return { status: 200, body: { processQueryKey } };
    }
    const userIds: string[] = Array.isArray(body.userIds) ? body.userIds : [];
    if (userIds.length === 0) return failure(400, "param.invalid", "userIds 为空");
    for (const staffId of userIds) this.post(app.appKey, { conversationId: this.dmOf(app.appKey, staffId), text: content, via: "batchSend" });
    return { status: 200, body: { processQueryKey, invalidStaffIdList: [], flowControlledStaffIdList: [] } };
  }

  private sessionWebhook(sessionId: string, body: Record<string, any>): Answer {
    const session = this.sessions.get(sessionId);
    const fault = this.record(session?.appKey ?? null, "session", body);
    if (fault) return fault;
    // The error code for an unknown or expired session is this fake's choice; the adapter treats
    // any non-zero errcode as "use the API instead".
    if (!session || session.expiresAt <= Date.now()) return { status: 200, body: { errcode: 300001, errmsg: "session 不存在或已过期" } };
    const content = body.msgtype === "text" ? body.text?.content : undefined;
    if (typeof content !== "string" || !content.trim()) return { status: 200, body: { errcode: 40035, errmsg: "缺少参数 content" } };
    this.post(session.appKey, { conversationId: session.conversationId, text: content, via: "session" });
    return { status: 200, body: { errcode: 0, errmsg: "ok" } };
  }

  private post(appKey: string, message: DingTalkPosted): void {
    this.posted.set(appKey, [...(this.posted.get(appKey) ?? []), message]);
  }

  /** The one-to-one conversation of the robot with `staffId`, as the sessions told it. */
  private dmOf(appKey: string, staffId: string): string {
    const session = [...this.sessions.values()].find((entry) => entry.appKey === appKey && entry.staffId === staffId);
    return session?.conversationId ?? `user:${staffId}`;
  }

  /** Node HTTP handler for the APIs, the session webhooks and the `/__control/*` endpoints. */
  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(path, "http://fake");
    const parsed = parseJson(await readRawBody(request));
    const input = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, any>;
    const token = request.headers["x-acs-dingtalk-access-token"];
    const reply = (answer: Answer) => sendJson(response, answer.status, answer.body, answer.headers);
    const query = (name: string) => url.searchParams.get(name) ?? "";
    switch (`${request.method} ${url.pathname}`) {
      case "POST /v1.0/oauth2/accessToken":
        return reply(this.issueToken(input));
      case "POST /v1.0/robot/oToMessages/batchSend":
        return reply(this.robotApi("batchSend", typeof token === "string" ? token : undefined, input));
      case "POST /v1.0/robot/groupMessages/send":
        return reply(this.robotApi("groupSend", typeof token === "string" ? token : undefined, input));
      case "POST /robot/sendBySession":
        return reply(this.sessionWebhook(query("session"), input));
      case "POST /__control/apps":
        this.addApp(input as FakeDingTalkApp);
        return sendJson(response, 200, { ok: true });
      case "POST /__control/expire-tokens":
        this.expireTokens(input.appKey);
        return sendJson(response, 200, { ok: true });
      case "POST /__control/sessions":
        this.sessions.set(input.session, input as DingTalkSession);
        return sendJson(response, 200, { ok: true });
      case "POST /__control/faults":
        this.faults.set(`${input.appKey}/${input.op}`, [...(this.faults.get(`${input.appKey}/${input.op}`) ?? []), ...input.responses]);
        return sendJson(response, 200, { ok: true });
      case "GET /__control/calls":
        return sendJson(response, 200, { calls: this.calls.filter((call) => call.appKey === query("appKey") && (!query("op") || call.op === query("op"))) });
      case "GET /__control/messages":
        return sendJson(response, 200, { messages: (this.posted.get(query("appKey")) ?? []).filter((message) => message.conversationId === query("conversationId")) });
      default:
        return sendJson(response, 404, { code: "NotFound", message: "no such fake endpoint" });
    }
  }
}
