// The `openai` backend against the fake OpenAI-compatible server: request shapes, the bounded
// transcript, plain and streamed answers, <think> stripping, errors, timeouts and test().
import { describe, expect, it } from "vitest";
import { openaiBackend } from "../../worker/backends/openai";
import { agentRequest, backendError, context, expectGrowingPreview, fakeOpenAi, progressRecorder, turns, workspace } from "../support/backend-fakes";

const KEY = "sk-test-key";

async function setup(options: Record<string, unknown> = {}, config: Record<string, unknown> = {}, secrets: Record<string, unknown> = { apiKey: KEY }) {
  const fake = await fakeOpenAi({ models: ["gpt-test"], ...options });
  const ws = workspace({ baseUrl: fake.baseUrl, model: "gpt-test", ...config }, secrets);
  return { fake, ws };
}

describe("openai backend: requests", () => {
  it("posts the system prompt, history and message with the key, and returns the answer", async () => {
    const { fake, ws } = await setup({}, { systemPrompt: "You are terse." });
    const history = [
      { role: "user" as const, text: "Hi" },
      { role: "assistant" as const, text: "Hello!" },
    ];
    const reply = await openaiBackend.send(agentRequest(ws, "What is 2+2?", { history }), context());
    expect(reply).toEqual({ text: "You said: What is 2+2?" });

    const [call] = await fake.calls("chat/completions");
    expect(call!.method).toBe("POST");
    expect(call!.authorization).toBe(`Bearer ${KEY}`);
    expect(call!.body).toEqual({
      model: "gpt-test",
      stream: false,
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello!" },
        { role: "user", content: "What is 2+2?" },
      ],
    });
  });

  it("accepts a base URL with a trailing slash", async () => {
    const { fake, ws } = await setup();
    ws.config.baseUrl = `${fake.baseUrl}/`;
    expect((await openaiBackend.send(agentRequest(ws, "ping"), context())).text).toBe("You said: ping");
  });

  it("sends no Authorization header when no key is configured (Ollama)", async () => {
    const { fake, ws } = await setup({ apiKey: null }, {}, {});
    expect((await openaiBackend.send(agentRequest(ws, "hello"), context())).text).toBe("You said: hello");
    expect((await fake.calls("chat/completions"))[0]!.authorization).toBeNull();
  });

  it("bounds the context by history messages and by characters, whole messages only", async () => {
    const { fake, ws } = await setup({}, { maxHistoryTurns: 4, maxContextChars: 1000 });
    await openaiBackend.send(agentRequest(ws, "latest", { history: turns(30, 100) }), context());
    const byTurns = (await fake.calls("chat/completions"))[0]!.body.messages as { role: string; content: string }[];
    expect(byTurns.map((message) => message.content.slice(0, 8))).toEqual(["turn 026", "turn 027", "turn 028", "turn 029", "latest"]);

    ws.config = { ...ws.config, maxHistoryTurns: 50, maxContextChars: "350" };
    await openaiBackend.send(agentRequest(ws, "latest", { history: turns(30, 100) }), context());
    const byChars = (await fake.calls("chat/completions"))[1]!.body.messages as { role: string; content: string }[];
    // 350 - 6 ("latest") leaves room for three 100-character messages: 027 (assistant, dropped as first), 028, 029.
    expect(byChars.map((message) => message.content.slice(0, 8))).toEqual(["turn 028", "turn 029", "latest"]);
    expect(byChars.every((message) => message.content === "latest" || message.content.length === 100)).toBe(true);
  });

  it("refuses incomplete settings with the field name", async () => {
    const message = await backendError(openaiBackend.send(agentRequest(workspace({ baseUrl: "not a url" }), "hi"), context()));
    expect(message).toContain("baseUrl");
    expect(message).toContain("model");
  });
});

describe("openai backend: streaming", () => {
  it("streams with stream: true and reports a growing preview that ends in the final answer", async () => {
    const { fake, ws } = await setup({ reply: "The quick brown fox jumps over the lazy dog — 🦊 done." });
    const progress = progressRecorder();
    const reply = await openaiBackend.send(agentRequest(ws, "story"), context({ onProgress: progress.onProgress }));
    expect(reply.text).toBe("The quick brown fox jumps over the lazy dog — 🦊 done.");
    expectGrowingPreview(progress.seen, reply.text);
    const [call] = await fake.calls("chat/completions");
    expect(call!.body.stream).toBe(true);
  });

  it("handles CRLF line endings and usage chunks with null choices", async () => {
    const { ws } = await setup({ reply: "Line endings vary between servers.", lineEnding: "\r\n", usageChunk: "null" });
    const progress = progressRecorder();
    const reply = await openaiBackend.send(agentRequest(ws, "x"), context({ onProgress: progress.onProgress }));
    expect(reply.text).toBe("Line endings vary between servers.");
    expectGrowingPreview(progress.seen, reply.text);
  });

  it("never shows a <think> section in the preview or the answer", async () => {
    const { ws } = await setup({ reply: "<think>The user wants a greeting. Secret reasoning.</think>\n\nHello, Ada!" });
    const progress = progressRecorder();
    const reply = await openaiBackend.send(agentRequest(ws, "hi"), context({ onProgress: progress.onProgress }));
    expect(reply.text).toBe("Hello, Ada!");
    expect(progress.seen.join("|")).not.toMatch(/Secret|reasoning|<|think/);
    expect(progress.seen.at(-1)).toBe("Hello, Ada!");
  });

  it("takes a plain JSON answer when the server ignores stream: true", async () => {
    const { fake, ws } = await setup({ reply: "No streaming here." });
    await fake.fault("chat/completions", { ignoreStream: true });
    const progress = progressRecorder();
    expect((await openaiBackend.send(agentRequest(ws, "x"), context({ onProgress: progress.onProgress }))).text).toBe("No streaming here.");
  });

  it("fails on an error chunk in the middle of the stream", async () => {
    const { fake, ws } = await setup({ reply: "one two three four five six" });
    await fake.fault("chat/completions", { streamError: "The engine is currently overloaded", afterChunks: 2 });
    const message = await backendError(openaiBackend.send(agentRequest(ws, "x"), context({ onProgress: () => undefined })));
    expect(message).toContain("The engine is currently overloaded");
  });

  it("fails when the connection drops mid-stream", async () => {
    const { fake, ws } = await setup({ reply: "one two three four five six" });
    await fake.fault("chat/completions", { dropAfterChunks: 2 });
    const message = await backendError(openaiBackend.send(agentRequest(ws, "x"), context({ onProgress: () => undefined })));
    expect(message).toMatch(/broke off|ended before the answer was complete/);
  });

  it("treats an answer that is only thinking as empty", async () => {
    const { ws } = await setup({ reply: "<think>hmm, and then nothing" });
    expect(await backendError(openaiBackend.send(agentRequest(ws, "x"), context({ onProgress: () => undefined })))).toContain("empty answer");
  });
});

describe("openai backend: failures", () => {
  it("says the key was refused and never repeats it", async () => {
    const wrongKey = "sk-wrong-0123456789abcdef";
    const { ws } = await setup({}, {}, { apiKey: wrongKey });
    const message = await backendError(openaiBackend.send(agentRequest(ws, "x"), context()));
    expect(message).toContain("401");
    expect(message).toContain("the API key was refused");
    expect(message).not.toContain(wrongKey);
    expect(message).not.toContain("cdef");
  });

  it("passes on the server's reason for an unknown model", async () => {
    const { ws } = await setup({}, { model: "gpt-missing" });
    const message = await backendError(openaiBackend.send(agentRequest(ws, "x"), context()));
    expect(message).toContain("404");
    expect(message).toContain("The model `gpt-missing` does not exist");
  });

  it("reports server errors", async () => {
    const { fake, ws } = await setup();
    await fake.fault("chat/completions", { status: 503, body: { error: { message: "Service Unavailable", type: "server_error" } } });
    const message = await backendError(openaiBackend.send(agentRequest(ws, "x"), context()));
    expect(message).toBe("the OpenAI-compatible server answered 503 (server error): Service Unavailable");
  });

  it("reports an unreachable server", async () => {
    const ws = workspace({ baseUrl: "http://127.0.0.1:9/v1", model: "m" }, { apiKey: KEY });
    const message = await backendError(openaiBackend.send(agentRequest(ws, "x"), context()));
    expect(message).toContain("could not reach http://127.0.0.1:9");
    expect(message).not.toContain(KEY);
  });

  it("gives up when the run's signal times out, plain or streaming", async () => {
    const { fake, ws } = await setup();
    await fake.fault("chat/completions", { delayMs: 3000 }, { delayMs: 3000 });
    const started = Date.now();
    expect(await backendError(openaiBackend.send(agentRequest(ws, "x"), context({ signal: AbortSignal.timeout(200) })))).toContain("timed out");
    expect(
      await backendError(openaiBackend.send(agentRequest(ws, "x"), context({ signal: AbortSignal.timeout(200), onProgress: () => undefined }))),
    ).toContain("timed out");
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("stops reading a slow stream when the signal times out", async () => {
    const { ws } = await setup({ reply: "a b c d e f g h i j", chunkDelayMs: 400 });
    const progress = progressRecorder();
    const message = await backendError(openaiBackend.send(agentRequest(ws, "x"), context({ signal: AbortSignal.timeout(600), onProgress: progress.onProgress })));
    expect(message).toContain("timed out");
  });
});

describe("openai backend: test()", () => {
  it("passes when the server lists the model", async () => {
    const { fake, ws } = await setup({ models: ["other", "gpt-test"] });
    await openaiBackend.test!(ws, {});
    expect((await fake.calls()).map((call) => call.endpoint)).toEqual(["models"]);
  });

  it("accepts Ollama's :latest tag for a model configured without it", async () => {
    const { ws } = await setup({ models: ["llama3.2:latest"], apiKey: null }, { model: "llama3.2" }, {});
    await openaiBackend.test!(ws, {});
  });

  it("names the models on offer when the configured one is missing", async () => {
    const { ws } = await setup({ models: ["gpt-a", "gpt-b"] }, { model: "gpt-c" });
    expect(await backendError(openaiBackend.test!(ws, {}))).toContain('does not offer the model "gpt-c" (it lists gpt-a, gpt-b)');
  });

  it("falls back to a one-token completion when there is no model list", async () => {
    const { fake, ws } = await setup({ listModels: false });
    await openaiBackend.test!(ws, {});
    const completion = (await fake.calls("chat/completions"))[0]!;
    expect(completion.body).toMatchObject({ model: "gpt-test", max_tokens: 1, stream: false });
  });

  it("reports a refused key", async () => {
    const { ws } = await setup({}, {}, { apiKey: "sk-nope-123456789" });
    const message = await backendError(openaiBackend.test!(ws, {}));
    expect(message).toContain("the API key was refused");
    expect(message).not.toContain("sk-nope");
  });
});
