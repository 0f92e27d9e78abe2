// The `workers-ai` backend: a text model on Cloudflare Workers AI through the `AI` binding — no
// key, no URL, billed to the account that deploys Switchboard. Models are stateless, so
// Switchboard sends the thread's recent transcript each turn (like the `openai` backend).
import * as z from "zod";
import { withDeadline } from "../core/deadline";
import { readChatStream } from "./chat-stream";
import { optionalText, parseConfig } from "./config";
import { toBackendError, type BackendCall } from "./http";
import { progressReporter } from "./progress";
import { stripThink } from "./think";
import { buildChatMessages, contextLimits, historyTurnsOf, transcriptFields, transcriptSettings } from "./transcript";
import { BackendError, type AgentBackend, type BackendEnv } from "./types";

export const DEFAULT_WORKERS_AI_MODEL = "@cf/meta/llama-3.1-8b-instruct";
export const AI_NOT_BOUND = 'Workers AI is not bound: add [ai] binding = "AI" to wrangler.toml';
const SERVICE = "Workers AI";
const TEST_TIMEOUT_MS = 15_000;

const configSchema = z.object({ model: optionalText, ...transcriptSettings });

/** Non-streamed results: legacy `{ response }` (a string, or an object in JSON mode) or OpenAI-style choices. */
const resultSchema = z.union([
  z.object({ response: z.unknown() }).refine((value) => value.response !== undefined && value.response !== null),
  z.object({ choices: z.array(z.object({ message: z.object({ content: z.string().nullish() }) })).min(1) }),
]);

export const workersAiBackend: AgentBackend = {
  kind: "workers-ai",
  label: "Cloudflare Workers AI",
  fields: [
    {
      name: "model",
      label: "Model",
      type: "string",
      secret: false,
      required: false,
      help: `A Workers AI text-generation model, default ${DEFAULT_WORKERS_AI_MODEL}. Needs the AI binding in wrangler.toml.`,
    },
    ...transcriptFields,
  ],

  historyTurns: historyTurnsOf,

  async test(workspace, env) {
    return withDeadline(TEST_TIMEOUT_MS, async (signal) => {
      const settings = parseConfig(configSchema, workspace.config, SERVICE);
      const call: BackendCall = { service: SERVICE, secrets: [], signal };
      const model = settings.model ?? DEFAULT_WORKERS_AI_MODEL;
      // One token: proves the binding and the model name for a fraction of a neuron.
      await runWorkersAi(env, model, { messages: [{ role: "user", content: "ping" }], max_tokens: 1 }, call);
    });
  },

  async send(request, { env, signal, onProgress }) {
    const settings = parseConfig(configSchema, request.workspace.config, SERVICE);
    const call: BackendCall = { service: SERVICE, secrets: [], signal };
    const model = settings.model ?? DEFAULT_WORKERS_AI_MODEL;
    const messages = buildChatMessages(settings.systemPrompt, request.history, request.message, contextLimits(settings));
    const result = await runWorkersAi(env, model, { messages, stream: onProgress !== undefined }, call);
    const stream = result instanceof Response ? result.body : result;
    const raw =
      stream instanceof ReadableStream ? await readChatStream(stream, call, progressReporter(onProgress)) : resultText(result, model);
    const text = stripThink(raw);
    if (!text) throw new BackendError(`${SERVICE} (${model}) returned an empty answer`);
    return { text };
  },
};

/**
 * Calls the binding (missing binding → BackendError saying how to add it). The run's signal is not handed to the binding (it cannot cross into a
 * service-binding stand-in, and the promise must settle on abort either way): the call is raced
 * against it, and an abandoned stream is cancelled by the reader.
 */
export async function runWorkersAi(env: BackendEnv, model: string, input: Record<string, unknown>, call: BackendCall): Promise<unknown> {
  const ai = env.AI;
  if (!ai) throw new BackendError(AI_NOT_BOUND);
  try {
    call.signal.throwIfAborted();
    return await raceAbort(ai.run(model, input), call.signal);
  } catch (error) {
    throw toBackendError(error, call, `${model} failed`);
  }
}

function resultText(result: unknown, model: string): string {
  const parsed = resultSchema.safeParse(result);
  if (!parsed.success) throw new BackendError(`${SERVICE} (${model}) answered without a response`);
  if ("choices" in parsed.data) return parsed.data.choices[0]!.message.content ?? "";
  const response = parsed.data.response;
  return typeof response === "string" ? response : JSON.stringify(response);
}

/** Settles with the promise, or rejects with the abort reason as soon as the signal fires. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
