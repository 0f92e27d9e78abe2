// The Worker: one Hono app, mounted in order — provider webhooks (each verified by its channel),
// then security headers on everything else, the public health check, the bridge link
// (BRIDGE_SECRET), the push API (workspace API keys), the admin login (/auth), the admin API
// (bearer token or session cookie), and last the admin UI's pages and assets.
import { Hono } from "hono";
import type { Env } from "./env";
import { ApiError, handleError } from "./http/errors";
import { securityHeaders } from "./http/security-headers";
import { adminUiRoutes } from "./routes/admin-ui";
import { apiRoutes } from "./routes/api";
import { authRoutes } from "./routes/auth";
import { bridgeRoutes } from "./routes/bridge";
import { healthRoutes } from "./routes/health";
import { pushRoutes } from "./routes/push";
import { webhookRoutes } from "./routes/webhooks";

export { BridgeContainer } from "../durable-objects/bridge-container";
export { BridgeHubDO } from "../durable-objects/bridge-hub";
export { ChannelDO } from "../durable-objects/channel-do";

const app = new Hono<{ Bindings: Env }>()
  // Before the security headers: a webhook's answer goes to a provider's servers, never to a
  // browser, and it is the one response every message makes (the headers cost it eight writes).
  .route("/", webhookRoutes)
  .use("*", securityHeaders)
  .route("/", healthRoutes)
  .route("/", bridgeRoutes)
  .route("/push/v1", pushRoutes)
  .route("/auth", authRoutes)
  .route("/api", apiRoutes)
  .route("/", adminUiRoutes)
  .notFound(() => {
    throw new ApiError(404, "not found");
  })
  .onError(handleError);

export default app;
