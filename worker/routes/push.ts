// The push API (/push/v1): an agent or an alerting system posts a message into a thread or to a
// channel user, authenticated with a workspace API key (Authorization: Bearer sbk_…).
import { Hono, type Context } from "hono";
import * as z from "zod";
import { looksLikeApiKey } from "../crypto/api-keys";
import { findApiKey, touchApiKey } from "../db/api-keys";
import { getDb } from "../db/client";
import type { Env } from "../env";
import { limitBody } from "../http/body-limit";
import { ApiError, readJson } from "../http/errors";
import { pushToThread, pushToUser } from "../services/push";

const messageSchema = z.object({ text: z.string().trim().min(1).max(20_000) }).strict();

type PushEnv = { Bindings: Env; Variables: { workspaceId: string } };

/** Longer than any id a client would send; the key is hashed, so its length costs nothing else. */
const MAX_IDEMPOTENCY_KEY_CHARS = 255;

/**
 * The Idempotency-Key header, taken whole (any characters), or undefined when absent. An empty
 * one is refused rather than read as "no key": the client meant to send one, and without it
 * every retry would be delivered again.
 */
function idempotencyKeyOf(c: Context<PushEnv>): string | undefined {
  const key = c.req.header("idempotency-key");
  if (key === undefined) return undefined;
  if (key.trim() === "") throw new ApiError(400, "Idempotency-Key must not be empty (leave the header out to send without one)");
  if (key.length > MAX_IDEMPOTENCY_KEY_CHARS) throw new ApiError(400, `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_CHARS} characters`);
  return key;
}

/** Pushed messages are capped at 20,000 characters; the body cannot need more than this. */
const MAX_PUSH_BODY_BYTES = 128 * 1024;

export const pushRoutes = new Hono<PushEnv>()
  .use("*", limitBody(MAX_PUSH_BODY_BYTES))
  .use("*", async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    const key = header.startsWith("Bearer ") ? header.slice(7).trim() : "";
    if (!looksLikeApiKey(key)) throw new ApiError(401, "missing or malformed API key (Authorization: Bearer sbk_…)");
    const db = getDb(c.env.DB);
    const row = await findApiKey(db, key);
    if (!row) throw new ApiError(401, "unknown API key");
    if (row.revokedAt) throw new ApiError(401, "this API key was revoked");
    c.set("workspaceId", row.workspaceId);
    c.executionCtx.waitUntil(touchApiKey(db, row.id));
    await next();
  })
  .post("/threads/:threadId/messages", async (c) => {
    const key = idempotencyKeyOf(c);
    const body = await readJson(c, messageSchema);
    const result = await pushToThread(c.env, getDb(c.env.DB), c.get("workspaceId"), c.req.param("threadId"), body.text, key);
    return c.json(result, 202);
  })
  .post("/channels/:channelId/users/:userId/messages", async (c) => {
    const key = idempotencyKeyOf(c);
    const body = await readJson(c, messageSchema);
    const { channelId, userId } = c.req.param();
    return c.json(await pushToUser(c.env, getDb(c.env.DB), c.get("workspaceId"), channelId, userId, body.text, key), 202);
  });
