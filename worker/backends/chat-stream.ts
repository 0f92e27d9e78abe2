// Reads a streamed chat completion: OpenAI-style `choices[0].delta.content` chunks (OpenAI,
// Ollama, vLLM, OpenRouter, newer Workers AI models) and Workers AI's legacy `{"response":"…"}`
// chunks, ending with `data: [DONE]`. Usage-only chunks (`choices: []` or null) and keep-alive
// comments are skipped; an `{"error": …}` chunk (vLLM, OpenRouter mid-stream failures) fails the run.
import * as z from "zod";
import { errorText, toBackendError, type BackendCall } from "./http";
import { redact } from "./redact";
import { readSse } from "./sse";
import { BackendError } from "./types";

const chunkSchema = z.object({
  choices: z
    .array(
      z.object({
        delta: z.object({ content: z.string().nullish() }).nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  response: z.unknown().optional(),
  error: z.unknown().optional(),
});

/**
 * Consumes the stream and returns the raw answer (thinking sections included; the caller
 * cleans it). `onText` gets the raw text so far after every chunk that added some.
 * A stream that ends without `[DONE]` or a finish reason was cut off and fails the run.
 */
export async function readChatStream(body: ReadableStream<Uint8Array>, call: BackendCall, onText: (rawSoFar: string) => void): Promise<string> {
  let text = "";
  let complete = false;
  try {
    for await (const event of readSse(body, call.signal)) {
      const data = event.data.trim();
      if (data === "[DONE]") {
        complete = true;
        break;
      }
      if (event.event === "error") throw new BackendError(`${call.service} reported an error mid-stream: ${redact(data, call.secrets)}`);
      const chunk = parseChunk(data);
      if (!chunk) continue;
      if (chunk.error !== undefined && chunk.error !== null) {
        throw new BackendError(`${call.service} reported an error mid-stream: ${redact(errorText(chunk) || "unknown error", call.secrets)}`);
      }
      const piece = chunkText(chunk);
      if (chunk.choices?.some((choice) => choice.finish_reason)) complete = true;
      if (piece) {
        text += piece;
        onText(text);
      }
    }
  } catch (error) {
    throw toBackendError(error, call, "the answer stream broke off");
  }
  if (!complete) throw new BackendError(`${call.service}: the answer stream ended before the answer was complete`);
  return text;
}

function parseChunk(data: string): z.infer<typeof chunkSchema> | null {
  try {
    const parsed = chunkSchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function chunkText(chunk: z.infer<typeof chunkSchema>): string {
  const delta = chunk.choices?.[0]?.delta?.content;
  if (typeof delta === "string") return delta;
  return typeof chunk.response === "string" ? chunk.response : "";
}
