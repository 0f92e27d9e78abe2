// The admin UI: a single-page app built into admin-ui/dist (scripts/build-admin-ui.mjs) and
// served from the ASSETS binding. Any other GET path is a page of the app (client-side routes),
// so the asset server's single-page fallback answers it with index.html.
import { Hono } from "hono";
import type { Env } from "../env";
import { ApiError } from "../http/errors";

/** Paths that belong to the API and webhooks: a miss there is a JSON 404, never the app's page. */
const RESERVED_PREFIXES = ["/api/", "/auth/", "/push/", "/webhooks/"];

export const adminUiRoutes = new Hono<{ Bindings: Env }>().get("*", async (c) => {
  const path = new URL(c.req.url).pathname;
  if (RESERVED_PREFIXES.some((prefix) => path.startsWith(prefix))) throw new ApiError(404, "not found");
  if (!c.env.ASSETS) {
    throw new ApiError(503, "the admin UI is not built", { hint: "run `npm run build:ui` (npm run dev and wrangler deploy run it for you)" });
  }
  const asset = await c.env.ASSETS.fetch(c.req.raw);
  // A copy, because fetched responses have immutable headers and the security headers go on next.
  const response = new Response(asset.body, asset);
  // index.html names the current bundle: revalidate it every time so a deploy is seen at once.
  if ((response.headers.get("content-type") ?? "").includes("text/html")) response.headers.set("cache-control", "no-cache");
  return response;
});
