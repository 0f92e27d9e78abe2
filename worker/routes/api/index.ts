// The admin API: everything under /api requires the admin bearer token.
import { Hono } from "hono";
import type { Env } from "../../env";
import { auditActions } from "../../http/audit";
import { requireAdmin } from "../../http/auth";
import { limitBody } from "../../http/body-limit";
import { ApiError } from "../../http/errors";
import { catalogRoutes } from "./catalog";
import { channelRoutes } from "./channels";
import { auditRoutes } from "./audit";
import { statsRoutes } from "./stats";
import { workspaceKeyRoutes } from "./workspace-keys";
import { workspaceTestRoutes } from "./workspace-test";
import { workspaceRoutes } from "./workspaces";

/** Admin requests are small JSON documents; anything larger is refused before it is read. */
const MAX_API_BODY_BYTES = 256 * 1024;

export const apiRoutes = new Hono<{ Bindings: Env }>()
  .use("*", requireAdmin)
  .use("*", limitBody(MAX_API_BODY_BYTES))
  .use("*", auditActions)
  .route("/", catalogRoutes)
  .route("/", statsRoutes)
  .route("/", auditRoutes)
  .route("/workspaces", workspaceRoutes)
  .route("/workspaces", workspaceTestRoutes)
  .route("/workspaces", workspaceKeyRoutes)
  .route("/channels", channelRoutes)
  .all("*", () => {
    throw new ApiError(404, "no such API route");
  });
