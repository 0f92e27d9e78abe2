// A webhook agent as an operator would write one, served from Node under
// `/webhook-agent/<scope>`: it verifies Switchboard's signature exactly as docs/backends.md tells
// receivers to (HMAC-SHA256 over `<timestamp>.<raw body>`, constant-time compare, timestamps
// older than 5 minutes refused), records what it got, and answers with configured replies —
// by default `{ "text": "Webhook agent got: <message>" }`. Independent of Switchboard's own
// signing code on purpose, so a wrong signature cannot pass by symmetry. Plain erasable TypeScript.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { parseJson, readRawBody, sendJson, sleep } from "./fake-http.ts";

export interface WebhookReply {
  status: number;
  /** A string is sent as-is with `contentType`; anything else as JSON. Absent: empty body. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface WebhookScope {
  secret: string;
  /** Answers used in order, one per request; afterwards the default reply. */
  replies: WebhookReply[];
}

export interface WebhookCall {
  scope: string;
  headers: Record<string, string | undefined>;
  rawBody: string;
  body: unknown;
  verified: boolean;
  /** Why verification failed, when it did. */
  rejection: string | null;
  at: number;
}

/** Receivers should refuse older timestamps so a captured request cannot be replayed later. */
export const MAX_SIGNATURE_AGE_SECONDS = 300;

export class FakeWebhookAgent {
  readonly scopes = new Map<string, WebhookScope>();
  readonly calls: WebhookCall[] = [];

  async handle(path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(path, "http://fake");
    const raw = await readRawBody(request);
    if (url.pathname.startsWith("/__control/")) return this.control(`${request.method} ${url.pathname}`, url, parseJson(raw), response);

    const scopeName = url.pathname.slice(1);
    const scope = this.scopes.get(scopeName);
    if (!scope || request.method !== "POST") return sendJson(response, 404, { error: "not found" });

    const timestamp = header(request, "x-switchboard-timestamp");
    const signature = header(request, "x-switchboard-signature");
    const rejection = verify(scope.secret, timestamp, signature, raw);
    this.calls.push({
      scope: scopeName,
      headers: { "content-type": header(request, "content-type"), "x-switchboard-timestamp": timestamp, "x-switchboard-signature": signature, "user-agent": header(request, "user-agent") },
      rawBody: raw,
      body: parseJson(raw),
      verified: rejection === null,
      rejection,
      at: Date.now(),
    });
    if (rejection) return sendJson(response, 401, { error: rejection });

    const reply = scope.replies.shift();
    if (!reply) {
      const message = (parseJson(raw) as { message?: unknown } | undefined)?.message;
      return sendJson(response, 200, { text: `Webhook agent got: ${String(message)}` });
    }
    if (reply.delayMs) await sleep(reply.delayMs);
    if (response.destroyed) return;
    if (reply.body === undefined) {
      response.writeHead(reply.status, reply.headers ?? {});
      return void response.end();
    }
    if (typeof reply.body === "string") {
      response.writeHead(reply.status, { "content-type": reply.contentType ?? "text/plain; charset=utf-8", ...reply.headers });
      return void response.end(reply.body);
    }
    sendJson(response, reply.status, reply.body, reply.headers);
  }

  private control(route: string, url: URL, input: unknown, response: ServerResponse): void {
    const body = (input ?? {}) as Record<string, unknown>;
    switch (route) {
      case "POST /__control/scopes":
        this.scopes.set(String(body.scope), { secret: String(body.secret), replies: (body.replies as WebhookReply[] | undefined) ?? [] });
        return sendJson(response, 200, { ok: true });
      case "GET /__control/calls": {
        const scope = url.searchParams.get("scope");
        return sendJson(response, 200, { calls: this.calls.filter((call) => call.scope === scope) });
      }
      default:
        return sendJson(response, 404, { error: "no such fake endpoint" });
    }
  }
}

/** The receiver-side check from docs/backends.md; returns why it failed, or null. */
function verify(secret: string, timestamp: string | undefined, signature: string | undefined, rawBody: string): string | null {
  if (!timestamp || !signature) return "missing signature headers";
  if (!/^\d+$/.test(timestamp)) return "malformed timestamp";
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > MAX_SIGNATURE_AGE_SECONDS) return "timestamp too old";
  const expected = Buffer.from(`v1=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`, "utf8").digest("hex")}`);
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "signature mismatch";
  return null;
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
