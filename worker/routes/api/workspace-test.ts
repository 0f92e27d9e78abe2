// POST /api/workspaces/:id/test: the admin UI's "Test connection" (worker/services/workspace-test.ts).
import { Hono } from "hono";
import { getDb } from "../../db/client";
import { getWorkspace } from "../../db/workspaces";
import type { Env } from "../../env";
import { ApiError } from "../../http/errors";
import { testWorkspace } from "../../services/workspace-test";

export const workspaceTestRoutes = new Hono<{ Bindings: Env }>().post("/:id/test", async (c) => {
  const workspace = await getWorkspace(getDb(c.env.DB), c.req.param("id"));
  if (!workspace) throw new ApiError(404, "workspace not found");
  return c.json(await testWorkspace(c.env, workspace));
});
