// Rate limit on ADMIN_TOKEN, kept in D1 so every Worker isolate sees the same counts. It covers
// both ways to present the token — POST /auth/login and a bearer token on /api — with one budget,
// since both guess the same secret. Each attempt is counted before the token is compared, in one
// atomic batch, so parallel guesses cannot slip past the limit; a correct token then takes its own
// attempt back, so only failures use up the budget (and a script's calls never do). A success
// does not wipe earlier failures: a client sharing an address or /64 with the operator or a CI
// job would otherwise get a fresh budget with each of their calls.
import { eq, lte, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { loginAttempts } from "../db/schema";

export const LOGIN_WINDOW_MS = 15 * 60 * 1000;
/** Failed attempts one client (an IPv4 address or an IPv6 /64) may make per window. */
export const LOGIN_MAX_ATTEMPTS = 10;
/**
 * Failed attempts all clients together may make per window: generous for people, but it bounds
 * guesses spread over many addresses, which the per-client limit alone cannot.
 */
export const GLOBAL_MAX_ATTEMPTS = 100;

/** The row for all clients; client keys are base64url HMACs, so this cannot be one of them. */
const ALL_CLIENTS = "*";

export type AttemptVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number; limit: "client" | "global" };

/** Counts one attempt for `clientKey`; refuses it when the client's or everyone's budget is spent. */
export async function countAttempt(db: Db, clientKey: string, now = Date.now()): Promise<AttemptVerdict> {
  // 1 if this client is within its own budget, else 0: a client already refused is not judged,
  // so it cannot use up everyone's budget and lock the operator out.
  const judged = sql`(select count(*) from ${loginAttempts} where ${loginAttempts.clientKey} = ${clientKey} and ${loginAttempts.attempts} <= ${LOGIN_MAX_ATTEMPTS})`;
  const [, [client], [all]] = await db.batch([
    // Ended windows go first, on every attempt, so a count never outlives its window.
    db.delete(loginAttempts).where(lte(loginAttempts.windowStart, now - LOGIN_WINDOW_MS)),
    db
      .insert(loginAttempts)
      .values({ clientKey, windowStart: now, attempts: 1 })
      .onConflictDoUpdate({ target: loginAttempts.clientKey, set: { attempts: sql`${loginAttempts.attempts} + 1` } })
      .returning(),
    db
      .insert(loginAttempts)
      .values({ clientKey: ALL_CLIENTS, windowStart: now, attempts: judged })
      .onConflictDoUpdate({ target: loginAttempts.clientKey, set: { attempts: sql`${loginAttempts.attempts} + ${judged}` } })
      .returning(),
  ]);
  const refusals: { limit: "client" | "global"; windowStart: number }[] = [];
  if (client!.attempts > LOGIN_MAX_ATTEMPTS) refusals.push({ limit: "client", windowStart: client!.windowStart });
  if (all!.attempts > GLOBAL_MAX_ATTEMPTS) refusals.push({ limit: "global", windowStart: all!.windowStart });
  if (refusals.length === 0) return { allowed: true };
  // Both limits may be spent: the client has to wait for the later window end.
  const last = refusals.reduce((a, b) => (b.windowStart > a.windowStart ? b : a));
  return { allowed: false, limit: last.limit, retryAfterSeconds: Math.max(1, Math.ceil((last.windowStart + LOGIN_WINDOW_MS - now) / 1000)) };
}

/** Takes back an allowed attempt whose token was correct, for the client and for everyone. */
export async function refundAttempt(db: Db, clientKey: string): Promise<void> {
  const takeBack = { attempts: sql`max(${loginAttempts.attempts} - 1, 0)` };
  await db.batch([
    db.update(loginAttempts).set(takeBack).where(eq(loginAttempts.clientKey, clientKey)),
    db.update(loginAttempts).set(takeBack).where(eq(loginAttempts.clientKey, ALL_CLIENTS)),
  ]);
}
