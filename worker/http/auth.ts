// Who may use /api: a client with `Authorization: Bearer <ADMIN_TOKEN>` (scripts, CI), or the
// admin UI with a session cookie — and then every state-changing request must pass the CSRF
// check (worker/auth/csrf.ts). Secrets missing from the environment are reported by name.
import type { Context, MiddlewareHandler } from "hono";
import { readSessionCookie } from "../auth/cookies";
import { isStateChanging, requireCsrf } from "../auth/csrf";
import { readSession, type AdminSession, type SessionSecrets } from "../auth/sessions";
import { timingSafeEqual } from "../crypto/encoding";
import { getDb } from "../db/client";
import { missingSecrets, type Env } from "../env";
import { setActor } from "./audit";
import { ApiError } from "./errors";
import { countTokenAttempt } from "./token-limit";

/** Throws 503 naming the missing secrets; afterwards both secrets are known to be set. */
export function requireSecrets(env: Env): SessionSecrets {
  const missing = missingSecrets(env);
  if (missing.length > 0) {
    throw new ApiError(503, `server is not configured: missing secret ${missing.join(", ")}`, {
      hint: "run `npm run dev` locally (it creates .dev.vars), or `wrangler secret put <NAME>` when deployed",
    });
  }
  return { ADMIN_TOKEN: env.ADMIN_TOKEN!, ENCRYPTION_KEY: env.ENCRYPTION_KEY! };
}

/** The session the request's cookie names, if it is valid and live. */
export function sessionOf(c: Context<{ Bindings: Env }>, secrets: SessionSecrets): Promise<AdminSession | null> {
  return readSession(secrets, getDb(c.env.DB), readSessionCookie(c));
}

export const requireAdmin: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const secrets = requireSecrets(c.env);
  const header = c.req.header("authorization");
  if (header !== undefined) {
    // A bearer token is never sent by a browser on its own, so it needs no CSRF check. It is
    // rate-limited like the login: otherwise /api would be the place to guess ADMIN_TOKEN.
    const token = header.startsWith("Bearer ") ? header.slice(7) : "";
    const refund = await countTokenAttempt(c, secrets, "too many failed admin token attempts");
    if (!token || !timingSafeEqual(token, secrets.ADMIN_TOKEN)) throw new ApiError(401, "missing or wrong admin token");
    await refund();
    setActor(c, { kind: "token" });
    return next();
  }
  const session = await sessionOf(c, secrets);
  if (!session) throw new ApiError(401, "missing or wrong admin token, or the session has expired; log in again");
  if (isStateChanging(c.req.method)) requireCsrf(c, session.csrfToken, c.env.PUBLIC_URL);
  // Named in the audit log by the start of its id: enough to tell sessions apart, no credential.
  setActor(c, { kind: "session", id: session.id.slice(0, 12) });
  await next();
};
