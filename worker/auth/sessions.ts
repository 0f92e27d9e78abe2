// Admin UI sessions: an HMAC-signed cookie that names a row in `admin_sessions`. The signature
// lets garbage and forged cookies be refused without a database read; the row lets logout end a
// session for good. CSRF tokens are derived from the session id with the same key.
import { and, eq, gt, lt } from "drizzle-orm";
import { randomString } from "../crypto/random";
import type { Db } from "../db/client";
import { adminSessions } from "../db/schema";
import { sessionKey, sign, verify } from "./session-keys";

/** Absolute lifetime of a session; the operator logs in again after it. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface SessionSecrets {
  ADMIN_TOKEN: string;
  ENCRYPTION_KEY: string;
}

export interface AdminSession {
  id: string;
  expiresAt: number;
  /** Must come back in the `x-csrf-token` header of every state-changing request. */
  csrfToken: string;
}

const ID_CHARS = "0123456789abcdefghijklmnopqrstuvwxyz";

/** Starts a session; returns it with the cookie value that names it. */
export async function createSession(secrets: SessionSecrets, db: Db, now = Date.now()): Promise<{ session: AdminSession; cookie: string }> {
  const key = await sessionKey(secrets.ADMIN_TOKEN, secrets.ENCRYPTION_KEY);
  const id = `ses_${randomString(ID_CHARS, 32)}`;
  const expiresAt = now + SESSION_TTL_MS;
  // Expired rows are swept here, so the table never outgrows the sessions actually in use.
  await db.batch([db.insert(adminSessions).values({ id, createdAt: now, expiresAt }), db.delete(adminSessions).where(lt(adminSessions.expiresAt, now))]);
  const payload = `${id}.${expiresAt}`;
  return { session: { id, expiresAt, csrfToken: await sign(key, `csrf.${id}`) }, cookie: `${payload}.${await sign(key, payload)}` };
}

/** The live session a cookie names, or null (bad signature, expired, or ended by logout). */
export async function readSession(secrets: SessionSecrets, db: Db, cookie: string | undefined, now = Date.now()): Promise<AdminSession | null> {
  const match = /^(ses_[0-9a-z]{32})\.(\d{1,16})\.([A-Za-z0-9_-]+)$/.exec(cookie ?? "");
  if (!match) return null;
  const [, id, expires, signature] = match as unknown as [string, string, string, string];
  const key = await sessionKey(secrets.ADMIN_TOKEN, secrets.ENCRYPTION_KEY);
  if (!(await verify(key, `${id}.${expires}`, signature))) return null;
  const expiresAt = Number(expires);
  if (expiresAt <= now) return null;
  const row = await db
    .select({ id: adminSessions.id })
    .from(adminSessions)
    .where(and(eq(adminSessions.id, id), gt(adminSessions.expiresAt, now)))
    .get();
  if (!row) return null;
  return { id, expiresAt, csrfToken: await sign(key, `csrf.${id}`) };
}

/** Ends a session (logout): its cookie is refused from now on, even if someone kept a copy. */
export async function endSession(db: Db, id: string): Promise<void> {
  await db.delete(adminSessions).where(eq(adminSessions.id, id));
}
