// What each chat command does. Parsing lives in worker/core/commands.ts.
import { helpText, type ParsedCommand } from "../../worker/core/commands";
import { chatRefOf, type ChatRef, type InboundMessage } from "../../worker/core/types";
import { deleteMissed, getRoute, listMissed, missedCounts, setListing } from "../../worker/db/routes";
import { countChatThreads, listChatThreads, ownerKeyOf } from "../../worker/db/threads";
import { newPersonalThread } from "./chat-threads";
import type { ChannelDeps, ReplySink } from "./deps";
import { publicName, texts } from "./texts";

/** How many threads `/threads` lists. */
const LISTED_THREADS = 10;
/** Personal threads one chat may create with `/new` (each may also create one in the backend). */
export const MAX_THREADS_PER_CHAT = 100;

export async function runCommand(deps: ChannelDeps, message: InboundMessage, command: ParsedCommand, reply: ReplySink): Promise<void> {
  const chat = chatRefOf(message);
  const syntax = deps.runtime.adapter.commandSyntax;
  switch (command.name) {
    case "start":
      reply.send(texts.connected(publicName(deps.runtime), syntax));
      return;
    case "help":
      reply.send(helpText(syntax));
      return;
    case "new": {
      if ((await countChatThreads(deps.db, ownerKeyOf(deps.runtime.row.id, chat.key))) >= MAX_THREADS_PER_CHAT) {
        reply.send(texts.tooManyThreads(MAX_THREADS_PER_CHAT, syntax));
        return;
      }
      const thread = await newPersonalThread(deps, chat, command.args.slice(0, 80) || "New thread");
      reply.send(texts.newThread(thread.title));
      return;
    }
    case "threads":
      return listThreads(deps, chat, reply);
    case "switch":
      return switchThread(deps, chat, command.args, reply);
    case "more":
      return deliverMissed(deps, chat.key, reply);
  }
}

async function listThreads(deps: ChannelDeps, chat: ChatRef, reply: ReplySink): Promise<void> {
  const chatKey = chat.key;
  const { db, runtime } = deps;
  const syntax = runtime.adapter.commandSyntax;
  const channelId = runtime.row.id;
  const threads = await listChatThreads(db, ownerKeyOf(channelId, chatKey), runtime.row.threadId, LISTED_THREADS);
  if (threads.length === 0) {
    reply.send(texts.noThreads(syntax));
    return;
  }
  const route = await getRoute(db, channelId, chatKey);
  const unread = await missedCounts(db, channelId, chatKey, threads.map((thread) => thread.id));
  await setListing(db, channelId, chat, threads.map((thread) => thread.id));
  const lines = threads.map((thread, index) => {
    const marks = [
      thread.id === route?.activeThreadId ? "active" : null,
      thread.id === runtime.row.threadId ? "shared" : null,
      unread.get(thread.id) ? `${unread.get(thread.id)} unread` : null,
    ].filter(Boolean);
    return `${index + 1}. ${thread.title}${marks.length ? ` (${marks.join(", ")})` : ""}`;
  });
  reply.send(["Your threads:", ...lines, "", texts.threadsFooter(syntax)].join("\n"));
}

async function switchThread(deps: ChannelDeps, chat: ChatRef, args: string, reply: ReplySink): Promise<void> {
  const chatKey = chat.key;
  const { db, runtime } = deps;
  const syntax = runtime.adapter.commandSyntax;
  const channelId = runtime.row.id;
  const route = await getRoute(db, channelId, chatKey);
  const number = /^\d+$/.test(args.trim()) ? Number(args.trim()) : null;
  const threadId = number === null ? undefined : route?.lastListing[number - 1];
  const thread = threadId ? await deps.cache.thread(threadId) : undefined;
  if (!thread) {
    // A number that is not on the list is named, so the user knows what went wrong.
    reply.send(number === null ? texts.switchUsage(syntax) : texts.noSuchThread(number, route?.lastListing.length ?? 0, syntax));
    return;
  }
  await deps.cache.setActiveThread(chat, thread.id);
  const missed = (await missedCounts(db, channelId, chatKey, [thread.id])).get(thread.id) ?? 0;
  reply.send(missed > 0 ? `${texts.switched(thread.title)}\n${texts.missedWhileAway(missed, syntax)}` : texts.switched(thread.title));
}

async function deliverMissed(deps: ChannelDeps, chatKey: string, reply: ReplySink): Promise<void> {
  const { db, runtime } = deps;
  const activeThreadId = await deps.cache.activeThread(chatKey);
  const missed = activeThreadId ? await listMissed(db, runtime.row.id, chatKey, activeThreadId) : [];
  if (missed.length === 0) {
    reply.send(texts.noMissed);
    return;
  }
  for (const item of missed) reply.send(item.text);
  await deleteMissed(db, missed.map((item) => item.id));
}
