// The Worker: one Hono app, mounted in order — public health check, provider webhooks (each
// verified by its channel), then the admin API behind the admin token.
import { Hono } from "hono";
import type { Env } from "./env";
import { ApiError, handleError } from "./http/errors";
import { apiRoutes } from "./routes/api";
import { healthRoutes } from "./routes/health";
import { webhookRoutes } from "./routes/webhooks";

export { ChannelDO } from "../durable-objects/channel-do";

const app = new Hono<{ Bindings: Env }>()
  .route("/", healthRoutes)
  .route("/", webhookRoutes)
  .route("/api", apiRoutes)
  .notFound(() => {
    throw new ApiError(404, "not found");
  })
  .onError(handleError);

export default app;
