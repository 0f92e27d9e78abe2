// The `workers-ai` backend through the AI binding's stand-in (test/fakes/workers-ai-standin.mjs):
// model and messages sent, both stream shapes, the non-stream result, errors and timeouts.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { AI_NOT_BOUND, DEFAULT_WORKERS_AI_MODEL, workersAiBackend } from "../../worker/backends/workers-ai";
import { agentRequest, backendError, context, expectGrowingPreview, progressRecorder, turns, workersAiMarker, workspace } from "../support/backend-fakes";

const LEGACY = "@cf/meta/llama-3.1-8b-instruct";
const OPENAI_STYLE = "@cf/qwen/qwen3-30b-a3b-fp8";

describe("workers-ai backend", () => {
  it("runs the configured model with system prompt, history and message, and returns the response", async () => {
    const run = workersAiMarker();
    const ws = workspace({ model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast", systemPrompt: "Be kind." });
    const history = [
      { role: "user" as const, text: "Hi" },
      { role: "assistant" as const, text: "Hello!" },
    ];
    const reply = await workersAiBackend.send(agentRequest(ws, `Question ${run.marker}`, { history }), context());
    expect(reply.text).toBe(`Workers AI (@cf/meta/llama-3.3-70b-instruct-fp8-fast) says: Question ${run.marker}`);
    const [call] = await run.calls();
    expect(call!.model).toBe("@cf/meta/llama-3.3-70b-instruct-fp8-fast");
    expect(call!.inputs).toEqual({
      stream: false,
      messages: [
        { role: "system", content: "Be kind." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: `Question ${run.marker}` },
      ],
    });
  });

  it("uses the default model when none is configured, and bounds the history", async () => {
    const run = workersAiMarker();
    await workersAiBackend.send(agentRequest(workspace({ maxHistoryTurns: 2 }), run.marker, { history: turns(10) }), context());
    const [call] = await run.calls();
    expect(call!.model).toBe(DEFAULT_WORKERS_AI_MODEL);
    expect(call!.inputs.messages.map((message: { content: string }) => message.content.slice(0, 8))).toEqual(["turn 008", "turn 009", run.marker.slice(0, 8)]);
  });

  it("streams legacy {response} chunks into a growing preview", async () => {
    const run = workersAiMarker();
    await run.fault({ reply: "Legacy models stream response fields, one piece at a time." });
    const progress = progressRecorder();
    const reply = await workersAiBackend.send(agentRequest(workspace({ model: LEGACY }), run.marker), context({ onProgress: progress.onProgress }));
    expect(reply.text).toBe("Legacy models stream response fields, one piece at a time.");
    expectGrowingPreview(progress.seen, reply.text);
    expect((await run.calls())[0]!.inputs.stream).toBe(true);
  });

  it("streams OpenAI-style choices[0].delta chunks and strips <think>", async () => {
    const run = workersAiMarker();
    await run.fault({ reply: "<think>Reasoning the user must not see.</think>Newer models stream deltas." });
    const progress = progressRecorder();
    const reply = await workersAiBackend.send(agentRequest(workspace({ model: OPENAI_STYLE }), run.marker), context({ onProgress: progress.onProgress }));
    expect(reply.text).toBe("Newer models stream deltas.");
    expect(progress.seen.join("|")).not.toMatch(/Reasoning|<|think/);
    expect(progress.seen.at(-1)).toBe("Newer models stream deltas.");
  });

  it("reads the non-streamed result of newer models (chat.completion shape)", async () => {
    const run = workersAiMarker();
    const reply = await workersAiBackend.send(agentRequest(workspace({ model: OPENAI_STYLE }), run.marker), context());
    expect(reply.text).toBe(`Workers AI (${OPENAI_STYLE}) says: ${run.marker}`);
  });

  it("says how to add the binding when it is missing", async () => {
    expect(await backendError(workersAiBackend.send(agentRequest(workspace({}), "x"), context({ env: {} })))).toBe(AI_NOT_BOUND);
    expect(AI_NOT_BOUND).toBe('Workers AI is not bound: add [ai] binding = "AI" to wrangler.toml');
  });

  it("reports the binding's error for an unknown model", async () => {
    const message = await backendError(workersAiBackend.send(agentRequest(workspace({ model: "@cf/nobody/nothing" }), "x"), context()));
    expect(message).toContain("Workers AI: @cf/nobody/nothing failed");
    expect(message).toContain("5007: No such model");
  });

  it("reports upstream failures", async () => {
    const run = workersAiMarker();
    await run.fault({ error: "InferenceUpstreamError: ERROR 3040: Capacity temporarily exceeded" });
    expect(await backendError(workersAiBackend.send(agentRequest(workspace({}), run.marker), context({ onProgress: () => undefined })))).toContain(
      "Capacity temporarily exceeded",
    );
  });

  it("gives up when the run's signal times out", async () => {
    const run = workersAiMarker();
    await run.fault({ delayMs: 3000 });
    const started = Date.now();
    const message = await backendError(workersAiBackend.send(agentRequest(workspace({}), run.marker), context({ signal: AbortSignal.timeout(200) })));
    expect(message).toBe("Workers AI: no complete answer before the run timed out");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("stops reading a slow stream when the signal times out (the binding's stream has no fetch signal)", async () => {
    const run = workersAiMarker();
    await run.fault({ reply: "one two three four five six seven eight", chunkDelayMs: 300 });
    const progress = progressRecorder();
    const started = Date.now();
    const message = await backendError(
      workersAiBackend.send(agentRequest(workspace({}), run.marker), context({ signal: AbortSignal.timeout(700), onProgress: progress.onProgress })),
    );
    expect(message).toBe("Workers AI: no complete answer before the run timed out");
    expect(progress.seen.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("test() runs the model for one token", async () => {
    await workersAiBackend.test!(workspace({ model: LEGACY }), { AI: env.AI });
    expect(await backendError(workersAiBackend.test!(workspace({ model: "@cf/x/unknown" }), { AI: env.AI }))).toContain("No such model");
    expect(await backendError(workersAiBackend.test!(workspace({}), {}))).toBe(AI_NOT_BOUND);
  });
});
