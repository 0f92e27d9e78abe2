// What tripped a new operator up, refused or explained where it happens: URLs without a scheme,
// mistyped group ids, which secrets are set, voice replies without a voice engine, and a backend
// host that cannot be reached.
import { describe, expect, it } from "vitest";
import { connectionHint } from "../../worker/backends/http";
import { placeholderDatabaseProblem } from "../../scripts/deploy-checks.mjs";
import { api, deliver, dmUpdate, newUser, startTelegramChannel, waitForTexts } from "../support/harness";

describe("workspace settings are checked when saved", () => {
  it("refuses a base URL without http:// or https://, naming the field and the likely fix", async () => {
    const created = await api("POST", "/workspaces", { name: "No scheme", backend: "openai", config: { baseUrl: "api.openai.com/v1", model: "gpt-4o-mini" } });
    expect(created.status).toBe(400);
    expect(created.body.error).toBe("Base URL: must start with http:// or https:// (did you mean https://api.openai.com/v1?)");

    const ok = await api("POST", "/workspaces", { name: "With scheme", backend: "openai", config: { baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini" } });
    expect(ok.status).toBe(201);
    const speech = await api("PATCH", `/workspaces/${ok.body.workspace.id}`, { config: { ...ok.body.workspace.config, speech: { engine: "openai", baseUrl: "localhost:8000/v1" } } });
    expect(speech.status).toBe(400);
    expect(speech.body.error).toMatch(/^Speech server base URL: must start with http:\/\/ or https:\/\//);
  });

  it("names the secrets that are set (never their values), so an unset speech key is not shown as configured", async () => {
    const created = await api("POST", "/workspaces", {
      name: "Keys",
      backend: "openai",
      config: { baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini" },
      secrets: { apiKey: "sk-chat-only" },
    });
    const read = await api("GET", `/workspaces/${created.body.workspace.id}`);
    expect(read.body.workspace.secrets).toBe("configured");
    expect(read.body.workspace.secretNames).toEqual(["apiKey"]);
    expect(JSON.stringify(read.body)).not.toContain("sk-chat-only");
  });

  it("says when voice notes cannot be spoken here (no AI binding, or no key for OpenAI's speech API)", async () => {
    const aura = await api("POST", "/workspaces", { name: "Aura", backend: "echo", config: { speech: { engine: "workers-ai" } } });
    // The test runtime has a stand-in AI binding: Aura is ready.
    expect(aura.body.workspace.voice).toEqual({ ready: true, problem: null });
    const openai = await api("POST", "/workspaces", { name: "OpenAI voice", backend: "echo", config: { speech: { engine: "openai" } } });
    expect(openai.body.workspace.voice.ready).toBe(false);
    expect(openai.body.workspace.voice.problem).toMatch(/no API key: set the Speech API key/);
  });
});

describe("channel settings are checked when saved", () => {
  it("refuses an allowed group id that cannot be one of the provider's, and says what they look like", async () => {
    const channel = await startTelegramChannel();
    const wrong = await api("PATCH", `/channels/${channel.id}`, { settings: { groupPolicy: "allowlist", allowedGroups: ["-1001234567890", "@team-room"] } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatch(/^Allowed groups: "@team-room" is not a Telegram group id; they look like -1001234567890/);
    const right = await api("PATCH", `/channels/${channel.id}`, { settings: { groupPolicy: "allowlist", allowedGroups: ["-1001234567890"] } });
    expect(right.status).toBe(200);
    const catalog = await api("GET", "/providers");
    const telegram = catalog.body.providers.find((provider: { id: string }) => provider.id === "telegram");
    expect(telegram.capabilities.groupIdFormat).toEqual({ pattern: "^-\\d+$", example: "-1001234567890" });
  });
});

describe("a user whose invite code failed", () => {
  it("waits without a pairing request; the admin can approve them from the Users list, and they are told", async () => {
    const channel = await startTelegramChannel();
    const user = newUser("Bo");
    await deliver(channel, dmUpdate(user, "/start BADCODE1"));
    await waitForTexts(channel.bot, user.id, 1);
    expect((await api("GET", `/channels/${channel.id}/pairing`)).body.requests).toEqual([]);
    const [waiting] = (await api("GET", `/channels/${channel.id}/users?state=pending`)).body.users;
    expect(waiting.providerUserId).toBe(String(user.id));

    const approved = await api("POST", `/channels/${channel.id}/users/${waiting.id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body.user.state).toBe("approved");
    expect((await waitForTexts(channel.bot, user.id, 2))[1]).toBe("You're approved! You are now connected to Default (echo).");
    await deliver(channel, dmUpdate(user, "now?"));
    expect((await waitForTexts(channel.bot, user.id, 3))[2]).toBe("Echo: now?");
    expect((await api("POST", `/channels/${channel.id}/users/${waiting.id}/approve`)).body).toEqual({ error: "user is already approved" });
  });

  it("a waiting user with a request is approved through it, so their held messages are answered", async () => {
    const channel = await startTelegramChannel();
    const user = newUser("Cy");
    await deliver(channel, dmUpdate(user, "question one"));
    await waitForTexts(channel.bot, user.id, 1);
    const [waiting] = (await api("GET", `/channels/${channel.id}/users?state=pending`)).body.users;
    await api("POST", `/channels/${channel.id}/users/${waiting.id}/approve`);
    expect((await waitForTexts(channel.bot, user.id, 3)).slice(1)).toEqual(["You're approved! You are now connected to Default (echo).", "Echo: question one"]);
    expect((await api("GET", `/channels/${channel.id}/pairing`)).body.requests).toEqual([]);
  });
});

describe("an unreachable backend host", () => {
  it("is explained instead of the runtime's opaque internal error", () => {
    const hint = connectionHint("internal error; reference = 3ij2k4l5m6n7");
    expect(hint).not.toMatch(/reference/);
    expect(hint).toMatch(/host name in the URL is spelled right.*server is running.*reachable from the internet/);
    expect(connectionHint("the server answered 500")).toBe("the server answered 500");
  });

  it("Test connection says what to check", async () => {
    const created = await api("POST", "/workspaces", { name: "Nowhere", backend: "openai", config: { baseUrl: "http://127.0.0.1:9/v1", model: "m" } });
    const test = await api("POST", `/workspaces/${created.body.workspace.id}/test`);
    expect(test.status).toBe(502);
    expect(test.body.error).not.toMatch(/internal error; reference/);
    expect(test.body.error).toMatch(/could not reach/);
  });
});

describe("npm run deploy", () => {
  it("stops before wrangler while wrangler.toml has the placeholder database_id", () => {
    const placeholder = '[[d1_databases]]\nbinding = "DB"\ndatabase_id = "00000000-0000-0000-0000-000000000000"\n';
    expect(placeholderDatabaseProblem(placeholder)).toMatch(/placeholder D1 database_id[\s\S]*npx wrangler d1 create switchboard/);
    expect(placeholderDatabaseProblem(placeholder.replace(/0{12}"/, '1234567890ab"'))).toBeNull();
  });
});
