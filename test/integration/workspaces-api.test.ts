// Workspaces through the admin API: write-only secrets, shared threads, deletion rules.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fakeAnythingLlm, fakeOpenAi } from "../support/backend-fakes";
import { api, deliver, dmUpdate, eventually, newUser, startTelegramChannel, chatMessages } from "../support/harness";

describe("workspace secrets", () => {
  it("are never returned, stored encrypted, merged on PATCH and removed with an empty value", async () => {
    const fake = await fakeOpenAi();
    const created = await api("POST", "/workspaces", {
      name: "GPT",
      backend: "openai",
      config: { baseUrl: fake.baseUrl, model: "gpt-test" },
      secrets: { apiKey: fake.apiKey },
    });
    expect(created.status).toBe(201);
    const id = created.body.workspace.id;
    expect(created.body.workspace.secrets).toBe("configured");
    expect(JSON.stringify((await api("GET", `/workspaces/${id}`)).body)).not.toContain(fake.apiKey!);
    const row = await env.DB.prepare("SELECT secrets_enc FROM workspaces WHERE id = ?").bind(id).first<{ secrets_enc: string }>();
    expect(row!.secrets_enc).toMatch(/^v1\./);
    expect(row!.secrets_enc).not.toContain(fake.apiKey!);

    // Adding another secret keeps the API key: the workspace still answers.
    expect((await api("PATCH", `/workspaces/${id}`, { secrets: { speechApiKey: "sk-speech" } })).status).toBe(200);
    const channel = await startTelegramChannel({ workspaceId: id, settings: { dmPolicy: "open" } });
    const user = newUser();
    await deliver(channel, dmUpdate(user, "still there?"));
    await eventually(async () => expect((await chatMessages(channel.bot, user.id)).map((m) => m.text)).toEqual(["You said: still there?"]));

    // Removing the API key makes the backend refuse (the fake demands it).
    await api("PATCH", `/workspaces/${id}`, { secrets: { apiKey: "" } });
    await deliver(channel, dmUpdate(user, "and now?"));
    await eventually(async () =>
      expect((await chatMessages(channel.bot, user.id)).map((m) => m.text).at(-1)).toBe("The assistant is unavailable right now. Please try again in a moment."),
    );
  });

  it("refuses an unknown backend kind and bad fields", async () => {
    const bad = await api("POST", "/workspaces", { name: "X", backend: "telepathy" });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^backend: must be one of: echo, /);
    expect((await api("POST", "/workspaces", { name: "", backend: "echo" })).status).toBe(400);
    expect((await api("PATCH", "/workspaces/ws_default", { color: "blue" })).status).toBe(400);
  });
});

describe("shared threads", () => {
  it("create their twin in AnythingLLM, and a channel bound to one talks in it", async () => {
    const fake = await fakeAnythingLlm();
    const ws = await api("POST", "/workspaces", { name: "Support", backend: "anythingllm", config: { baseUrl: fake.baseUrl, workspaceSlug: "support" }, secrets: { apiKey: fake.apiKey } });
    const thread = await api("POST", `/workspaces/${ws.body.workspace.id}/threads`, { title: "Team inbox" });
    expect(thread.status).toBe(201);
    const slug = thread.body.thread.backendRef;
    expect(slug).toBeTruthy();
    expect((await fake.calls("thread/new"))[0]!.body.name).toBe("Team inbox");

    const channel = await startTelegramChannel({ workspaceId: ws.body.workspace.id, threadId: thread.body.thread.id, settings: { dmPolicy: "open" } });
    const user = newUser();
    await deliver(channel, dmUpdate(user, "hello team"));
    await eventually(async () => expect(await chatMessages(channel.bot, user.id)).toHaveLength(1), 10_000);
    const chats = [...(await fake.calls("thread/stream-chat")), ...(await fake.calls("thread/chat"))];
    expect(chats.map((call) => call.path)).toContain(`/v1/workspace/support/thread/${slug}/stream-chat`);
  });

  it("answer 502 when the backend cannot create the thread, and store nothing", async () => {
    const fake = await fakeAnythingLlm();
    const ws = await api("POST", "/workspaces", { name: "Down", backend: "anythingllm", config: { baseUrl: fake.baseUrl, workspaceSlug: "support" }, secrets: { apiKey: "wrong-key" } });
    const result = await api("POST", `/workspaces/${ws.body.workspace.id}/threads`, { title: "Nope" });
    expect(result.status).toBe(502);
    expect(result.body.error).toMatch(/^the workspace's backend could not create the thread: /);
    expect((await api("GET", `/workspaces/${ws.body.workspace.id}/threads`)).body.threads).toEqual([]);
  });
});

describe("deleting a workspace", () => {
  it("is refused while channels use it", async () => {
    const ws = await api("POST", "/workspaces", { name: "Busy", backend: "echo" });
    const channel = await startTelegramChannel({ workspaceId: ws.body.workspace.id });
    const refused = await api("DELETE", `/workspaces/${ws.body.workspace.id}`);
    expect(refused).toEqual({ status: 409, body: { error: "workspace is used by channels; delete them first", channels: [channel.id] } });
    await api("DELETE", `/channels/${channel.id}`);
    expect((await api("DELETE", `/workspaces/${ws.body.workspace.id}`)).status).toBe(200);
  });
});
