// The Node side of the Workers AI stand-in (test/fakes/workers-ai-standin.mjs runs inside
// workerd as the Worker's `AI` binding). Every `run()` is reported here, under `/workers-ai`,
// and the answer tells the stand-in how to behave: normally, or with a queued fault for runs
// whose request contains a marker string (tests put a unique marker in the message), plus the
// audio bytes for TTS models. Tests read the records to assert model and messages.
// Plain erasable TypeScript.
import type { IncomingMessage, ServerResponse } from "node:http";
import { mp3Bytes, oggOpusBytes } from "./fake-audio.ts";
import { parseJson, readRawBody, sendJson } from "./fake-http.ts";

/** What the stand-in does for one run instead of answering normally. */
export interface WorkersAiFault {
  /** Thrown from run(), like the binding's AiError / InferenceUpstreamError. */
  error?: string;
  /** Wait before answering. */
  delayMs?: number;
  /** Answer this text instead of the default. */
  reply?: string;
  /** Pause between streamed writes (default 10 ms). */
  chunkDelayMs?: number;
}

export interface WorkersAiCall {
  model: string;
  inputs: unknown;
  options: unknown;
  at: number;
}

export class WorkersAiRecorder {
  readonly calls: WorkersAiCall[] = [];
  private readonly faults: { contains: string; fault: WorkersAiFault }[] = [];

  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(path, "http://fake");
    const body = (parseJson(await readRawBody(request)) ?? {}) as Record<string, unknown>;
    switch (`${request.method} ${url.pathname}`) {
      case "POST /__control/record": {
        const call: WorkersAiCall = { model: String(body.model), inputs: body.inputs, options: body.options, at: Date.now() };
        this.calls.push(call);
        const serialised = JSON.stringify(call);
        const index = this.faults.findIndex((entry) => serialised.includes(entry.contains));
        const fault = index === -1 ? {} : this.faults.splice(index, 1)[0]!.fault;
        const inputs = (body.inputs ?? {}) as Record<string, unknown>;
        const audio = inputs.encoding === "opus" && inputs.container === "ogg" ? oggOpusBytes() : mp3Bytes();
        return sendJson(response, 200, { ...fault, audioBase64: Buffer.from(audio).toString("base64") });
      }
      case "POST /__control/faults":
        this.faults.push({ contains: String(body.contains), fault: body.fault as WorkersAiFault });
        return sendJson(response, 200, { ok: true });
      case "GET /__control/calls": {
        const contains = url.searchParams.get("contains") ?? "";
        return sendJson(response, 200, { calls: this.calls.filter((call) => contains !== "" && JSON.stringify(call).includes(contains)) });
      }
      default:
        return sendJson(response, 404, { error: "no such fake endpoint" });
    }
  }
}
