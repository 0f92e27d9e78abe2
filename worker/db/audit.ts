// The audit log: admin actions through the API, bounded per channel like the channel logs.
import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Db } from "./client";
import { adminAudit } from "./schema";

export type AuditEntry = typeof adminAudit.$inferInsert;
export type AuditRow = typeof adminAudit.$inferSelect;

/** Newest entries kept per channel (and for actions not about a channel), as for channel logs. */
export const AUDIT_KEPT_PER_CHANNEL = 5000;

/** Records one action and prunes that channel's oldest entries beyond the bound, in one batch. */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  const channelId = entry.channelId ?? "";
  await db.batch([
    db.insert(adminAudit).values({ ...entry, channelId }),
    db
      .delete(adminAudit)
      .where(
        and(
          eq(adminAudit.channelId, channelId),
          lt(adminAudit.id, sql`(select id from admin_audit where channel_id = ${channelId} order by id desc limit 1 offset ${AUDIT_KEPT_PER_CHANNEL - 1})`),
        ),
      ),
  ]);
}

export async function listAudit(db: Db, options: { channelId?: string; workspaceId?: string; before?: number; limit: number }): Promise<AuditRow[]> {
  const conditions = [];
  if (options.channelId) conditions.push(eq(adminAudit.channelId, options.channelId));
  if (options.workspaceId) conditions.push(eq(adminAudit.workspaceId, options.workspaceId));
  if (options.before) conditions.push(lt(adminAudit.id, options.before));
  return db
    .select()
    .from(adminAudit)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(adminAudit.id))
    .limit(options.limit)
    .all();
}
