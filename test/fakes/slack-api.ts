// A faithful fake of the Slack Web API (the methods Switchboard calls), served from Node under
// `/slack/api/<method>`. It answers like Slack — HTTP 200 with `{ ok: true, … }` or
// `{ ok: false, error }`, HTTP 429 with Retry-After when rate limited — reads the bot token from
// the Authorization header (JSON bodies) or a `token` form field, records every call per token,
// keeps the messages each bot posted (with edits), and can inject failures.
// Plain erasable TypeScript: Node runs it directly.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseJson, readRawBody, sendJson } from "./fake-http.ts";

export interface FakeSlackBot {
  token: string;
  teamId: string;
  team: string;
  /** The bot user (`U…`) and the bot (`B…`), as auth.test reports them. */
  userId: string;
  botId: string;
  name: string;
}

export interface SlackCall {
  token: string | null;
  method: string;
  params: Record<string, unknown>;
  at: number;
}

export interface SlackMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  edits: number;
}

export interface CannedSlackResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Slack truncates longer messages; the API refuses them outright. */
const MAX_TEXT = 40_000;
const CHANNEL_ID = /^[CDG][A-Z0-9]{2,}$/;

export class FakeSlack {
  /** Socket Mode (slack-socket.ts), when a test runs it: `apps.connections.open` asks it. */
  socketMode: { open(token: string | null): Record<string, unknown> } | null = null;
  readonly bots = new Map<string, FakeSlackBot>();
  readonly calls: SlackCall[] = [];
  private readonly faults = new Map<string, CannedSlackResponse[]>();
  private readonly messages = new Map<string, SlackMessage[]>();
  private tsCounter = 0;

  addBot(bot: FakeSlackBot): void {
    this.bots.set(bot.token, bot);
  }

  /** Queues responses `method` returns for `token` before behaving normally again. */
  addFaults(token: string, method: string, responses: CannedSlackResponse[]): void {
    const key = `${token}/${method}`;
    this.faults.set(key, [...(this.faults.get(key) ?? []), ...responses]);
  }

  /** Answers one Web API call. */
  handleApi(token: string | null, method: string, params: Record<string, unknown>): CannedSlackResponse {
    this.calls.push({ token, method, params, at: Date.now() });
    const fault = token ? this.faults.get(`${token}/${method}`)?.shift() : undefined;
    if (fault) return fault;
    // The one method of app-level tokens (xapp-), not of bot tokens.
    if (method === "apps.connections.open") return this.socketMode ? ok(this.socketMode.open(token)) : failure("invalid_auth");
    if (!token) return failure("not_authed");
    const bot = this.bots.get(token);
    if (!bot) return failure("invalid_auth");
    switch (method) {
      case "auth.test":
        return ok({ url: `https://${bot.team.toLowerCase()}.slack.com/`, team: bot.team, user: bot.name, team_id: bot.teamId, user_id: bot.userId, bot_id: bot.botId, is_enterprise_install: false });
      case "chat.postMessage":
        return this.postMessage(bot, params);
      case "chat.update":
        return this.update(bot, params);
      default:
        return { status: 404, body: { ok: false, error: "unknown_method", req_method: method } };
    }
  }

  private postMessage(bot: FakeSlackBot, params: Record<string, unknown>): CannedSlackResponse {
    const channel = String(params.channel ?? "");
    if (!CHANNEL_ID.test(channel)) return failure("channel_not_found");
    const text = typeof params.text === "string" ? params.text : "";
    if (text.trim() === "") return failure("no_text");
    if (text.length > MAX_TEXT) return failure("msg_too_long");
    const threadTs = typeof params.thread_ts === "string" && params.thread_ts ? params.thread_ts : undefined;
    const ts = this.nextTs();
    const list = this.messages.get(bot.token) ?? [];
    list.push({ channel, ts, threadTs, text, edits: 0 });
    this.messages.set(bot.token, list);
    return ok({ channel, ts, message: this.message(bot, ts, text, threadTs) });
  }

  private update(bot: FakeSlackBot, params: Record<string, unknown>): CannedSlackResponse {
    const channel = String(params.channel ?? "");
    if (!CHANNEL_ID.test(channel)) return failure("channel_not_found");
    const original = this.messages.get(bot.token)?.find((message) => message.channel === channel && message.ts === params.ts);
    if (!original) return failure("message_not_found");
    const text = typeof params.text === "string" ? params.text : "";
    if (text.trim() === "") return failure("no_text");
    if (text.length > MAX_TEXT) return failure("msg_too_long");
    original.text = text;
    original.edits += 1;
    return ok({ channel, ts: original.ts, text, message: this.message(bot, original.ts, text, original.threadTs) });
  }

  private message(bot: FakeSlackBot, ts: string, text: string, threadTs?: string) {
    return { type: "message", user: bot.userId, bot_id: bot.botId, app_id: "A0FAKEAPP1", text, ts, team: bot.teamId, ...(threadTs ? { thread_ts: threadTs } : {}) };
  }

  /** Unique, increasing `seconds.micros` timestamps, as Slack's message ids are. */
  private nextTs(): string {
    this.tsCounter = (this.tsCounter + 1) % 1_000_000;
    return `${Math.floor(Date.now() / 1000)}.${String(this.tsCounter).padStart(6, "0")}`;
  }

  /** What a channel shows: the bot's messages there in order, with their current (edited) text. */
  channelMessages(token: string, channel: string): SlackMessage[] {
    return (this.messages.get(token) ?? []).filter((message) => message.channel === channel);
  }

  /** Node HTTP handler for `/api/<method>` and the `/__control/*` endpoints. */
  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(path, "http://fake");
    const raw = await readRawBody(request);
    const api = /^\/api\/([a-zA-Z.]+)$/.exec(url.pathname);
    if (api) {
      const { token, params } = readCall(request, url, raw);
      const result = this.handleApi(token, api[1]!, params);
      return sendJson(response, result.status, result.body, result.headers);
    }
    const input = (parseJson(raw) ?? {}) as Record<string, any>;
    const query = (name: string) => url.searchParams.get(name) ?? "";
    switch (`${request.method} ${url.pathname}`) {
      case "POST /__control/bots":
        this.addBot(input as FakeSlackBot);
        return sendJson(response, 200, { ok: true });
      case "GET /__control/calls":
        return sendJson(response, 200, { calls: this.calls.filter((call) => call.token === query("token") && (!query("method") || call.method === query("method"))) });
      case "GET /__control/messages":
        return sendJson(response, 200, { messages: this.channelMessages(query("token"), query("channel")) });
      case "POST /__control/faults":
        this.addFaults(input.token, input.method, input.responses);
        return sendJson(response, 200, { ok: true });
      default:
        return sendJson(response, 404, { error: "no such fake endpoint" });
    }
  }
}

/** Slack takes the token from the Authorization header; form bodies may carry it as `token`. */
function readCall(request: IncomingMessage, url: URL, raw: string): { token: string | null; params: Record<string, unknown> } {
  const bearer = /^Bearer (\S+)$/.exec(request.headers.authorization ?? "")?.[1] ?? null;
  const type = request.headers["content-type"] ?? "";
  if (type.includes("application/json")) {
    const parsed = parseJson(raw);
    return { token: bearer, params: typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {} };
  }
  const params: Record<string, unknown> = Object.fromEntries(new URLSearchParams(type.includes("x-www-form-urlencoded") ? raw : url.search));
  const token = bearer ?? (typeof params.token === "string" ? params.token : null);
  delete params.token;
  return { token, params };
}

function ok(body: Record<string, unknown>): CannedSlackResponse {
  return { status: 200, body: { ok: true, ...body } };
}

function failure(error: string): CannedSlackResponse {
  return { status: 200, body: { ok: false, error } };
}
