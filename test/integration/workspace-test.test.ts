// POST /api/workspaces/:id/test runs the workspace's backend for real, with no side effects.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
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

  it("answers 404 for an unknown workspace", async () => {
    const result = await api("POST", "/workspaces/ws_missing/test");
    expect(result.status).toBe(404);
  });
});
