// /api/workspaces/:id/api-keys: keys for the push API, created (shown once), listed, revoked.
import { Hono } from "hono";
import * as z from "zod";
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyRow } from "../../db/api-keys";
import { getDb } from "../../db/client";
import { getWorkspace } from "../../db/workspaces";
import type { Env } from "../../env";
import { ApiError, readJson } from "../../http/errors";

function keyView(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.keyPrefix,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

async function workspaceIdOr404(env: Env, id: string): Promise<string> {
  if (!(await getWorkspace(getDb(env.DB), id))) throw new ApiError(404, "workspace not found");
  return id;
}

export const workspaceKeyRoutes = new Hono<{ Bindings: Env }>()
  .get("/:id/api-keys", async (c) => {
    const workspaceId = await workspaceIdOr404(c.env, c.req.param("id"));
    return c.json({ apiKeys: (await listApiKeys(getDb(c.env.DB), workspaceId)).map(keyView) });
  })
  .post("/:id/api-keys", async (c) => {
    const workspaceId = await workspaceIdOr404(c.env, c.req.param("id"));
    const body = await readJson(c, z.object({ name: z.string().trim().min(1).max(80) }).strict());
    const { row, key } = await createApiKey(getDb(c.env.DB), workspaceId, body.name);
    return c.json({ apiKey: { ...keyView(row), key } }, 201);
  })
  .delete("/:id/api-keys/:keyId", async (c) => {
    const workspaceId = await workspaceIdOr404(c.env, c.req.param("id"));
    if (!(await revokeApiKey(getDb(c.env.DB), workspaceId, c.req.param("keyId")))) throw new ApiError(404, "no such active key");
    return c.json({ revoked: c.req.param("keyId") });
  });
