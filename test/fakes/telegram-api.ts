// A faithful fake of the Telegram Bot API (the subset Switchboard uses), served from Node.
// It answers like Telegram — `{ ok, result }` or `{ ok: false, error_code, description,
// parameters }` — validates what Telegram validates, records every call, and can inject
// failures (429 with retry_after, 5xx) and deliver updates to a registered webhook.
// Plain erasable TypeScript: Node runs it directly (scripts/bench.mjs, the browser tests).
import type { IncomingMessage, ServerResponse } from "node:http";

export interface FakeBot {
  token: string;
  id: number;
  username: string;
  firstName: string;
}

export interface RecordedCall {
  token: string;
  method: string;
  params: Record<string, unknown>;
  at: number;
}

/** A file uploaded with multipart/form-data (sendVoice), as recorded. */
export interface UploadedFile {
  filename: string;
  mime: string;
  size: number;
  /** Base64 of the bytes, so tests can compare what arrived. */
  base64: string;
}

interface CannedResponse {
  status: number;
  body: unknown;
}

interface WebhookState {
  url: string;
  secretToken?: string;
  allowedUpdates?: string[];
  lastErrorDate?: number;
  lastErrorMessage?: string;
}

export interface FakeTelegramOptions {
  /** Real Telegram requires HTTPS webhooks; local end-to-end runs register http://127.0.0.1. */
  allowHttpWebhooks?: boolean;
}

const SECRET_TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export class FakeTelegram {
  readonly bots = new Map<string, FakeBot>();
  readonly calls: RecordedCall[] = [];
  readonly webhooks = new Map<string, WebhookState>();
  readonly commands = new Map<string, unknown>();
  private readonly faults = new Map<string, CannedResponse[]>();
  private readonly options: FakeTelegramOptions;
  /** Messages the bots sent, by `<token>/<message_id>`, as the chat shows them now (after edits). */
  private readonly sent = new Map<string, { chatId: number; text: string; edits: number }>();
  private nextMessageId = 1000;

  constructor(options: FakeTelegramOptions = {}) {
    this.options = options;
  }

  addBot(bot: FakeBot): void {
    this.bots.set(bot.token, bot);
  }

  /** Queues responses that `method` returns for `token` before behaving normally again. */
  addFaults(token: string, method: string, responses: CannedResponse[]): void {
    const key = `${token}/${method}`;
    this.faults.set(key, [...(this.faults.get(key) ?? []), ...responses]);
  }

  /** Answers one Bot API request (`/bot<token>/<method>`). */
  handleApi(token: string, method: string, params: Record<string, unknown>): CannedResponse {
    this.calls.push({ token, method, params, at: Date.now() });
    const fault = this.faults.get(`${token}/${method}`)?.shift();
    if (fault) return fault;
    const bot = this.bots.get(token);
    if (!bot) return error(401, "Unauthorized");
    switch (method) {
      case "getMe":
        return ok({
          id: bot.id,
          is_bot: true,
          first_name: bot.firstName,
          username: bot.username,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case "setWebhook":
        return this.setWebhook(token, params);
      case "deleteWebhook":
        this.webhooks.delete(token);
        return ok(true);
      case "getWebhookInfo": {
        const hook = this.webhooks.get(token);
        return ok({
          url: hook?.url ?? "",
          has_custom_certificate: false,
          pending_update_count: 0,
          max_connections: 40,
          ...(hook?.allowedUpdates ? { allowed_updates: hook.allowedUpdates } : {}),
          ...(hook?.lastErrorDate ? { last_error_date: hook.lastErrorDate, last_error_message: hook.lastErrorMessage } : {}),
        });
      }
      case "setMyCommands": {
        const commands = params.commands;
        if (!Array.isArray(commands) || commands.some((item) => !/^[a-z0-9_]{1,32}$/.test(String(item?.command)))) {
          return error(400, "Bad Request: BOT_COMMAND_INVALID");
        }
        this.commands.set(token, commands);
        return ok(true);
      }
      case "sendChatAction":
        if (params.chat_id === undefined) return error(400, "Bad Request: chat_id is empty");
        return ok(true);
      case "sendMessage":
        return this.sendMessage(bot, params);
      case "editMessageText":
        return this.editMessageText(bot, params);
      case "sendVoice":
        return this.sendVoice(bot, params);
      default:
        return error(404, "Not Found");
    }
  }

  private setWebhook(token: string, params: Record<string, unknown>): CannedResponse {
    const url = String(params.url ?? "");
    if (url === "") {
      this.webhooks.delete(token);
      return ok(true, "Webhook was deleted");
    }
    if (!url.startsWith("https://") && !(this.options.allowHttpWebhooks && url.startsWith("http://"))) {
      return error(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
    }
    const secret = params.secret_token;
    if (secret !== undefined && !SECRET_TOKEN.test(String(secret))) {
      return error(400, "Bad Request: secret token contains unallowed characters");
    }
    const allowed = params.allowed_updates;
    this.webhooks.set(token, {
      url,
      secretToken: secret === undefined ? undefined : String(secret),
      allowedUpdates: Array.isArray(allowed) ? allowed.map(String) : this.webhooks.get(token)?.allowedUpdates,
    });
    return ok(true, "Webhook was set");
  }

  private sendMessage(bot: FakeBot, params: Record<string, unknown>): CannedResponse {
    if (params.chat_id === undefined || params.chat_id === "") return error(400, "Bad Request: chat_id is empty");
    const text = typeof params.text === "string" ? params.text : "";
    if (text.trim() === "") return error(400, "Bad Request: message text is empty");
    if ([...text].length > 4096) return error(400, "Bad Request: message is too long");
    const chatId = Number(params.chat_id);
    const messageId = this.nextMessageId++;
    this.sent.set(`${bot.token}/${messageId}`, { chatId, text, edits: 0 });
    return ok(this.message(bot, messageId, chatId, { text }));
  }

  private editMessageText(bot: FakeBot, params: Record<string, unknown>): CannedResponse {
    const text = typeof params.text === "string" ? params.text : "";
    if (text.trim() === "") return error(400, "Bad Request: message text is empty");
    if ([...text].length > 4096) return error(400, "Bad Request: MESSAGE_TOO_LONG");
    const key = `${bot.token}/${Number(params.message_id)}`;
    const original = this.sent.get(key);
    if (!original || original.chatId !== Number(params.chat_id)) return error(400, "Bad Request: message to edit not found");
    if (original.text === text) {
      return error(400, "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message");
    }
    original.text = text;
    original.edits += 1;
    return ok(this.message(bot, Number(params.message_id), original.chatId, { text, edit_date: Math.floor(Date.now() / 1000) }));
  }

  private sendVoice(bot: FakeBot, params: Record<string, unknown>): CannedResponse {
    if (params.chat_id === undefined || params.chat_id === "") return error(400, "Bad Request: chat_id is empty");
    const voice = params.voice as UploadedFile | string | undefined;
    if (!voice) return error(400, "Bad Request: there is no voice in the request");
    if (typeof voice === "object" && !["audio/ogg", "audio/mpeg", "audio/mp4"].includes(voice.mime.split(";")[0]!)) {
      return error(400, "Bad Request: VOICE_MESSAGES_FORBIDDEN_FORMAT");
    }
    const chatId = Number(params.chat_id);
    const size = typeof voice === "object" ? voice.size : 0;
    return ok(this.message(bot, this.nextMessageId++, chatId, { voice: { duration: 1, mime_type: "audio/ogg", file_id: "voice", file_unique_id: "v", file_size: size } }));
  }

  private message(bot: FakeBot, messageId: number, chatId: number, content: Record<string, unknown>) {
    return {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: chatId > 0 ? "private" : "supergroup" },
      from: { id: bot.id, is_bot: true, first_name: bot.firstName, username: bot.username },
      ...content,
    };
  }

  /** What a chat shows: the bot's text messages in order, each with its current (edited) text. */
  chatMessages(token: string, chatId: number): { messageId: number; text: string; edits: number }[] {
    return [...this.sent.entries()]
      .filter(([key, message]) => key.startsWith(`${token}/`) && message.chatId === chatId)
      .map(([key, message]) => ({ messageId: Number(key.slice(key.lastIndexOf("/") + 1)), text: message.text, edits: message.edits }))
      .sort((a, b) => a.messageId - b.messageId);
  }

  /** Marks the webhook as failing, the way getWebhookInfo reports delivery errors. */
  setWebhookError(token: string, message: string): void {
    const hook = this.webhooks.get(token);
    if (hook) Object.assign(hook, { lastErrorDate: Math.floor(Date.now() / 1000), lastErrorMessage: message });
  }

  /** Delivers an update to the bot's webhook as Telegram does (with the secret header). */
  async deliver(token: string, update: unknown): Promise<number> {
    const hook = this.webhooks.get(token);
    if (!hook) throw new Error("no webhook registered for this bot");
    const response = await fetch(hook.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(hook.secretToken ? { "x-telegram-bot-api-secret-token": hook.secretToken } : {}),
      },
      body: JSON.stringify(update),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** Node HTTP handler for `/bot<token>/<method>` and the `/__control/*` endpoints. */
  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(path, "http://fake");
    const raw = await readBody(request);
    const body = raw.toString("utf8");
    const api = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (api) {
      const params = { ...Object.fromEntries(url.searchParams), ...(await parseParams(request.headers["content-type"], raw)) };
      const result = this.handleApi(decodeURIComponent(api[1]!), api[2]!, params);
      return send(response, result.status, result.body);
    }
    const input = body ? JSON.parse(body) : {};
    switch (`${request.method} ${url.pathname}`) {
      case "POST /__control/bots":
        this.addBot(input as FakeBot);
        return send(response, 200, { ok: true });
      case "GET /__control/calls": {
        const token = url.searchParams.get("token");
        const method = url.searchParams.get("method");
        const calls = this.calls.filter((call) => (!token || call.token === token) && (!method || call.method === method));
        return send(response, 200, { calls });
      }
      case "GET /__control/messages":
        return send(response, 200, { messages: this.chatMessages(url.searchParams.get("token") ?? "", Number(url.searchParams.get("chat_id"))) });
      case "POST /__control/faults":
        this.addFaults(input.token, input.method, input.responses);
        return send(response, 200, { ok: true });
      case "POST /__control/webhook-error":
        this.setWebhookError(input.token, input.message);
        return send(response, 200, { ok: true });
      case "POST /__control/deliver":
        return send(response, 200, { status: await this.deliver(input.token, input.update) });
      default:
        return send(response, 404, { error: "no such fake endpoint" });
    }
  }
}

function ok(result: unknown, description?: string): CannedResponse {
  return { status: 200, body: { ok: true, result, ...(description ? { description } : {}) } };
}

function error(code: number, description: string): CannedResponse {
  return { status: code, body: { ok: false, error_code: code, description } };
}

async function parseParams(contentType: string | undefined, raw: Buffer): Promise<Record<string, unknown>> {
  if (raw.length === 0) return {};
  const body = raw.toString("utf8");
  if (contentType?.includes("application/json")) return JSON.parse(body);
  if (contentType?.includes("multipart/form-data")) {
    // Parse uploads the way the Bot API does: fields are strings, files keep their bytes.
    const form = await new Request("http://fake/", { method: "POST", headers: { "content-type": contentType }, body: new Uint8Array(raw) }).formData();
    const params: Record<string, unknown> = {};
    for (const [key, value] of form) {
      if (typeof value === "string") params[key] = value;
      else {
        const bytes = Buffer.from(await value.arrayBuffer());
        params[key] = { filename: value.name, mime: value.type, size: bytes.length, base64: bytes.toString("base64") } satisfies UploadedFile;
      }
    }
    return params;
  }
  if (contentType?.includes("application/x-www-form-urlencoded")) {
    // Telegram accepts JSON-serialised values (arrays, objects) inside form fields.
    return Object.fromEntries(
      [...new URLSearchParams(body)].map(([key, value]) => {
        try {
          return [key, JSON.parse(value)];
        } catch {
          return [key, value];
        }
      }),
    );
  }
  return {};
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
