// /auth: the admin UI exchanges ADMIN_TOKEN for a session cookie, asks who it is, and logs out.
import { Hono } from "hono";
import * as z from "zod";
import { clearSessionCookie, writeSessionCookie } from "../auth/cookies";
import { requireCsrf, requireSameOrigin } from "../auth/csrf";
import { createSession, endSession } from "../auth/sessions";
import { timingSafeEqual } from "../crypto/encoding";
import { getDb } from "../db/client";
import type { Env } from "../env";
import { requireSecrets, sessionOf } from "../http/auth";
import { limitBody } from "../http/body-limit";
import { ApiError, readJson } from "../http/errors";
import { countTokenAttempt } from "../http/token-limit";

const loginSchema = z.object({ token: z.string().max(1024) }).strict();

/** A login body is `{ token }` of at most 1,024 characters; this leaves room for escaping. */
const MAX_AUTH_BODY_BYTES = 8 * 1024;

export const authRoutes = new Hono<{ Bindings: Env }>()
  // Answers carry the CSRF token or set the session: never cached by the browser or a proxy.
  .use("*", async (c, next) => {
    await next();
    c.header("cache-control", "no-store");
  })
  // Anyone can reach /auth: refuse a large body before it is read or parsed.
  .use("*", limitBody(MAX_AUTH_BODY_BYTES))
  .post("/login", async (c) => {
    const secrets = requireSecrets(c.env);
    requireSameOrigin(c, c.env.PUBLIC_URL);
    const { token } = await readJson(c, loginSchema);
    // The admin UI shows the rest of this message after "too many login attempts; ".
    const refund = await countTokenAttempt(c, secrets, "too many login attempts");
    if (!timingSafeEqual(token.trim(), secrets.ADMIN_TOKEN)) {
      throw new ApiError(401, "wrong admin token");
    }
    await refund();
    const { session, cookie } = await createSession(secrets, getDb(c.env.DB));
    writeSessionCookie(c, cookie, session.expiresAt);
    return c.json({ authenticated: true, csrfToken: session.csrfToken, expiresAt: session.expiresAt });
  })
  .get("/session", async (c) => {
    const session = await sessionOf(c, requireSecrets(c.env));
    // 200 either way: "not logged in" is an answer here, not an error.
    if (!session) return c.json({ authenticated: false });
    return c.json({ authenticated: true, csrfToken: session.csrfToken, expiresAt: session.expiresAt });
  })
  .post("/logout", async (c) => {
    const session = await sessionOf(c, requireSecrets(c.env));
    if (session) {
      requireCsrf(c, session.csrfToken, c.env.PUBLIC_URL);
      await endSession(getDb(c.env.DB), session.id);
    }
    clearSessionCookie(c);
    return c.json({ authenticated: false });
  });
