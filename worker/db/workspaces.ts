// Workspace rows.
import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { workspaces } from "./schema";

export type WorkspaceRow = typeof workspaces.$inferSelect;

export async function getWorkspace(db: Db, id: string): Promise<WorkspaceRow | undefined> {
  return db.select().from(workspaces).where(eq(workspaces.id, id)).get();
}

export async function listWorkspaces(db: Db): Promise<WorkspaceRow[]> {
  return db.select().from(workspaces).orderBy(workspaces.createdAt).all();
}
