// Applies the ADMIN_TOKEN rate limit (worker/auth/login-limiter.ts) to a request: /auth/login and
// bearer tokens on /api both go through here before the token is compared.
import type { Context } from "hono";
import { clientKeyOf } from "../auth/client-key";
import { countAttempt, refundAttempt } from "../auth/login-limiter";
import { sessionKey } from "../auth/session-keys";
import type { SessionSecrets } from "../auth/sessions";
import { getDb } from "../db/client";
import type { Env } from "../env";
import { ApiError } from "./errors";

/**
 * Counts an attempt to present ADMIN_TOKEN. Over the limit it throws 429 with Retry-After and
 * `retryAfterSeconds` (`refusal` starts the message); otherwise it returns a function that takes
 * the attempt back, to call once the token has proved correct.
 */
export async function countTokenAttempt(c: Context<{ Bindings: Env }>, secrets: SessionSecrets, refusal: string): Promise<() => Promise<void>> {
  const db = getDb(c.env.DB);
  const clientKey = await clientKeyOf(c.req.raw.headers, await sessionKey(secrets.ADMIN_TOKEN, secrets.ENCRYPTION_KEY));
  const verdict = await countAttempt(db, clientKey);
  if (!verdict.allowed) {
    c.header("retry-after", String(verdict.retryAfterSeconds));
    const minutes = Math.ceil(verdict.retryAfterSeconds / 60);
    throw new ApiError(429, `${refusal}; try again in ${minutes} minute${minutes === 1 ? "" : "s"}`, {
      retryAfterSeconds: verdict.retryAfterSeconds,
      // "global": too many failures from all clients together; another network will not help.
      limit: verdict.limit,
    });
  }
  return () => refundAttempt(db, clientKey);
}
