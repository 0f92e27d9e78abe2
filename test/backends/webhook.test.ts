// The `webhook` backend against a receiver that verifies the signature the way docs/backends.md
// tells operators to (test/fakes/webhook-agent.ts, with Node's crypto, not our signing code).
import { describe, expect, it } from "vitest";
import { signWebhook, webhookBackend } from "../../worker/backends/webhook";
import { agentRequest, backendError, context, fakeWebhookAgent, workspace } from "../support/backend-fakes";

const SECRET = "whsec_0123456789abcdef";

async function setup(replies: unknown[] = [], receiverSecret = SECRET) {
  const agent = await fakeWebhookAgent({ secret: receiverSecret, replies });
  const ws = workspace({ url: agent.url }, { signingSecret: SECRET });
  return { agent, ws };
}

describe("webhook backend", () => {
  it("posts the documented JSON, signed so the receiver can verify it, and returns the answer", async () => {
    const { agent, ws } = await setup();
    const before = Math.floor(Date.now() / 1000);
    const reply = await webhookBackend.send(agentRequest(ws, "Server is down?"), context());
    expect(reply).toEqual({ text: "Webhook agent got: Server is down?" });

    const [call] = await agent.calls();
    expect(call!.verified).toBe(true);
    expect(call!.body).toEqual({
      workspace: { id: "ws_test", name: "Test workspace" },
      thread: { id: "thr_test", title: "Test thread" },
      message: "Server is down?",
      sender: { id: "4242", username: "ada", displayName: "Ada" },
      channel: { id: "ch_test", provider: "telegram" },
    });
    expect(call!.headers["content-type"]).toBe("application/json");
    expect(call!.headers["x-switchboard-signature"]).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(Number(call!.headers["x-switchboard-timestamp"])).toBeGreaterThanOrEqual(before);
  });

  it("includes the addressed agent", async () => {
    const { agent, ws } = await setup();
    await webhookBackend.send(agentRequest(ws, "@oncall page Bob", { agent: "oncall" }), context());
    expect((await agent.calls())[0]!.body.agent).toBe("oncall");
  });

  it("signs HMAC-SHA256 over `<timestamp>.<raw body>` as v1=<hex>", async () => {
    // Known answer computed with Node: createHmac("sha256", "whsec_test").update('1700000000.{"message":"hi"}').digest("hex").
    expect(await signWebhook("whsec_test", "1700000000", '{"message":"hi"}')).toBe("v1=1c1952db5c6fcf55f2ee798ab9dada6d48d7eec0daf420ae1443b1088315cfc7");
  });

  it("treats 202, 204 and an empty text as 'no reply now' (the agent answers later through the push API)", async () => {
    const { ws } = await setup([{ status: 202 }, { status: 204 }, { status: 200, body: { text: "" } }, { status: 200 }]);
    for (let index = 0; index < 4; index += 1) expect(await webhookBackend.send(agentRequest(ws, "x"), context())).toEqual({ text: "" });
  });

  it("accepts a text/plain answer", async () => {
    const { ws } = await setup([{ status: 200, body: "  Plain answer.\n", contentType: "text/plain" }]);
    expect(await webhookBackend.send(agentRequest(ws, "x"), context())).toEqual({ text: "Plain answer." });
  });

  it("fails when the receiver refuses the signature, without repeating the secret", async () => {
    const { ws } = await setup([], "another-secret");
    const message = await backendError(webhookBackend.send(agentRequest(ws, "x"), context()));
    expect(message).toBe("the webhook answered 401 (the receiver refused the request: check the signing secret): signature mismatch");
    expect(message).not.toContain(SECRET);
  });

  it("reports non-2xx answers with the receiver's reason", async () => {
    const { ws } = await setup([{ status: 500, body: { error: "database offline" } }]);
    expect(await backendError(webhookBackend.send(agentRequest(ws, "x"), context()))).toBe("the webhook answered 500 (server error): database offline");
  });

  it("refuses to follow redirects, which would drop the POST body, and names only the host", async () => {
    const { ws } = await setup([{ status: 302, headers: { location: "https://elsewhere.example/hook/secret-path" } }]);
    const message = await backendError(webhookBackend.send(agentRequest(ws, "x"), context()));
    expect(message).toMatch(/^the webhook at http:\/\/127\.0\.0\.1:\d+ answered 302 \(a redirect\): configure the final URL$/);
  });

  it("fails on a 200 answer that is neither { text } JSON nor plain text", async () => {
    const { ws } = await setup([{ status: 200, body: { answer: "wrong field" } }]);
    expect(await backendError(webhookBackend.send(agentRequest(ws, "x"), context()))).toContain('without a JSON { "text": … } body');
  });

  it("gives up when the run's signal times out", async () => {
    const { ws } = await setup([{ status: 200, body: { text: "late" }, delayMs: 3000 }]);
    expect(await backendError(webhookBackend.send(agentRequest(ws, "x"), context({ signal: AbortSignal.timeout(200) })))).toBe(
      "the webhook: no complete answer before the run timed out",
    );
  });

  it("requires the URL and the signing secret", async () => {
    expect(await backendError(webhookBackend.send(agentRequest(workspace({ url: "ftp://x" }, { signingSecret: "s" }), "x"), context()))).toContain("url");
    expect(await backendError(webhookBackend.send(agentRequest(workspace({ url: "https://example.com/hook" }), "x"), context()))).toContain("signingSecret");
  });
});
