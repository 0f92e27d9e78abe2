// Workspace API keys for the push API.
import { and, desc, eq, isNull } from "drizzle-orm";
import { hashApiKey, newApiKey } from "../crypto/api-keys";
import { newId } from "../crypto/random";
import type { Db } from "./client";
import { workspaceApiKeys } from "./schema";

export type ApiKeyRow = typeof workspaceApiKeys.$inferSelect;

/** Creates a key; the returned `key` is the only time the secret exists outside its hash. */
export async function createApiKey(db: Db, workspaceId: string, name: string): Promise<{ row: ApiKeyRow; key: string }> {
  const key = newApiKey();
  const row = await db
    .insert(workspaceApiKeys)
    .values({ id: newId("key"), workspaceId, name, keyHash: await hashApiKey(key), keyPrefix: key.slice(0, 10) })
    .returning()
    .get();
  return { row, key };
}

export async function listApiKeys(db: Db, workspaceId: string): Promise<ApiKeyRow[]> {
  return db.select().from(workspaceApiKeys).where(eq(workspaceApiKeys.workspaceId, workspaceId)).orderBy(desc(workspaceApiKeys.createdAt)).all();
}

/** Revokes a key; false when there is no such live key. */
export async function revokeApiKey(db: Db, workspaceId: string, id: string): Promise<boolean> {
  const rows = await db
    .update(workspaceApiKeys)
    .set({ revokedAt: Date.now() })
    .where(and(eq(workspaceApiKeys.workspaceId, workspaceId), eq(workspaceApiKeys.id, id), isNull(workspaceApiKeys.revokedAt)))
    .returning({ id: workspaceApiKeys.id })
    .all();
  return rows.length > 0;
}

/** The key row for a presented secret (revoked keys included, so callers can say so). */
export async function findApiKey(db: Db, key: string): Promise<ApiKeyRow | undefined> {
  return db.select().from(workspaceApiKeys).where(eq(workspaceApiKeys.keyHash, await hashApiKey(key))).get();
}

export async function touchApiKey(db: Db, id: string): Promise<void> {
  await db.update(workspaceApiKeys).set({ lastUsedAt: Date.now() }).where(eq(workspaceApiKeys.id, id));
}
