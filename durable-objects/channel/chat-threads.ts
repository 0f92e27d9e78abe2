// A chat's threads: which one is active, creating personal threads, the bound default thread.
import { getBackend } from "../../worker/backends/registry";
import { createThread, getThread, ownerKeyOf, type ThreadRow } from "../../worker/db/threads";
import type { ChatRef } from "../../worker/core/types";
import type { ChannelDeps } from "./deps";

/** The chat's active thread; without one, the channel's bound thread or a new personal thread. */
export async function activeThreadFor(deps: ChannelDeps, chat: ChatRef, titleHint: string): Promise<ThreadRow> {
  const { db, runtime } = deps;
  const activeId = await deps.cache.activeThread(chat.key);
  const active = activeId ? await getThread(db, activeId) : undefined;
  if (active) return active;
  const bound = runtime.row.threadId ? await getThread(db, runtime.row.threadId) : undefined;
  const thread = bound ?? (await newPersonalThread(deps, chat.key, titleFrom(titleHint)));
  await deps.cache.setActiveThread(chat, thread.id);
  return thread;
}

/** Creates a personal thread for the chat (and its backend-side twin where the backend keeps history). */
export async function newPersonalThread(deps: ChannelDeps, chatKey: string, title: string): Promise<ThreadRow> {
  const { db, runtime } = deps;
  const backend = getBackend(runtime.workspace.backend);
  const backendRef = backend.createThread ? await backend.createThread(runtime.workspace, title, deps.env) : null;
  return createThread(db, {
    workspaceId: runtime.workspace.id,
    title,
    kind: "personal",
    ownerKey: ownerKeyOf(runtime.row.id, chatKey),
    backendRef,
  });
}

/** A thread title from the first message: its first line, shortened. */
export function titleFrom(text: string): string {
  const line = text.split("\n")[0]!.trim();
  if (!line) return "New thread";
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}
