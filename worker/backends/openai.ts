// The `openai` backend: any OpenAI-compatible Chat Completions server (OpenAI, Ollama, vLLM,
// OpenRouter, Groq, LM Studio, Workers AI's /ai/v1 endpoint, AnythingLLM's /api/v1/openai).
// These servers are stateless, so Switchboard sends the thread's recent transcript each turn.
import * as z from "zod";
import { withDeadline } from "../core/deadline";
import { readChatStream } from "./chat-stream";
import { httpUrl, parseConfig, secretString } from "./config";
import { backendFetch, bearer, errorFromResponse, errorText, joinUrl, readJsonBody, type BackendCall } from "./http";
import { redact } from "./redact";
import { progressReporter } from "./progress";
import { stripThink } from "./think";
import { buildChatMessages, contextLimits, historyTurnsOf, transcriptFields, transcriptSettings } from "./transcript";
import { BackendError, type AgentBackend, type BackendWorkspace } from "./types";

const LABEL = "OpenAI-compatible";
const SERVICE = "the OpenAI-compatible server";
/** `test()` has no run signal of its own; the admin's "Test connection" waits 20 s. */
const TEST_TIMEOUT_MS = 15_000;

const configSchema = z.object({
  baseUrl: httpUrl,
  model: z.string().trim().min(1, "is required"),
  ...transcriptSettings,
});
type OpenAiSettings = z.infer<typeof configSchema>;

const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.union([z.string(), z.array(z.object({ type: z.string(), text: z.string().optional() })), z.null()]).optional() }),
      }),
    )
    .min(1),
});

const modelsSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

export const openaiBackend: AgentBackend = {
  kind: "openai",
  label: "OpenAI-compatible (OpenAI, Ollama, vLLM, OpenRouter, …)",
  fields: [
    {
      name: "baseUrl",
      label: "Base URL",
      type: "url",
      secret: false,
      required: true,
      help: "Up to and including /v1, e.g. https://api.openai.com/v1, https://openrouter.ai/api/v1, or your Ollama tunnel + /v1.",
    },
    { name: "apiKey", label: "API key", type: "string", secret: true, required: false, help: "Sent as a Bearer token. Leave empty for servers without auth (Ollama)." },
    { name: "model", label: "Model", type: "string", secret: false, required: true, help: "e.g. gpt-4o-mini, llama3.2, openai/gpt-4o-mini." },
    ...transcriptFields,
  ],

  historyTurns: historyTurnsOf,

  async test(workspace) {
    return withDeadline(TEST_TIMEOUT_MS, async (signal) => {
      const { settings, apiKey } = readWorkspace(workspace);
      const call: BackendCall = { service: SERVICE, secrets: [apiKey], signal };
      const response = await backendFetch(joinUrl(settings.baseUrl, "models"), { headers: { accept: "application/json", ...bearer(apiKey) } }, call);
      if (response.status === 401 || response.status === 403 || response.status === 429 || response.status >= 500) {
        throw await errorFromResponse(response, call);
      }
      if (response.ok) {
        const listed = modelsSchema.safeParse(await readJsonBody(response, call));
        if (listed.success && listed.data.data.length > 0) {
          const ids = listed.data.data.map((model) => model.id);
          if (ids.some((id) => sameModel(id, settings.model))) return;
          throw new BackendError(`${SERVICE} does not offer the model "${settings.model}" (it lists ${ids.slice(0, 8).join(", ")}${ids.length > 8 ? ", …" : ""})`);
        }
      } else {
        await response.body?.cancel();
      }
      // No usable model list (some servers have none): one tiny completion proves key, URL and model.
      await complete(settings, apiKey, [{ role: "user", content: "ping" }], call, { max_tokens: 1 });
    });
  },

  async send(request, { signal, onProgress }) {
    const { settings, apiKey } = readWorkspace(request.workspace);
    const call: BackendCall = { service: SERVICE, secrets: [apiKey], signal };
    const messages = buildChatMessages(settings.systemPrompt, request.history, request.message, contextLimits(settings));
    if (!onProgress) return { text: finalAnswer(await complete(settings, apiKey, messages, call), call) };

    const response = await postCompletion(settings, apiKey, { messages, stream: true }, call);
    // A server that ignores `stream: true` answers with plain JSON; take it as it comes.
    const raw = isEventStream(response)
      ? await readChatStream(response.body!, call, progressReporter(onProgress))
      : completionText(await readJsonBody(response, call), call);
    return { text: finalAnswer(raw, call) };
  },
};

function readWorkspace(workspace: BackendWorkspace): { settings: OpenAiSettings; apiKey: string | undefined } {
  return { settings: parseConfig(configSchema, workspace.config, LABEL), apiKey: secretString(workspace.secrets, "apiKey") };
}

/** One non-streamed completion; returns the raw answer text. */
async function complete(settings: OpenAiSettings, apiKey: string | undefined, messages: unknown[], call: BackendCall, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await postCompletion(settings, apiKey, { messages, stream: false, ...extra }, call);
  return completionText(await readJsonBody(response, call), call);
}

async function postCompletion(settings: OpenAiSettings, apiKey: string | undefined, body: Record<string, unknown>, call: BackendCall): Promise<Response> {
  const response = await backendFetch(
    joinUrl(settings.baseUrl, "chat/completions"),
    {
      method: "POST",
      headers: { "content-type": "application/json", accept: body.stream ? "text/event-stream" : "application/json", ...bearer(apiKey) },
      body: JSON.stringify({ model: settings.model, ...body }),
    },
    call,
  );
  if (!response.ok) throw await errorFromResponse(response, call);
  return response;
}

function completionText(body: unknown, call: BackendCall): string {
  const parsed = completionSchema.safeParse(body);
  if (!parsed.success) {
    // OpenRouter and some proxies answer 200 with an error object.
    const detail = errorText(body);
    throw new BackendError(`${call.service} answered without a completion${detail ? `: ${redact(detail, call.secrets)}` : ""}`);
  }
  const content = parsed.data.choices[0]!.message.content;
  if (Array.isArray(content)) return content.map((part) => part.text ?? "").join("");
  return content ?? "";
}

function finalAnswer(raw: string, call: BackendCall): string {
  const text = stripThink(raw);
  if (!text) throw new BackendError(`${call.service} returned an empty answer`);
  return text;
}

function isEventStream(response: Response): boolean {
  return (response.headers.get("content-type") ?? "").includes("text/event-stream");
}

/** Ollama lists `llama3.2:latest` for a model configured as `llama3.2`. */
function sameModel(listed: string, configured: string): boolean {
  return listed === configured || listed === `${configured}:latest` || `${listed}:latest` === configured;
}
