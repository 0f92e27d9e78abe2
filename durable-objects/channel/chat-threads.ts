// A chat's threads: which one is active, creating personal threads, the bound default thread.
import { getBackend } from "../../worker/backends/registry";
import type { Statement } from "../../worker/db/prebuilt";
import { ownerKeyOf, type ThreadRow } from "../../worker/db/threads";
import type { ChatRef } from "../../worker/core/types";
import type { ChannelDeps } from "./deps";

/**
 * The chat's active thread; without one, the channel's bound thread or a new personal thread,
 * created (`created: true`) together with `firstWrite`, which then needs no round trip of its own.
 */
export async function activeThreadFor(
  deps: ChannelDeps,
  chat: ChatRef,
  titleHint: string,
  firstWrite?: (threadId: string) => Statement<unknown>,
): Promise<{ thread: ThreadRow; created: boolean }> {
  const { runtime } = deps;
  const activeId = await deps.cache.activeThread(chat.key);
  const active = activeId ? await deps.cache.thread(activeId) : undefined;
  if (active) return { thread: active, created: false };
  const bound = runtime.row.threadId ? await deps.cache.thread(runtime.row.threadId) : undefined;
  if (!bound) return { thread: await newPersonalThread(deps, chat, titleFrom(titleHint), firstWrite), created: true };
  await deps.cache.setActiveThread(chat, bound.id);
  return { thread: bound, created: false };
}

/**
 * Creates a personal thread for the chat (and its backend-side twin where the backend keeps
 * history) and makes it the chat's active thread.
 */
export async function newPersonalThread(
  deps: ChannelDeps,
  chat: ChatRef,
  title: string,
  firstWrite?: (threadId: string) => Statement<unknown>,
): Promise<ThreadRow> {
  const { runtime } = deps;
  const backend = getBackend(runtime.workspace.backend);
  const backendRef = backend.createThread ? await backend.createThread(runtime.workspace, title, deps.env) : null;
  return deps.cache.createActiveThread(chat, {
    workspaceId: runtime.workspace.id,
    title,
    kind: "personal",
    ownerKey: ownerKeyOf(runtime.row.id, chat.key),
    backendRef,
  }, firstWrite);
}

/** A thread title from the first message: its first line, shortened. */
export function titleFrom(text: string): string {
  const line = text.split("\n")[0]!.trim();
  if (!line) return "New thread";
  return line.length > 40 ? `${line.slice(0, 39)}…` : line;
}
