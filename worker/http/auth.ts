// Bearer-token auth for /api. Secrets missing from the environment are reported by name.
import type { MiddlewareHandler } from "hono";
import { timingSafeEqual } from "../crypto/encoding";
import { missingSecrets, type Env } from "../env";
import { ApiError } from "./errors";

export const requireAdmin: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const missing = missingSecrets(c.env);
  if (missing.length > 0) {
    throw new ApiError(503, `server is not configured: missing secret ${missing.join(", ")}`, {
      hint: "run `npm run dev` locally (it creates .dev.vars), or `wrangler secret put <NAME>` when deployed",
    });
  }
  const header = c.req.header("authorization") ?? "";
  const token = header.startsWith("Bearer ") ? header.slice(7) : "";
  if (!token || !timingSafeEqual(token, c.env.ADMIN_TOKEN!)) throw new ApiError(401, "missing or wrong admin token");
  await next();
};
