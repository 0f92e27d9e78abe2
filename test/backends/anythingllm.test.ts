// The `anythingllm` backend against the fake AnythingLLM developer API: thread mapping, chat and
// stream-chat, <think> stripping, @agent pass-through, aborts, refused keys, timeouts and test().
import { describe, expect, it } from "vitest";
import { anythingLlmBackend } from "../../worker/backends/anythingllm";
import { agentRequest, backendError, context, expectGrowingPreview, fakeAnythingLlm, progressRecorder, workspace } from "../support/backend-fakes";

async function setup(options: Record<string, unknown> = {}, config: Record<string, unknown> = {}, secrets?: Record<string, unknown>) {
  const fake = await fakeAnythingLlm({ workspaces: ["support"], ...options });
  const ws = workspace({ baseUrl: fake.baseUrl, workspaceSlug: "support", ...config }, secrets ?? { apiKey: fake.apiKey });
  return { fake, ws };
}

/** Creates a backend thread and returns a request for it. */
async function threadRequest(ws: ReturnType<typeof workspace>, message: string) {
  const slug = await anythingLlmBackend.createThread!(ws, "Telegram: Ada", {});
  return { slug: slug!, request: agentRequest(ws, message, { thread: { id: "thr_1", title: "Telegram: Ada", backendRef: slug } }) };
}

describe("anythingllm backend: threads", () => {
  it("creates a named workspace thread and returns its slug", async () => {
    const { fake, ws } = await setup();
    const slug = await anythingLlmBackend.createThread!(ws, "Telegram: Ada", {});
    expect(slug).toMatch(/^[0-9a-f-]{36}$/);
    const [call] = await fake.calls("thread/new");
    expect(call!.path).toBe("/v1/workspace/support/thread/new");
    expect(call!.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(call!.body).toEqual({ name: "Telegram: Ada" });
  });

  it("fails when AnythingLLM answers 200 with thread: null (a slug collision)", async () => {
    const { fake, ws } = await setup();
    await fake.fault("thread/new", { nullThread: "Unique constraint failed on the fields: (`slug`)" });
    const message = await backendError(anythingLlmBackend.createThread!(ws, "t", {}));
    expect(message).toBe("AnythingLLM did not create the thread: Unique constraint failed on the fields: (`slug`)");
  });

  it("names the slug when the workspace does not exist", async () => {
    const { ws } = await setup({}, { workspaceSlug: "nope" });
    expect(await backendError(anythingLlmBackend.createThread!(ws, "t", {}))).toContain('no workspace with the slug "nope"');
  });

  it("chats inside the thread, which keeps the history on the AnythingLLM side", async () => {
    const { fake, ws } = await setup();
    const { slug, request } = await threadRequest(ws, "Where is my order?");
    const reply = await anythingLlmBackend.send(request, context());
    expect(reply.text).toBe(`AnythingLLM support/${slug} heard: Where is my order?`);
    const [call] = await fake.calls("thread/chat");
    expect(call!.path).toBe(`/v1/workspace/support/thread/${slug}/chat`);
    // No mode configured: the workspace's own chat mode applies. No history is sent: AnythingLLM has it.
    expect(call!.body).toEqual({ message: "Where is my order?" });
    expect(await fake.threadHistory("support", slug)).toEqual([
      expect.objectContaining({ role: "user", content: "Where is my order?" }),
      expect.objectContaining({ role: "assistant", content: reply.text }),
    ]);
  });

  it("sends the configured mode (query mode refuses without documents, like AnythingLLM)", async () => {
    const { fake, ws } = await setup({}, { mode: "query" });
    const { request } = await threadRequest(ws, "Anything?");
    const reply = await anythingLlmBackend.send(request, context({ onProgress: () => undefined }));
    expect(reply.text).toBe("There is no relevant information in this workspace to answer your query.");
    expect((await fake.calls("thread/stream-chat"))[0]!.body).toEqual({ message: "Anything?", mode: "query" });
  });

  it("uses the workspace chat with the thread id as sessionId when the thread has no backend thread", async () => {
    const { fake, ws } = await setup();
    const request = agentRequest(ws, "Hello", { thread: { id: "thr_legacy", title: "Old", backendRef: null } });
    const progress = progressRecorder();
    const reply = await anythingLlmBackend.send(request, context({ onProgress: progress.onProgress }));
    expect(reply.text).toBe("AnythingLLM support/session:thr_legacy heard: Hello");
    const [call] = await fake.calls("workspace/stream-chat");
    expect(call!.path).toBe("/v1/workspace/support/stream-chat");
    expect(call!.body).toEqual({ message: "Hello", sessionId: "thr_legacy" });
  });

  it("accepts an instance URL pasted with /api/v1", async () => {
    const { fake, ws } = await setup();
    ws.config.baseUrl = `${fake.baseUrl}/api/v1/`;
    const { request } = await threadRequest(ws, "hi");
    expect((await anythingLlmBackend.send(request, context())).text).toContain("heard: hi");
  });
});

describe("anythingllm backend: streaming", () => {
  it("streams tokens into a growing preview that ends in the final answer", async () => {
    const { fake, ws } = await setup({ reply: "Your order ships tomorrow — tracking follows by mail. 📦" });
    const { request } = await threadRequest(ws, "Where is my order?");
    const progress = progressRecorder();
    const reply = await anythingLlmBackend.send(request, context({ onProgress: progress.onProgress }));
    expect(reply.text).toBe("Your order ships tomorrow — tracking follows by mail. 📦");
    expectGrowingPreview(progress.seen, reply.text);
    expect(await fake.calls("thread/chat")).toEqual([]);
    expect(await fake.calls("thread/stream-chat")).toHaveLength(1);
  });

  it("strips <think> sections from the preview and the answer", async () => {
    const { ws } = await setup({ reply: "<think>The user is upset. Private notes.</think>I am sorry — let me check." });
    const { request } = await threadRequest(ws, "!!");
    const progress = progressRecorder();
    const reply = await anythingLlmBackend.send(request, context({ onProgress: progress.onProgress }));
    expect(reply.text).toBe("I am sorry — let me check.");
    expect(progress.seen.join("|")).not.toMatch(/Private|upset|<|think/);
  });

  it("drops an unclosed thinking section at the end", async () => {
    const { ws } = await setup({ reply: "Short answer.<think>and some unfinished reasoning" });
    const { request } = await threadRequest(ws, "?");
    expect((await anythingLlmBackend.send(request, context({ onProgress: () => undefined }))).text).toBe("Short answer.");
    expect((await anythingLlmBackend.send(request, context())).text).toBe("Short answer.");
  });

  it("reads the single chunk of a provider without streaming", async () => {
    const { ws } = await setup({ providerStreams: false, reply: "All at once." });
    const { request } = await threadRequest(ws, "?");
    const progress = progressRecorder();
    expect((await anythingLlmBackend.send(request, context({ onProgress: progress.onProgress }))).text).toBe("All at once.");
    expect(progress.seen).toEqual(["All at once."]);
  });

  it("passes @agent messages through untouched and answers with the agent's text, not its thoughts", async () => {
    const { fake, ws } = await setup();
    const { request } = await threadRequest(ws, "@agent search the web for Cloudflare news");
    const progress = progressRecorder();
    const reply = await anythingLlmBackend.send({ ...request, agent: undefined }, context({ onProgress: progress.onProgress }));
    expect(reply.text).toBe("Agent finished: search the web for Cloudflare news");
    expect((await fake.calls("thread/stream-chat"))[0]!.body.message).toBe("@agent search the web for Cloudflare news");
    expect(progress.seen.join("|")).not.toContain("invoked");

    const sync = await anythingLlmBackend.send(request, context());
    expect(sync.text).toBe("Agent finished: search the web for Cloudflare news");
  });
});

describe("anythingllm backend: failures", () => {
  it("turns an abort chunk mid-stream into an error with AnythingLLM's reason", async () => {
    const { fake, ws } = await setup({ reply: "one two three four five six seven" });
    const { request } = await threadRequest(ws, "x");
    await fake.fault("thread/stream-chat", { abort: "No text completion could be completed with this input.", afterChunks: 2 });
    const progress = progressRecorder();
    const message = await backendError(anythingLlmBackend.send(request, context({ onProgress: progress.onProgress })));
    expect(message).toBe("AnythingLLM aborted the answer: No text completion could be completed with this input.");
    expect(progress.seen.length).toBeGreaterThan(0);
  });

  it("turns an abort answer of the sync chat into an error", async () => {
    const { fake, ws } = await setup();
    const { request } = await threadRequest(ws, "x");
    await fake.fault("thread/chat", { abort: "Vector database error" });
    expect(await backendError(anythingLlmBackend.send(request, context()))).toBe("AnythingLLM aborted the answer: Vector database error");
  });

  it("says the API key was refused, without the key", async () => {
    const { ws } = await setup({}, {}, { apiKey: "wrong-key-value-123" });
    const request = agentRequest(ws, "x", { thread: { id: "t", title: "t", backendRef: "abc" } });
    const message = await backendError(anythingLlmBackend.send(request, context()));
    expect(message).toBe("AnythingLLM answered 403 (the API key was refused): No valid api key found.");
    expect(await backendError(anythingLlmBackend.createThread!(ws, "t", {}))).toContain("the API key was refused");
  });

  it("reports a thread that no longer exists with AnythingLLM's message", async () => {
    const { ws } = await setup();
    const request = agentRequest(ws, "x", { thread: { id: "t", title: "t", backendRef: "deleted-thread" } });
    const message = await backendError(anythingLlmBackend.send(request, context({ onProgress: () => undefined })));
    expect(message).toBe("AnythingLLM answered 400: Workspace support or thread deleted-thread is not valid.");
  });

  it("reports server errors and dropped connections", async () => {
    const { fake, ws } = await setup();
    const { request } = await threadRequest(ws, "x");
    await fake.fault("thread/chat", { status: 500 });
    expect(await backendError(anythingLlmBackend.send(request, context()))).toBe("AnythingLLM answered 500 (server error): Internal Server Error");
    await fake.fault("thread/stream-chat", { dropAfterChunks: 1 });
    expect(await backendError(anythingLlmBackend.send(request, context({ onProgress: () => undefined })))).toMatch(/broke off|ended before the answer was complete/);
  });

  it("gives up when the run's signal times out", async () => {
    const { fake, ws } = await setup();
    const { request } = await threadRequest(ws, "x");
    await fake.fault("thread/stream-chat", { delayMs: 3000 });
    const started = Date.now();
    expect(await backendError(anythingLlmBackend.send(request, context({ signal: AbortSignal.timeout(200), onProgress: () => undefined })))).toContain("timed out");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("requires the API key", async () => {
    const { ws } = await setup({}, {}, {});
    expect(await backendError(anythingLlmBackend.createThread!(ws, "t", {}))).toContain("apiKey: is required");
  });
});

describe("anythingllm backend: test()", () => {
  it("checks the key and that the workspace exists", async () => {
    const { fake, ws } = await setup();
    await anythingLlmBackend.test!(ws, {});
    expect((await fake.calls()).map((call) => call.route)).toEqual(["auth", "workspace"]);
  });

  it("reports a refused key", async () => {
    const { ws } = await setup({}, {}, { apiKey: "bad-key-0000" });
    expect(await backendError(anythingLlmBackend.test!(ws, {}))).toBe("AnythingLLM answered 403 (the API key was refused): No valid api key found.");
  });

  it("reports an unknown workspace slug", async () => {
    const { ws } = await setup({}, { workspaceSlug: "sales" });
    expect(await backendError(anythingLlmBackend.test!(ws, {}))).toBe('AnythingLLM has no workspace with the slug "sales"');
  });

  it("reports a wrong instance URL", async () => {
    const { fake, ws } = await setup();
    ws.config.baseUrl = `${fake.baseUrl}-missing`;
    expect(await backendError(anythingLlmBackend.test!(ws, {}))).toContain("answered 404");
  });
});
