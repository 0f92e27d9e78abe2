// GET /api/audit: what admins did, newest first, for every channel and workspace or one.
import { Hono } from "hono";
import * as z from "zod";
import { listAudit } from "../../db/audit";
import { getDb } from "../../db/client";
import type { Env } from "../../env";
import { ApiError } from "../../http/errors";

const querySchema = z.object({
  channelId: z.string().optional(),
  workspaceId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
});

export const auditRoutes = new Hono<{ Bindings: Env }>().get("/audit", async (c) => {
  const query = querySchema.safeParse(c.req.query());
  if (!query.success) throw new ApiError(400, `query: ${query.error.issues[0]!.message}`);
  const rows = await listAudit(getDb(c.env.DB), query.data);
  return c.json({
    entries: rows.map((row) => ({
      id: row.id,
      at: row.createdAt,
      actor: { kind: row.actorKind, id: row.actorId },
      action: row.action,
      channelId: row.channelId || null,
      workspaceId: row.workspaceId,
      target: { type: row.targetType, id: row.targetId },
      summary: row.summary,
    })),
  });
});
