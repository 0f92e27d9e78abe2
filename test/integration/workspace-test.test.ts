// POST /api/workspaces/:id/test runs the workspace's backend for real, with no side effects.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { fakeOpenAi } from "../support/backend-fakes";
import { api } from "../support/harness";

async function count(table: string): Promise<number> {
  return (await env.DB.prepare(`select count(*) as n from ${table}`).first<{ n: number }>())!.n;
}

describe("workspace connection test", () => {
  it("runs the echo backend once with the workspace's own config", async () => {
    const created = await api("POST", "/workspaces", { name: "Pinged", backend: "echo", config: { prefix: "Pong to " } });
    const before = [await count("threads"), await count("messages")];
    const result = await api("POST", `/workspaces/${created.body.workspace.id}/test`);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ ok: true, reply: "Pong to ping", latencyMs: expect.any(Number) });
    expect([await count("threads"), await count("messages")]).toEqual(before);
  });

  it("never shows part of the API key when the backend echoes it in a long error", async () => {
    const apiKey = "live_Q7fK2mZx9TbR4wLp8NcV1yHs6DgJ3aUe5XoB0tMiWqEr";
    const fake = await fakeOpenAi({ apiKey });
    // The key starts 20 characters before the point where error text is clipped.
    await fake.fault("models", { status: 401, body: { error: { message: `${"Authentication failed. ".repeat(12)}xxx ${apiKey}` } } });
    const created = await api("POST", "/workspaces", { name: "Echoes keys", backend: "openai", config: { baseUrl: fake.baseUrl, model: "gpt-test" }, secrets: { apiKey } });
    const result = await api("POST", `/workspaces/${created.body.workspace.id}/test`);
    expect(result.status).toBe(502);
    expect(result.body.error).toContain("answered 401");
    for (let start = 0; start + 8 <= apiKey.length; start += 4) expect(result.body.error).not.toContain(apiKey.slice(start, start + 8));
  });

  it("answers 404 for an unknown workspace", async () => {
    const result = await api("POST", "/workspaces/ws_missing/test");
    expect(result.status).toBe(404);
  });
});
