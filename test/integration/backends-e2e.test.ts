// Every agent backend answering a Telegram user end to end: the webhook in, the backend's API
// (a fake the tests start), the reply out through the fake Telegram API.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fakeAnythingLlm, fakeOpenAi, fakeWebhookAgent, workersAiMarker } from "../support/backend-fakes";
import { api, channelLogs, chatMessages, deliver, dmUpdate, eventually, newUser, sentTexts, startTelegramChannel, telegramCalls, waitForTexts, worker, type TestBot } from "../support/harness";

/** Waits until the chat shows `count` messages (streamed ones complete); returns their texts. */
async function visibleTexts(bot: TestBot, chatId: number, count: number, last?: string | RegExp): Promise<string[]> {
  return eventually(async () => {
    const texts = (await chatMessages(bot, chatId)).map((message) => message.text);
    expect(texts.length).toBeGreaterThanOrEqual(count);
    if (typeof last === "string") expect(texts.at(-1)).toBe(last);
    if (last instanceof RegExp) expect(texts.at(-1)).toMatch(last);
    return texts;
  }, 10_000);
}

async function workspaceWith(backend: string, config: Record<string, unknown>, secrets?: Record<string, string>) {
  const created = await api("POST", "/workspaces", { name: `${backend} workspace`, backend, config, ...(secrets ? { secrets } : {}) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.workspace.id as string;
}

async function openChannel(workspaceId: string, settings: Record<string, unknown> = {}) {
  const channel = await startTelegramChannel({ workspaceId, settings: { dmPolicy: "open", ...settings } });
  return { channel, user: newUser() };
}

describe("openai backend", () => {
  it("answers with the thread's transcript as context", async () => {
    const fake = await fakeOpenAi();
    const workspaceId = await workspaceWith("openai", { baseUrl: fake.baseUrl, model: "gpt-test", systemPrompt: "Be brief." }, { apiKey: fake.apiKey! });
    const { channel, user } = await openChannel(workspaceId);
    await deliver(channel, dmUpdate(user, "My name is Ada"));
    await waitForTexts(channel.bot, user.id, 1);
    await deliver(channel, dmUpdate(user, "What is my name?"));
    expect(await visibleTexts(channel.bot, user.id, 2, "You said: What is my name?")).toEqual(["You said: My name is Ada", "You said: What is my name?"]);
    const requests = await fake.calls("chat/completions");
    expect(requests).toHaveLength(2);
    expect(requests[1]!.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(requests[1]!.body.messages).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "My name is Ada" },
      { role: "assistant", content: "You said: My name is Ada" },
      { role: "user", content: "What is my name?" },
    ]);
  });

  it("streams: one message that is edited as the answer grows, ending in exactly the full answer", async () => {
    const answer = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const fake = await fakeOpenAi({ reply: answer, chunkDelayMs: 700 });
    const workspaceId = await workspaceWith("openai", { baseUrl: fake.baseUrl, model: "gpt-test" }, { apiKey: fake.apiKey! });
    const { channel, user } = await openChannel(workspaceId);
    await deliver(channel, dmUpdate(user, "Tell me a long story"));

    const edits = await eventually(async () => {
      const calls = await telegramCalls(channel.bot, "editMessageText");
      expect(calls.at(-1)?.params.text).toBe(answer);
      return calls;
    }, 15_000);
    const sends = await telegramCalls(channel.bot, "sendMessage");
    expect(sends).toHaveLength(1); // the preview, later completed by edits: never a second copy
    expect(answer.startsWith(sends[0]!.params.text)).toBe(true);
    expect(sends[0]!.params.text.length).toBeLessThan(answer.length);
    expect(edits.length).toBeGreaterThanOrEqual(2);
    const [message, ...others] = await chatMessages(channel.bot, user.id);
    expect(others).toEqual([]);
    expect(message).toMatchObject({ text: answer, edits: edits.length });
    const times = [sends[0]!.at, ...edits.map((edit) => edit.at)];
    for (let i = 1; i < times.length - 1; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(900);
  });

  it("tells the user briefly when the backend fails, and logs the cause", async () => {
    const fake = await fakeOpenAi();
    await fake.fault("chat/completions", { status: 503, body: { error: { message: "The engine is currently overloaded", type: "server_error" } } });
    const workspaceId = await workspaceWith("openai", { baseUrl: fake.baseUrl, model: "gpt-test" }, { apiKey: fake.apiKey! });
    const { channel, user } = await openChannel(workspaceId);
    await deliver(channel, dmUpdate(user, "hello"));
    expect(await waitForTexts(channel.bot, user.id, 1)).toEqual(["The assistant is unavailable right now. Please try again in a moment."]);
    const errors = await channelLogs(channel.id, "error");
    expect(errors[0]).toMatchObject({ event: "agent.failed" });
    expect(errors[0]!.message).toContain("overloaded");
    expect(JSON.stringify(errors)).not.toContain(fake.apiKey!);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sentTexts(channel.bot, user.id)).toHaveLength(1);
  });

  it("a slow reply that lands after the user switched threads is held and caught up", async () => {
    const fake = await fakeOpenAi();
    await fake.fault("chat/completions", { delayMs: 1500 });
    const workspaceId = await workspaceWith("openai", { baseUrl: fake.baseUrl, model: "gpt-test" }, { apiKey: fake.apiKey! });
    const { channel, user } = await openChannel(workspaceId);
    await deliver(channel, dmUpdate(user, "Summarise the outage"));
    await deliver(channel, dmUpdate(user, "/new Something else"));
    expect(await waitForTexts(channel.bot, user.id, 1)).toEqual(["Started a new thread: Something else"]);
    await eventually(async () => expect((await channelLogs(channel.id)).map((log) => log.event)).toContain("reply.held"), 10_000);
    await deliver(channel, dmUpdate(user, "/threads"));
    const listing = (await visibleTexts(channel.bot, user.id, 2, /^Your threads:/)).at(-1)!;
    const number = /(\d)\. Summarise the outage \(1 unread\)/.exec(listing)?.[1];
    expect(number, listing).toBeDefined();
    await deliver(channel, dmUpdate(user, `/switch ${number}`));
    await visibleTexts(channel.bot, user.id, 3, "Switched to: Summarise the outage\n1 reply while you were away. Use /more to read all.");
    await deliver(channel, dmUpdate(user, "/more"));
    const texts = await visibleTexts(channel.bot, user.id, 4, "You said: Summarise the outage");
    // The answer never appeared in the other thread's context, not even as a preview.
    expect(texts).toEqual([
      "Started a new thread: Something else",
      listing,
      "Switched to: Summarise the outage\n1 reply while you were away. Use /more to read all.",
      "You said: Summarise the outage",
    ]);
  });
});

describe("anythingllm backend", () => {
  it("maps our threads to AnythingLLM threads, streams, and strips <think>", async () => {
    const fake = await fakeAnythingLlm({ reply: "<think>check the docs</think>Refunds take 5 days." });
    const workspaceId = await workspaceWith("anythingllm", { baseUrl: fake.baseUrl, workspaceSlug: "support" }, { apiKey: fake.apiKey });
    const { channel, user } = await openChannel(workspaceId);
    await deliver(channel, dmUpdate(user, "How long do refunds take?"));
    expect(await visibleTexts(channel.bot, user.id, 1, "Refunds take 5 days.")).toEqual(["Refunds take 5 days."]);
    const everything = [...(await telegramCalls(channel.bot, "sendMessage")), ...(await telegramCalls(channel.bot, "editMessageText"))];
    expect(JSON.stringify(everything)).not.toContain("check the docs");
    const [created] = await fake.calls("thread/new");
    const slug = (await env.DB.prepare("SELECT backend_ref AS ref FROM threads WHERE workspace_id = ?").bind(workspaceId).first<{ ref: string }>())!.ref;
    expect(created!.body.name).toBe("How long do refunds take?");
    expect(slug).toBeTruthy();
    const chats = await fake.calls("thread/stream-chat");
    expect(chats[0]!.path).toBe(`/v1/workspace/support/thread/${slug}/stream-chat`);
    expect(await fake.threadHistory("support", slug)).toEqual([
      expect.objectContaining({ role: "user", content: "How long do refunds take?" }),
      expect.objectContaining({ role: "assistant" }),
    ]);
  });
});

describe("workers-ai backend", () => {
  it("answers through the AI binding with the configured model", async () => {
    const marker = workersAiMarker();
    const workspaceId = await workspaceWith("workers-ai", { model: "@cf/meta/llama-3.1-8b-instruct" });
    const { channel, user } = await openChannel(workspaceId);
    await deliver(channel, dmUpdate(user, `Hello ${marker.marker}`));
    const answer = `Workers AI (@cf/meta/llama-3.1-8b-instruct) says: Hello ${marker.marker}`;
    expect(await visibleTexts(channel.bot, user.id, 1, answer)).toEqual([answer]);
    const [call] = await marker.calls();
    expect(call!.model).toBe("@cf/meta/llama-3.1-8b-instruct");
  });
});

describe("webhook backend", () => {
  it("posts signed JSON and sends the agent's answer", async () => {
    const agent = await fakeWebhookAgent({ secret: "whsec-test-123", replies: [{ status: 200, body: { text: "Ticket #42 created." } }] });
    const workspaceId = await workspaceWith("webhook", { url: agent.url }, { signingSecret: "whsec-test-123" });
    const { channel, user } = await openChannel(workspaceId);
    await deliver(channel, dmUpdate(user, "Open a ticket"));
    expect(await waitForTexts(channel.bot, user.id, 1)).toEqual(["Ticket #42 created."]);
    const [call] = await agent.calls();
    expect(call!.verified).toBe(true);
    expect(call!.body).toMatchObject({ message: "Open a ticket", channel: { id: channel.id, provider: "telegram" }, sender: { id: String(user.id) } });
  });

  it("an agent that answers later (202) reaches the user through the push API", async () => {
    const agent = await fakeWebhookAgent({ secret: "whsec-later", replies: [{ status: 202 }] });
    const workspaceId = await workspaceWith("webhook", { url: agent.url }, { signingSecret: "whsec-later" });
    const { channel, user } = await openChannel(workspaceId);
    await deliver(channel, dmUpdate(user, "Run the nightly report"));
    await eventually(async () => expect(await agent.calls()).toHaveLength(1));
    await eventually(async () => expect((await channelLogs(channel.id)).map((log) => log.event)).toContain("agent.no_reply"));
    expect(await sentTexts(channel.bot, user.id)).toEqual([]);

    const [call] = await agent.calls();
    const key = (await api("POST", `/workspaces/${workspaceId}/api-keys`, { name: "agent" })).body.apiKey.key;
    const pushed = await worker(`/push/v1/threads/${call!.body.thread.id}/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ text: "Report ready: 3 incidents." }),
    });
    expect(pushed.status).toBe(202);
    expect(await waitForTexts(channel.bot, user.id, 1)).toEqual(["Report ready: 3 incidents."]);
  });
});

describe("voice replies", () => {
  it("follows the text with an OGG/Opus voice note from an OpenAI-compatible speech server", async () => {
    const fake = await fakeOpenAi();
    const workspaceId = await workspaceWith(
      "openai",
      { baseUrl: fake.baseUrl, model: "gpt-test", speech: { engine: "openai", baseUrl: fake.baseUrl, voice: "nova" } },
      { apiKey: fake.apiKey! },
    );
    const { channel, user } = await openChannel(workspaceId, { voiceReplies: true });
    await deliver(channel, dmUpdate(user, "Read this to me"));
    const [voice] = await eventually(async () => {
      const calls = await telegramCalls(channel.bot, "sendVoice");
      expect(calls).toHaveLength(1);
      return calls;
    }, 10_000);
    expect(voice!.params.chat_id).toBe(String(user.id));
    expect(voice!.params.voice.mime).toBe("audio/ogg");
    expect(atob(voice!.params.voice.base64).slice(0, 4)).toBe("OggS");
    const [speech] = await fake.calls("audio/speech");
    expect(speech!.body).toMatchObject({ input: "You said: Read this to me", voice: "nova", response_format: "opus" });
    // The text came first.
    const [text] = await telegramCalls(channel.bot, "sendMessage");
    expect(text!.at).toBeLessThanOrEqual(voice!.at);
  });

  it("speaks with Workers AI Aura by default", async () => {
    const marker = workersAiMarker();
    const workspaceId = await workspaceWith("echo", {});
    const { channel, user } = await openChannel(workspaceId, { voiceReplies: true });
    await deliver(channel, dmUpdate(user, `Say ${marker.marker}`));
    await eventually(async () => expect(await telegramCalls(channel.bot, "sendVoice")).toHaveLength(1), 10_000);
    const [call] = await marker.calls();
    expect(call!.model).toBe("@cf/deepgram/aura-1");
    expect(call!.inputs).toMatchObject({ encoding: "opus", container: "ogg" });
  });

  it("a speech failure never loses the text reply", async () => {
    const fake = await fakeOpenAi();
    await fake.fault("audio/speech", { status: 500 });
    const workspaceId = await workspaceWith(
      "openai",
      { baseUrl: fake.baseUrl, model: "gpt-test", speech: { engine: "openai", baseUrl: fake.baseUrl } },
      { apiKey: fake.apiKey! },
    );
    const { channel, user } = await openChannel(workspaceId, { voiceReplies: true });
    await deliver(channel, dmUpdate(user, "Speak up"));
    expect(await visibleTexts(channel.bot, user.id, 1, "You said: Speak up")).toEqual(["You said: Speak up"]);
    await eventually(async () => expect((await channelLogs(channel.id, "warn")).map((log) => log.event)).toContain("voice.failed"));
    expect(await telegramCalls(channel.bot, "sendVoice")).toEqual([]);
  });
});
