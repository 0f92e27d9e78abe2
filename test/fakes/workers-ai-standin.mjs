// A stand-in for the Workers AI binding, for tests (Workers AI cannot be reached offline).
// vitest.config.ts runs this module as an auxiliary worker and gives the Worker under test an
// `AI` service binding to it, so `env.AI.run(model, inputs)` is an RPC call that answers like
// the real binding:
// - text models, non-streamed: `{ response, usage }` (legacy models) or an OpenAI-style
//   `chat.completion` (newer models);
// - text models with `stream: true`: a ReadableStream of SSE bytes, legacy `{"response":"…"}`
//   chunks or OpenAI-style `choices[0].delta` chunks, ending with `data: [DONE]`;
// - Deepgram Aura TTS: a ReadableStream of audio bytes (OGG/Opus for encoding opus + container
//   ogg, else MP3), or a Response with `returnRawResponse`;
// - unknown models throw like the binding does.
// Each run is reported to the fakes server (test/fakes/workers-ai-recorder.ts), whose answer may
// carry a fault for this run (error, delay, reply, slow streaming) and the audio bytes. Plain JS: workerd runs it.
import { WorkerEntrypoint } from "cloudflare:workers";

const LEGACY_TEXT_MODELS = new Set(["@cf/meta/llama-3.1-8b-instruct", "@cf/meta/llama-3.3-70b-instruct-fp8-fast", "@cf/mistral/mistral-7b-instruct-v0.1"]);
const OPENAI_STYLE_TEXT_MODELS = new Set(["@cf/qwen/qwen3-30b-a3b-fp8"]);
const AURA_MODELS = new Set(["@cf/deepgram/aura-1", "@cf/deepgram/aura-2-en"]);
const CHUNK_DELAY_MS = 10;

export default class WorkersAiStandin extends WorkerEntrypoint {
  async run(model, inputs = {}, options = {}) {
    const directive = await this.record(model, inputs, options);
    if (directive.delayMs) await sleep(directive.delayMs);
    if (directive.error) throw new Error(directive.error);

    if (AURA_MODELS.has(model)) return this.speak(inputs, options, directive);
    const legacy = LEGACY_TEXT_MODELS.has(model);
    if (!legacy && !OPENAI_STYLE_TEXT_MODELS.has(model)) throw new Error(`AiError: 5007: No such model ${model} or task`);
    if (!Array.isArray(inputs.messages) && typeof inputs.prompt !== "string") {
      throw new Error("AiError: 5006: Error: oneOf at '/' not met, 0 matches: required properties at '/' are 'prompt'; required properties at '/' are 'messages'");
    }

    const lastUser = Array.isArray(inputs.messages) ? [...inputs.messages].reverse().find((message) => message.role === "user")?.content : inputs.prompt;
    let reply = directive.reply ?? `Workers AI (${model}) says: ${lastUser ?? ""}`;
    if (typeof inputs.max_tokens === "number") reply = reply.split(/\s+/).slice(0, inputs.max_tokens).join(" ");
    const usage = { prompt_tokens: 12, completion_tokens: reply.length >> 2, total_tokens: 12 + (reply.length >> 2) };

    if (inputs.stream === true) return this.stream(model, reply, usage, legacy, directive.chunkDelayMs ?? CHUNK_DELAY_MS);
    if (legacy) return { response: reply, tool_calls: [], usage };
    return {
      id: `id-${Date.now()}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message: { role: "assistant", content: reply, reasoning_content: null, tool_calls: [] }, finish_reason: "stop" }],
      usage,
    };
  }

  /** Reports the run to the fakes server and returns its instructions. */
  async record(model, inputs, options) {
    const response = await fetch(`${this.env.FAKES_BASE}/workers-ai/__control/record`, {
      method: "POST",
      body: JSON.stringify({ model, inputs, options }),
    });
    return response.json();
  }

  stream(model, reply, usage, legacy, delayMs) {
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    const created = Math.floor(Date.now() / 1000);
    const events = [];
    const pieces = splitText(reply, 5);
    if (legacy) {
      for (const piece of pieces) events.push({ response: piece, p: "abcdefgh" });
      events.push({ response: "", usage });
    } else {
      for (const piece of pieces) events.push({ id: "id-1", object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
      events.push({ id: "id-1", object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
      events.push({ id: "id-1", object: "chat.completion.chunk", created, model, choices: [], usage });
    }
    const write = async () => {
      try {
        for (const event of events) {
          // Split each event in two writes so the reader must reassemble lines.
          const bytes = encoder.encode(`data: ${JSON.stringify(event)}\n\n`);
          const cut = Math.floor(bytes.length / 2);
          await writer.write(bytes.slice(0, cut));
          await sleep(delayMs);
          await writer.write(bytes.slice(cut));
        }
        await writer.write(encoder.encode("data: [DONE]\n\n"));
        await writer.close();
      } catch {
        // The reader went away (cancelled run).
      }
    };
    this.ctx.waitUntil(write());
    return readable;
  }

  speak(inputs, options, directive) {
    if (typeof inputs.text !== "string" || inputs.text === "") throw new Error("AiError: 5006: Error: required properties at '/' are 'text'");
    const bytes = Uint8Array.from(atob(directive.audioBase64), (char) => char.charCodeAt(0));
    const ogg = inputs.encoding === "opus" && inputs.container === "ogg";
    if (options.returnRawResponse) return new Response(bytes, { headers: { "content-type": ogg ? "audio/ogg" : "audio/mpeg" } });
    const { readable, writable } = new IdentityTransformStream();
    const writer = writable.getWriter();
    const half = Math.floor(bytes.length / 2);
    this.ctx.waitUntil(
      (async () => {
        await writer.write(bytes.slice(0, half));
        await writer.write(bytes.slice(half));
        await writer.close();
      })().catch(() => undefined),
    );
    return readable;
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function splitText(text, parts) {
  const characters = [...text];
  const size = Math.max(1, Math.ceil(characters.length / parts));
  const pieces = [];
  for (let index = 0; index < characters.length; index += size) pieces.push(characters.slice(index, index + size).join(""));
  return pieces;
}
