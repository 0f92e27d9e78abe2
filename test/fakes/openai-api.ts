// A faithful fake of an OpenAI-compatible server (the subset Switchboard uses), served from Node
// under `/openai/<scope>/v1/...`. A scope is one fake server with its own key, models and reply,
// so parallel tests never share records. It answers like OpenAI — `{ error: { message, type,
// code } }`, a masked key in 401 messages, chat completions plain or SSE-streamed in several
// delayed chunks ending in `data: [DONE]`, `/models`, `/audio/speech` with real OGG bytes — and
// can inject faults: canned statuses, slow answers, mid-stream errors, dropped connections.
// Plain erasable TypeScript: Node runs it directly.
import type { IncomingMessage, ServerResponse } from "node:http";
import { mp3Bytes, oggOpusBytes } from "./fake-audio.ts";
import { parseJson, readRawBody, sendJson, sleep, SseWriter, splitText } from "./fake-http.ts";

export interface OpenAiScope {
  /** The accepted key; null accepts requests without auth (Ollama). */
  apiKey: string | null;
  models: string[];
  /** A fixed answer; by default the fake answers `You said: <last user message>`. */
  reply?: string;
  /** Pause between streamed writes. */
  chunkDelayMs: number;
  /** "\r\n" to stream with CRLF line endings (some proxies do). */
  lineEnding: string;
  /** How the final usage chunk looks: `choices: []`, `choices: null`, or not sent. */
  usageChunk: "empty" | "null" | "none";
  /** false: /models answers 404, like servers without a model list. */
  listModels: boolean;
}

/** A one-shot behaviour for the next request to an endpoint of a scope. */
export type OpenAiFault =
  | { status: number; body?: unknown }
  | { delayMs: number }
  | { streamError: string; afterChunks: number }
  | { dropAfterChunks: number }
  | { ignoreStream: true };

export interface OpenAiCall {
  scope: string;
  method: string;
  endpoint: string;
  authorization: string | null;
  body: unknown;
  at: number;
}

type Endpoint = "chat/completions" | "models" | "audio/speech";

const DEFAULT_SCOPE: OpenAiScope = {
  apiKey: "sk-test-key",
  models: ["gpt-test"],
  chunkDelayMs: 10,
  lineEnding: "\n",
  usageChunk: "empty",
  listModels: true,
};

const CHAT_ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);
const SPEECH_FORMATS = new Set(["mp3", "opus", "aac", "flac", "wav", "pcm"]);

export class FakeOpenAi {
  readonly scopes = new Map<string, OpenAiScope>();
  readonly calls: OpenAiCall[] = [];
  private readonly faults = new Map<string, OpenAiFault[]>();
  private completionCounter = 0;

  configure(scope: string, options: Partial<OpenAiScope>): void {
    this.scopes.set(scope, { ...DEFAULT_SCOPE, ...options });
  }

  addFaults(scope: string, endpoint: string, faults: OpenAiFault[]): void {
    const key = `${scope}/${endpoint}`;
    this.faults.set(key, [...(this.faults.get(key) ?? []), ...faults]);
  }

  /** Node HTTP handler for `/<scope>/v1/<endpoint>` and `/__control/*`. */
  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(path, "http://fake");
    const raw = await readRawBody(request);
    if (url.pathname.startsWith("/__control/")) return this.control(`${request.method} ${url.pathname}`, url, parseJson(raw), response);

    const match = /^\/([^/]+)\/v1\/(chat\/completions|models|audio\/speech)$/.exec(url.pathname);
    const scopeName = match?.[1] ?? "";
    const scope = this.scopes.get(scopeName);
    if (!match || !scope) return sendJson(response, 404, { error: { message: `Unknown request URL: ${request.method} ${url.pathname}`, type: "invalid_request_error", code: "unknown_url" } });
    const endpoint = match[2] as Endpoint;
    const body = parseJson(raw);
    this.calls.push({ scope: scopeName, method: request.method ?? "GET", endpoint, authorization: request.headers.authorization ?? null, body, at: Date.now() });

    const fault = this.faults.get(`${scopeName}/${endpoint}`)?.shift();
    if (fault && "status" in fault) return sendJson(response, fault.status, fault.body ?? { error: { message: "Injected failure", type: "server_error", code: null } });
    if (fault && "delayMs" in fault) await sleep(fault.delayMs);
    if (response.destroyed) return;

    const authError = checkAuth(scope, request.headers.authorization);
    if (authError) return sendJson(response, 401, authError);

    if (endpoint === "models") return this.models(scope, request, response);
    if (request.method !== "POST") return sendJson(response, 405, { error: { message: "Method not allowed", type: "invalid_request_error" } });
    if (endpoint === "audio/speech") return speech(body, response);
    return this.chat(scope, body, response, fault);
  }

  private models(scope: OpenAiScope, request: IncomingMessage, response: ServerResponse): void {
    if (!scope.listModels || request.method !== "GET") return sendJson(response, 404, { error: "404 page not found" });
    sendJson(response, 200, {
      object: "list",
      data: scope.models.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "fake" })),
    });
  }

  private async chat(scope: OpenAiScope, body: unknown, response: ServerResponse, fault: OpenAiFault | undefined): Promise<void> {
    const request = (body ?? {}) as Record<string, unknown>;
    const invalid = validateChat(scope, request);
    if (invalid) return sendJson(response, invalid.status, invalid.body);

    const messages = request.messages as { role: string; content: string }[];
    const lastUser = [...messages].reverse().find((message) => message.role === "user");
    let reply = scope.reply ?? `You said: ${lastUser?.content ?? ""}`;
    if (typeof request.max_tokens === "number") reply = reply.split(/\s+/).slice(0, request.max_tokens).join(" ");
    const id = `chatcmpl-fake${(this.completionCounter += 1)}`;
    const created = Math.floor(Date.now() / 1000);
    const model = String(request.model);
    const usage = { prompt_tokens: JSON.stringify(messages).length >> 2, completion_tokens: reply.length >> 2, total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

    if (request.stream !== true || (fault && "ignoreStream" in fault)) {
      return sendJson(response, 200, {
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: reply, refusal: null }, logprobs: null, finish_reason: "stop" }],
        usage,
      });
    }

    const writer = new SseWriter(response, { delayMs: scope.chunkDelayMs, lineEnding: scope.lineEnding });
    writer.start();
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) => ({
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
    await writer.data(chunk({ role: "assistant", content: "" }, null));
    const pieces = splitText(reply, 5);
    for (const [index, piece] of pieces.entries()) {
      if (fault && "streamError" in fault && index === fault.afterChunks) {
        await writer.data({ error: { message: fault.streamError, type: "server_error", code: "internal_error" } });
        return writer.end();
      }
      if (fault && "dropAfterChunks" in fault && index === fault.dropAfterChunks) return writer.destroy();
      await writer.data(chunk({ content: piece }, null));
    }
    await writer.comment("keep-alive");
    await writer.data(chunk({}, "stop"));
    if (scope.usageChunk !== "none") {
      await writer.data({ id, object: "chat.completion.chunk", created, model, choices: scope.usageChunk === "empty" ? [] : null, usage });
    }
    await writer.data("[DONE]");
    writer.end();
  }

  private control(route: string, url: URL, input: unknown, response: ServerResponse): void {
    const body = (input ?? {}) as Record<string, unknown>;
    switch (route) {
      case "POST /__control/scopes":
        this.configure(String(body.scope), body as Partial<OpenAiScope>);
        return sendJson(response, 200, { ok: true });
      case "POST /__control/faults":
        this.addFaults(String(body.scope), String(body.endpoint), body.faults as OpenAiFault[]);
        return sendJson(response, 200, { ok: true });
      case "GET /__control/calls": {
        const scope = url.searchParams.get("scope");
        const endpoint = url.searchParams.get("endpoint");
        return sendJson(response, 200, { calls: this.calls.filter((call) => call.scope === scope && (!endpoint || call.endpoint === endpoint)) });
      }
      default:
        return sendJson(response, 404, { error: "no such fake endpoint" });
    }
  }
}

function checkAuth(scope: OpenAiScope, header: string | undefined): unknown {
  if (scope.apiKey === null) return null;
  const key = /^Bearer (.+)$/.exec(header ?? "")?.[1];
  if (!key) {
    return {
      error: {
        message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
        type: "invalid_request_error",
        param: null,
        code: null,
      },
    };
  }
  if (key === scope.apiKey) return null;
  // OpenAI echoes a masked form of the key it refused.
  const masked = key.length > 8 ? `${key.slice(0, 3)}${"*".repeat(key.length - 7)}${key.slice(-4)}` : "****";
  return {
    error: {
      message: `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      type: "invalid_request_error",
      param: null,
      code: "invalid_api_key",
    },
  };
}

function validateChat(scope: OpenAiScope, request: Record<string, unknown>): { status: number; body: unknown } | null {
  const invalid = (message: string, param: string | null = null) => ({ status: 400, body: { error: { message, type: "invalid_request_error", param, code: null } } });
  if (typeof request.model !== "string" || request.model === "") return invalid("you must provide a model parameter", "model");
  if (!Array.isArray(request.messages)) return invalid("Missing required parameter: 'messages'.", "messages");
  if (request.messages.length === 0) return invalid("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages");
  for (const [index, message] of (request.messages as Record<string, unknown>[]).entries()) {
    if (!CHAT_ROLES.has(String(message?.role))) return invalid(`Invalid value: '${String(message?.role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`, `messages[${index}].role`);
    if (typeof message.content !== "string") return invalid(`Invalid type for 'messages[${index}].content': expected a string.`, `messages[${index}].content`);
  }
  if (!scope.models.includes(request.model)) {
    return {
      status: 404,
      body: { error: { message: `The model \`${request.model}\` does not exist or you do not have access to it.`, type: "invalid_request_error", param: null, code: "model_not_found" } },
    };
  }
  return null;
}

function speech(body: unknown, response: ServerResponse): void {
  const request = (body ?? {}) as Record<string, unknown>;
  const invalid = (message: string, param: string) => sendJson(response, 400, { error: { message, type: "invalid_request_error", param, code: null } });
  if (typeof request.model !== "string" || !request.model) return invalid("Missing required parameter: 'model'.", "model");
  if (typeof request.input !== "string" || !request.input) return invalid("Missing required parameter: 'input'.", "input");
  if (request.input.length > 4096) return invalid(`Invalid 'input': string too long. Expected a string with maximum length 4096, but got a string with length ${request.input.length} instead.`, "input");
  if (typeof request.voice !== "string" || !request.voice) return invalid("Missing required parameter: 'voice'.", "voice");
  const format = typeof request.response_format === "string" ? request.response_format : "mp3";
  if (!SPEECH_FORMATS.has(format)) return invalid(`Invalid value: '${format}'. Supported values are: 'mp3', 'opus', 'aac', 'flac', 'wav', and 'pcm'.`, "response_format");
  const bytes = format === "opus" ? oggOpusBytes() : mp3Bytes();
  response.writeHead(200, { "content-type": format === "opus" ? "audio/ogg" : "audio/mpeg", "content-length": String(bytes.length) });
  response.end(Buffer.from(bytes));
}
