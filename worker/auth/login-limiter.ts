// Login rate limit, kept in D1 so every Worker isolate sees the same count. Each attempt is
// counted before the token is compared, in one atomic upsert, so parallel guesses cannot slip
// past the limit; a successful login clears the client's count.
import { eq, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { loginAttempts } from "../db/schema";
import { sign } from "./session-keys";

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_MAX_ATTEMPTS = 10;

export type AttemptVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** Counts one attempt for `clientKey`; refuses it when the window's budget is spent. */
export async function countLoginAttempt(db: Db, clientKey: string, now = Date.now()): Promise<AttemptVerdict> {
  const windowExpired = sql`${loginAttempts.windowStart} <= ${now - LOGIN_WINDOW_MS}`;
  const row = await db
    .insert(loginAttempts)
    .values({ clientKey, windowStart: now, attempts: 1 })
    .onConflictDoUpdate({
      target: loginAttempts.clientKey,
      // SQLite evaluates every SET expression against the row as it was, so both CASEs agree.
      set: {
        attempts: sql`case when ${windowExpired} then 1 else ${loginAttempts.attempts} + 1 end`,
        windowStart: sql`case when ${windowExpired} then ${now} else ${loginAttempts.windowStart} end`,
      },
    })
    .returning()
    .get();
  if (row.attempts <= LOGIN_MAX_ATTEMPTS) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((row.windowStart + LOGIN_WINDOW_MS - now) / 1000)) };
}

/** Forgets the client's attempts after a successful login, and sweeps windows that ended. */
export async function clearLoginAttempts(db: Db, clientKey: string, now = Date.now()): Promise<void> {
  await db.batch([
    db.delete(loginAttempts).where(eq(loginAttempts.clientKey, clientKey)),
    db.delete(loginAttempts).where(lt(loginAttempts.windowStart, now - LOGIN_WINDOW_MS)),
  ]);
}

/**
 * A client's key: a keyed hash of its address, so the table holds no IP addresses (and a plain
 * hash of the small IPv4 space could be reversed). Only Cloudflare's own header is trusted: a
 * client can set X-Forwarded-For to anything. Without it (local dev) all clients share one key.
 */
export async function clientKeyOf(headers: Headers, key: CryptoKey): Promise<string> {
  return sign(key, `login-client.${headers.get("cf-connecting-ip") ?? "unknown"}`);
}
