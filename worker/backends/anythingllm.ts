// The `anythingllm` backend: the AnythingLLM / RealTimeX developer API. The backend keeps the
// history: each Switchboard thread maps to one AnythingLLM workspace thread (its slug is the
// thread's backendRef), so conversations also show up in the desktop app. Messages pass through
// untouched — `@agent …` runs AnythingLLM's agent, slash presets expand server-side.
import * as z from "zod";
import { withDeadline } from "../core/deadline";
import { httpUrl, parseConfig, secretString } from "./config";
import { backendFetch, bearer, errorFromResponse, readJsonBody, toBackendError, type BackendCall } from "./http";
import { redact } from "./redact";
import { progressReporter } from "./progress";
import { readSse } from "./sse";
import { stripThink } from "./think";
import { BackendError, type AgentBackend, type AgentRequest, type BackendWorkspace } from "./types";

const LABEL = "AnythingLLM / RealTimeX";
const SERVICE = "AnythingLLM";
/** createThread and test have no run signal; neither should hang a chat command for long. */
const SHORT_CALL_TIMEOUT_MS = 15_000;

const configSchema = z.object({
  baseUrl: httpUrl.transform(instanceRoot),
  workspaceSlug: z.string().trim().min(1, "is required"),
  mode: z.preprocess((value) => (value === "" || value === null ? undefined : value), z.enum(["chat", "query", "automatic"]).optional()),
});
type AnythingSettings = z.infer<typeof configSchema>;

/** Sync answers and stream chunks share one shape; `error` is null, false or a message. */
const chunkSchema = z.object({
  type: z.string(),
  textResponse: z.string().nullish(),
  error: z.union([z.string(), z.boolean(), z.null()]).optional(),
  close: z.boolean().optional(),
});
type Chunk = z.infer<typeof chunkSchema>;

const newThreadSchema = z.object({
  thread: z.object({ slug: z.string().min(1) }).nullable(),
  message: z.string().nullish(),
});

export const anythingLlmBackend: AgentBackend = {
  kind: "anythingllm",
  label: "AnythingLLM / RealTimeX",
  fields: [
    {
      name: "baseUrl",
      label: "Instance URL",
      type: "url",
      secret: false,
      required: true,
      help: "The instance root, e.g. https://anythingllm.example.com or your tunnel to http://localhost:3001 (RealTimeX Desktop). Must be reachable from Cloudflare.",
    },
    { name: "apiKey", label: "API key", type: "string", secret: true, required: true, help: "From the instance: Settings → Developer API → Generate new API key." },
    { name: "workspaceSlug", label: "Workspace slug", type: "string", secret: false, required: true, help: "The slug in the workspace URL, e.g. my-workspace." },
    {
      name: "mode",
      label: "Chat mode",
      type: "string",
      secret: false,
      required: false,
      help: "Empty: the workspace's own setting (older instances default to query).",
      options: ["chat", "query", "automatic"],
    },
  ],

  async test(workspace) {
    return withDeadline(SHORT_CALL_TIMEOUT_MS, async (signal) => {
      const { settings, call, headers } = prepare(workspace, signal);
      const auth = await backendFetch(`${settings.baseUrl}/api/v1/auth`, { headers }, call);
      if (!auth.ok) throw await errorFromResponse(auth, call);
      await auth.body?.cancel();
      const found = await backendFetch(workspaceUrl(settings), { headers }, call);
      if (!found.ok) throw await errorFromResponse(found, call);
      // Current builds answer { workspace: [] } for an unknown slug, older ones { workspace: null }.
      const body = (await readJsonBody(found, call)) as { workspace?: unknown };
      const exists = Array.isArray(body?.workspace) ? body.workspace.length > 0 : Boolean(body?.workspace);
      if (!exists) throw new BackendError(`${SERVICE} has no workspace with the slug "${settings.workspaceSlug}"`);
    });
  },

  async createThread(workspace, title) {
    return withDeadline(SHORT_CALL_TIMEOUT_MS, async (signal) => {
      const { settings, call, headers } = prepare(workspace, signal);
      const response = await backendFetch(
        `${workspaceUrl(settings)}/thread/new`,
        { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ name: title }) },
        call,
      );
      // thread/new answers a bare 400 when the workspace does not exist.
      if (response.status === 400) throw new BackendError(`${SERVICE} has no workspace with the slug "${settings.workspaceSlug}" (400 on thread/new)`);
      if (!response.ok) throw await errorFromResponse(response, call);
      const parsed = newThreadSchema.safeParse(await readJsonBody(response, call));
      if (!parsed.success) throw new BackendError(`${SERVICE} answered thread/new without a thread`);
      // A slug collision is not an HTTP error: 200 with thread null and the database's message.
      if (!parsed.data.thread) {
        throw new BackendError(`${SERVICE} did not create the thread: ${redact(parsed.data.message || "no reason given", call.secrets)}`);
      }
      return parsed.data.thread.slug;
    });
  },

  async send(request, { signal, onProgress }) {
    const { settings, call, headers } = prepare(request.workspace, signal);
    const streaming = onProgress !== undefined;
    const response = await backendFetch(
      `${chatUrl(settings, request)}/${streaming ? "stream-chat" : "chat"}`,
      {
        method: "POST",
        headers: { ...headers, "content-type": "application/json", accept: streaming ? "text/event-stream" : "application/json" },
        body: JSON.stringify(chatBody(settings, request)),
      },
      call,
    );
    if (!response.ok) throw await errorFromResponse(response, call);
    const raw = (response.headers.get("content-type") ?? "").includes("text/event-stream")
      ? await readAnswerStream(response.body!, call, progressReporter(onProgress))
      : syncAnswer(await readJsonBody(response, call), call);
    const text = stripThink(raw);
    if (!text) throw new BackendError(`${SERVICE} returned an empty answer`);
    return { text };
  },
};

function prepare(workspace: BackendWorkspace, signal: AbortSignal) {
  const settings = parseConfig(configSchema, workspace.config, LABEL);
  const apiKey = secretString(workspace.secrets, "apiKey");
  if (!apiKey) throw new BackendError(`${LABEL} settings are incomplete or invalid: apiKey: is required`);
  const call: BackendCall = { service: SERVICE, secrets: [apiKey], signal };
  return { settings, call, headers: { accept: "application/json", ...bearer(apiKey) } };
}

function workspaceUrl(settings: AnythingSettings): string {
  return `${settings.baseUrl}/api/v1/workspace/${encodeURIComponent(settings.workspaceSlug)}`;
}

/**
 * The thread's chat endpoint. A thread created before this workspace used AnythingLLM has no
 * backend thread and send() cannot store one, so it talks to the workspace endpoint instead with
 * the Switchboard thread id as `sessionId`, which partitions the history the same way.
 */
function chatUrl(settings: AnythingSettings, request: AgentRequest): string {
  const ref = request.thread.backendRef;
  return ref ? `${workspaceUrl(settings)}/thread/${encodeURIComponent(ref)}` : workspaceUrl(settings);
}

function chatBody(settings: AnythingSettings, request: AgentRequest): Record<string, unknown> {
  return {
    message: request.message,
    ...(settings.mode ? { mode: settings.mode } : {}),
    ...(request.thread.backendRef ? {} : { sessionId: request.thread.id }),
  };
}

function syncAnswer(body: unknown, call: BackendCall): string {
  const chunk = chunkSchema.safeParse(body);
  if (!chunk.success) throw new BackendError(`${SERVICE} answered without a textResponse`);
  failOnError(chunk.data, call);
  return chunk.data.textResponse ?? "";
}

/**
 * Reads a stream-chat answer: `textResponseChunk` tokens append; `textResponse` (agent replies,
 * query-mode refusals) and a `finalizeResponseStream` carrying text give the whole answer;
 * `agentThought`, `fileDownload` and `usageMetrics` are not part of it. There is no `[DONE]`
 * (RealTimeX may send one): the stream is complete once a chunk says `close: true`, and it is
 * read to its end because several chunks may say so (an agent's reply, then the finalize).
 */
async function readAnswerStream(body: ReadableStream<Uint8Array>, call: BackendCall, onText: (rawSoFar: string) => void): Promise<string> {
  let text = "";
  let closed = false;
  try {
    for await (const event of readSse(body, call.signal)) {
      const data = event.data.trim();
      if (data === "[DONE]") {
        closed = true;
        break;
      }
      if (event.event === "error") throw new BackendError(`${SERVICE} reported an error: ${redact(data, call.secrets)}`);
      const chunk = parseChunk(data);
      if (!chunk) continue;
      failOnError(chunk, call);
      const before = text;
      if (chunk.type === "textResponseChunk") text += chunk.textResponse ?? "";
      else if ((chunk.type === "textResponse" || chunk.type === "finalizeResponseStream") && chunk.textResponse) text = chunk.textResponse;
      if (chunk.close) closed = true;
      if (text !== before) onText(text);
    }
  } catch (error) {
    throw toBackendError(error, call, "the answer stream broke off");
  }
  if (!closed) throw new BackendError(`${SERVICE}: the answer stream ended before the answer was complete`);
  return text;
}

function parseChunk(data: string): Chunk | null {
  try {
    const parsed = chunkSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function failOnError(chunk: Chunk, call: BackendCall): void {
  const reason = typeof chunk.error === "string" && chunk.error ? chunk.error : null;
  if (chunk.type === "abort" || reason) {
    throw new BackendError(`${SERVICE} aborted the answer: ${redact(reason ?? "no reason given", call.secrets)}`);
  }
}

/** People paste the instance URL with or without /api or /api/v1; paths are added here. */
function instanceRoot(url: string): string {
  return url.replace(/\/+$/, "").replace(/\/api(?:\/v1)?$/i, "");
}
