// The admin API: everything under /api requires the admin bearer token.
import { Hono } from "hono";
import type { Env } from "../../env";
import { requireAdmin } from "../../http/auth";
import { ApiError } from "../../http/errors";
import { catalogRoutes } from "./catalog";
import { channelRoutes } from "./channels";
import { workspaceKeyRoutes } from "./workspace-keys";
import { workspaceTestRoutes } from "./workspace-test";
import { workspaceRoutes } from "./workspaces";

export const apiRoutes = new Hono<{ Bindings: Env }>()
  .use("*", requireAdmin)
  .route("/", catalogRoutes)
  .route("/workspaces", workspaceRoutes)
  .route("/workspaces", workspaceTestRoutes)
  .route("/workspaces", workspaceKeyRoutes)
  .route("/channels", channelRoutes)
  .all("*", () => {
    throw new ApiError(404, "no such API route");
  });
