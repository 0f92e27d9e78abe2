// Provider webhooks: GET or POST /webhooks/<provider>/<channelId>. The Worker only bounds the body
// and hands the request (method, URL with query, the headers its provider reads, raw body) to the
// channel's Durable Object, which verifies, de-duplicates and stores it before this request is
// answered.
import { Hono } from "hono";
import type { Env } from "../env";
import { limitBody } from "../http/body-limit";
import { ApiError } from "../http/errors";
import { channelStub } from "../http/stub";
import { findProvider } from "../providers/registry";
import type { ProviderAdapter } from "../providers/types";

/** Providers cap updates far below this; anything larger is not a real delivery. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

export const webhookRoutes = new Hono<{ Bindings: Env }>().on(
  ["GET", "POST"],
  "/webhooks/:provider/:channelId",
  limitBody(MAX_WEBHOOK_BYTES, "payload too large"),
  async (c) => {
    const { provider, channelId } = c.req.param();
    const adapter = findProvider(provider);
    if (!adapter || !/^ch_[a-z0-9]+$/.test(channelId)) throw new ApiError(404, "unknown channel");
    const request = c.req.raw;
    const ack = await channelStub(c.env, channelId).ingest(channelId, provider, {
      method: request.method,
      url: request.url,
      headers: headersFor(adapter, request.headers),
      rawBody: request.method === "GET" ? "" : await c.req.text(),
    });
    return new Response(ack.body, { status: ack.status, headers: { "content-type": ack.contentType } });
  },
);

/** The request's headers that `adapter` reads (`inboundHeaders`), as name/value pairs. */
function headersFor(adapter: ProviderAdapter, headers: Headers): [string, string][] {
  const kept: [string, string][] = [];
  for (const name of adapter.inboundHeaders) {
    const value = headers.get(name);
    if (value !== null) kept.push([name, value]);
  }
  return kept;
}
