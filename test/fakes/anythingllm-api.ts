// A faithful fake of the AnythingLLM / RealTimeX developer API (the subset Switchboard uses),
// served from Node under `/anythingllm/<scope>/api/v1/...`; a scope is one instance with its own
// key, workspaces and threads. Shapes follow AnythingLLM's server code: 403 `{ error: "No valid
// api key found." }`; thread/new answering a bare 400 for an unknown workspace and 200 with
// `thread: null` on a slug collision; abort-shaped 400s on chat routes; stream-chat as
// `data: {json}` events — `textResponseChunk` tokens (id in `uuid`), a `finalizeResponseStream`
// with `close: true`, no `[DONE]`; `@agent` runs streaming `agentThought`s, then a
// `textResponse` and a finalize that both carry the full text; query mode refusing without
// documents. Threads keep their history (GET …/chats). Plain erasable TypeScript.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseJson, readRawBody, sendJson, sendText, sleep, SseWriter, splitText } from "./fake-http.ts";

export interface AnythingScope {
  apiKey: string;
  /** Workspace slugs that exist. */
  workspaces: string[];
  /** The workspaces' chatMode, used when a request has no `mode`. */
  chatMode: "chat" | "query" | "automatic";
  /** A fixed answer; by default `AnythingLLM <workspace>/<thread or session> heard: <message>`. */
  reply?: string;
  chunkDelayMs: number;
  /** false: a provider without streaming (one textResponseChunk with `close: true`). */
  providerStreams: boolean;
}

export type AnythingFault =
  | { status: number; body?: unknown }
  | { delayMs: number }
  /** Streams some tokens, then an abort chunk (sync routes answer 200 with an abort body). */
  | { abort: string; afterChunks?: number }
  | { dropAfterChunks: number }
  /** thread/new answers 200 with `thread: null`, as on a slug collision. */
  | { nullThread: string };

export interface AnythingCall {
  scope: string;
  method: string;
  route: string;
  path: string;
  authorization: string | null;
  body: unknown;
  at: number;
}

interface HistoryItem {
  role: "user" | "assistant";
  content: string;
  sentAt: number;
}

interface FakeThread {
  id: number;
  name: string;
  slug: string;
  workspace: string;
  history: HistoryItem[];
}

const DEFAULT_SCOPE: AnythingScope = { apiKey: "anything-test-key", workspaces: ["support"], chatMode: "chat", chunkDelayMs: 10, providerStreams: true };
const VALID_MODES = new Set(["chat", "query", "automatic"]);
const QUERY_REFUSAL = "There is no relevant information in this workspace to answer your query.";

export class FakeAnythingLlm {
  readonly scopes = new Map<string, AnythingScope>();
  readonly calls: AnythingCall[] = [];
  /** Threads by `<scope>/<workspace>/<thread slug>`. */
  readonly threads = new Map<string, FakeThread>();
  /** Workspace-chat histories by `<scope>/<workspace>/<sessionId>`. */
  readonly sessions = new Map<string, HistoryItem[]>();
  private readonly faults = new Map<string, AnythingFault[]>();
  private nextId = 1;

  configure(scope: string, options: Partial<AnythingScope>): void {
    this.scopes.set(scope, { ...DEFAULT_SCOPE, ...options });
  }

  addFaults(scope: string, route: string, faults: AnythingFault[]): void {
    const key = `${scope}/${route}`;
    this.faults.set(key, [...(this.faults.get(key) ?? []), ...faults]);
  }

  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(path, "http://fake");
    const raw = await readRawBody(request);
    if (url.pathname.startsWith("/__control/")) return this.control(`${request.method} ${url.pathname}`, url, parseJson(raw), response);

    const match = /^\/([^/]+)\/api(\/v1\/.*)$/.exec(url.pathname);
    const scopeName = match?.[1] ?? "";
    const scope = this.scopes.get(scopeName);
    // Express answers unknown paths with an HTML page.
    if (!match || !scope) return sendText(response, 404, `<!DOCTYPE html><html><body><pre>Cannot ${request.method} ${url.pathname}</pre></body></html>`, "text/html; charset=utf-8");
    const apiPath = match[2]!;
    const route = routeName(request.method ?? "GET", apiPath);
    const body = parseJson(raw);
    this.calls.push({ scope: scopeName, method: request.method ?? "GET", route, path: apiPath, authorization: request.headers.authorization ?? null, body, at: Date.now() });

    const fault = this.faults.get(`${scopeName}/${route}`)?.shift();
    if (fault && "status" in fault) return fault.body === undefined ? sendText(response, fault.status, "Internal Server Error") : sendJson(response, fault.status, fault.body);
    if (fault && "delayMs" in fault) await sleep(fault.delayMs);
    if (response.destroyed) return;

    // validApiKey: the second token of the Authorization header must be a known key.
    const key = (request.headers.authorization ?? "").split(" ")[1];
    if (key !== scope.apiKey) return sendJson(response, 403, { error: "No valid api key found." });

    const params = apiPath.split("/").slice(2).map(decodeURIComponent);
    switch (route) {
      case "auth":
        return sendJson(response, 200, { authenticated: true });
      case "workspace":
        return this.getWorkspace(scopeName, scope, params[1]!, response);
      case "thread/new":
        return this.newThread(scopeName, scope, params[1]!, body, response, fault);
      case "thread/chats":
        return this.threadChats(scopeName, scope, params[1]!, params[3]!, response);
      case "thread/chat":
      case "thread/stream-chat":
      case "workspace/chat":
      case "workspace/stream-chat":
        return this.chat(scopeName, scope, route, params, body, response, fault);
      default:
        return sendText(response, 404, `<!DOCTYPE html><html><body><pre>Cannot ${request.method} /api${apiPath}</pre></body></html>`, "text/html; charset=utf-8");
    }
  }

  private getWorkspace(scopeName: string, scope: AnythingScope, slug: string, response: ServerResponse): void {
    if (!scope.workspaces.includes(slug)) return sendJson(response, 200, { workspace: [] });
    const threads = [...this.threads.entries()].filter(([key]) => key.startsWith(`${scopeName}/${slug}/`)).map(([, thread]) => thread);
    sendJson(response, 200, {
      workspace: [{ id: 1, name: slug, slug, chatMode: scope.chatMode, openAiHistory: 20, documents: [], threads: threads.map((thread) => ({ user_id: null, slug: thread.slug })) }],
    });
  }

  private newThread(scopeName: string, scope: AnythingScope, workspace: string, body: unknown, response: ServerResponse, fault: AnythingFault | undefined): void {
    if (!scope.workspaces.includes(workspace)) return sendText(response, 400, "Bad Request");
    const input = (body ?? {}) as { name?: unknown; slug?: unknown };
    if (fault && "nullThread" in fault) return sendJson(response, 200, { thread: null, message: fault.nullThread });
    const slug = typeof input.slug === "string" && input.slug ? input.slug.toLowerCase().replace(/[^a-z0-9]+/g, "-") : randomUUID();
    const key = `${scopeName}/${workspace}/${slug}`;
    if (this.threads.has(key)) {
      return sendJson(response, 200, { thread: null, message: "\nInvalid `prisma.workspace_threads.create()` invocation:\n\n\nUnique constraint failed on the fields: (`slug`)" });
    }
    const thread: FakeThread = { id: this.nextId++, name: typeof input.name === "string" && input.name ? input.name : "Thread", slug, workspace, history: [] };
    this.threads.set(key, thread);
    sendJson(response, 200, { thread: { id: thread.id, name: thread.name, slug, user_id: null, workspace_id: 1 }, message: null });
  }

  private threadChats(scopeName: string, scope: AnythingScope, workspace: string, threadSlug: string, response: ServerResponse): void {
    const thread = scope.workspaces.includes(workspace) ? this.threads.get(`${scopeName}/${workspace}/${threadSlug}`) : undefined;
    if (!thread) return sendText(response, 400, "Bad Request");
    sendJson(response, 200, { history: thread.history });
  }

  private async chat(scopeName: string, scope: AnythingScope, route: string, params: string[], body: unknown, response: ServerResponse, fault: AnythingFault | undefined): Promise<void> {
    const workspace = params[1]!;
    const threadSlug = route.startsWith("thread/") ? params[3]! : null;
    const input = (body ?? {}) as { message?: unknown; mode?: unknown; sessionId?: unknown };
    const abortBody = (error: string) => ({ id: randomUUID(), type: "abort", textResponse: null, sources: [], close: true, error });

    let history: HistoryItem[];
    if (threadSlug !== null) {
      const thread = scope.workspaces.includes(workspace) ? this.threads.get(`${scopeName}/${workspace}/${threadSlug}`) : undefined;
      if (!thread) return sendJson(response, 400, abortBody(`Workspace ${workspace} or thread ${threadSlug} is not valid.`));
      history = thread.history;
    } else {
      if (!scope.workspaces.includes(workspace)) return sendJson(response, 400, abortBody(`Workspace ${workspace} is not a valid workspace.`));
      const sessionKey = `${scopeName}/${workspace}/${typeof input.sessionId === "string" ? input.sessionId : ""}`;
      history = this.sessions.get(sessionKey) ?? [];
      this.sessions.set(sessionKey, history);
    }
    const message = typeof input.message === "string" ? input.message : "";
    const mode = typeof input.mode === "string" ? input.mode : scope.chatMode;
    if (!message.length || !VALID_MODES.has(mode)) return sendJson(response, 400, abortBody(!message.length ? "Message is empty" : `${mode} is not a valid mode.`));

    const uuid = randomUUID();
    const isAgent = /^@agent\b/.test(message);
    const where = threadSlug ?? (typeof input.sessionId === "string" ? `session:${input.sessionId}` : "default");
    const answer = isAgent
      ? `Agent finished: ${message.replace(/^@agent\s*/, "") || "Hello! How can I help?"}`
      : mode === "query"
        ? QUERY_REFUSAL
        : (scope.reply ?? `AnythingLLM ${workspace}/${where} heard: ${message}`);
    const stored = () => {
      history.push({ role: "user", content: message, sentAt: Math.floor(Date.now() / 1000) }, { role: "assistant", content: answer, sentAt: Math.floor(Date.now() / 1000) });
    };

    if (!route.endsWith("stream-chat")) {
      if (fault && "abort" in fault) return sendJson(response, 200, { ...abortBody(fault.abort), metrics: {} });
      stored();
      return sendJson(response, 200, {
        id: uuid,
        type: "textResponse",
        close: true,
        error: null,
        chatId: this.nextId++,
        textResponse: answer,
        sources: [],
        metrics: { completionTokens: 5, promptTokens: 20, totalTokens: 25, duration: 0.2, outputTps: 25 },
        ...(isAgent ? { thoughts: ["Agent @agent invoked."], outputs: [] } : {}),
      });
    }

    const writer = new SseWriter(response, { delayMs: scope.chunkDelayMs });
    writer.start();
    if (isAgent) {
      await writer.data({ id: uuid, type: "agentThought", thought: "Agent @agent invoked.", sources: [], attachments: [], close: false, error: null, animate: true });
      await writer.data({ id: uuid, type: "agentThought", thought: "Looking things up…", sources: [], attachments: [], close: false, error: null, animate: true });
      await writer.data({ id: uuid, type: "textResponse", textResponse: answer, sources: [], attachments: [], close: true, error: null, animate: false });
      stored();
      await writer.data({ uuid, type: "finalizeResponseStream", textResponse: answer, thoughts: ["Agent @agent invoked."], outputs: [], sources: [], close: true, error: false, metrics: {} });
      return writer.end();
    }
    if (mode === "query") {
      await writer.data({ id: uuid, type: "textResponse", textResponse: answer, sources: [], attachments: [], close: true, error: null, metrics: {} });
      return writer.end();
    }
    if (!scope.providerStreams) {
      await writer.data({ uuid, sources: [], type: "textResponseChunk", textResponse: answer, close: true, error: false, metrics: {} });
    } else {
      for (const [index, piece] of splitText(answer, 5).entries()) {
        if (fault && "abort" in fault && index === (fault.afterChunks ?? 0)) {
          await writer.data(abortBody(fault.abort));
          return writer.end();
        }
        if (fault && "dropAfterChunks" in fault && index === fault.dropAfterChunks) return writer.destroy();
        await writer.data({ uuid, sources: [], type: "textResponseChunk", textResponse: piece, close: false, error: false });
      }
    }
    stored();
    await writer.data({ uuid, type: "finalizeResponseStream", close: true, error: false, chatId: this.nextId++, metrics: {}, sources: [] });
    writer.end();
  }

  private control(route: string, url: URL, input: unknown, response: ServerResponse): void {
    const body = (input ?? {}) as Record<string, unknown>;
    switch (route) {
      case "POST /__control/scopes":
        this.configure(String(body.scope), body as Partial<AnythingScope>);
        return sendJson(response, 200, { ok: true });
      case "POST /__control/faults":
        this.addFaults(String(body.scope), String(body.route), body.faults as AnythingFault[]);
        return sendJson(response, 200, { ok: true });
      case "GET /__control/calls": {
        const scope = url.searchParams.get("scope");
        const route = url.searchParams.get("route");
        return sendJson(response, 200, { calls: this.calls.filter((call) => call.scope === scope && (!route || call.route === route)) });
      }
      default:
        return sendJson(response, 404, { error: "no such fake endpoint" });
    }
  }
}

/** Names the developer-API route of a path, for records and faults. */
function routeName(method: string, apiPath: string): string {
  const parts = apiPath.split("/").slice(2);
  if (method === "GET" && apiPath === "/v1/auth") return "auth";
  if (parts[0] !== "workspace" || !parts[1]) return "unknown";
  if (parts.length === 2 && method === "GET") return "workspace";
  if (parts.length === 3 && method === "POST" && (parts[2] === "chat" || parts[2] === "stream-chat")) return `workspace/${parts[2]}`;
  if (parts[2] === "thread" && parts[3] === "new" && parts.length === 4 && method === "POST") return "thread/new";
  if (parts[2] === "thread" && parts.length === 5 && method === "POST" && (parts[4] === "chat" || parts[4] === "stream-chat")) return `thread/${parts[4]}`;
  if (parts[2] === "thread" && parts.length === 5 && method === "GET" && parts[4] === "chats") return "thread/chats";
  return "unknown";
}
