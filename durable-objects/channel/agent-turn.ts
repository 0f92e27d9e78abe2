// One agent turn: store the user's message, run the backend outside the webhook request, store
// the answer, and deliver it — or hold it as a missed reply if the chat moved to another thread.
import { getBackend } from "../../worker/backends/registry";
import { synthesize } from "../../worker/backends/speech";
import { withDeadline } from "../../worker/core/deadline";
import type { ChatRef, InboundMessage } from "../../worker/core/types";
import { holdMissedReply } from "../../worker/db/routes";
import { appendMessageStatement, threadHistory, type ThreadRow } from "../../worker/db/threads";
import { activeThreadFor } from "./chat-threads";
import { LivePreview } from "./live-preview";
import type { ChannelDeps, ReplySink } from "./deps";
import { texts } from "./texts";

/** A run longer than this is abandoned and the user is told; the provider never waits on it. */
export const AGENT_TIMEOUT_MS = 5 * 60 * 1000;
/** Text-to-speech gets less time than the agent: the text reply is already on its way. */
const SPEECH_TIMEOUT_MS = 60_000;

/**
 * Prepares the turn (thread, stored message) and returns the running backend call as
 * `background`, so the chat's commands can be handled while a slow agent thinks.
 */
export async function runAgentTurn(
  deps: ChannelDeps,
  message: InboundMessage,
  chat: ChatRef,
  reply: ReplySink,
): Promise<{ background?: Promise<void> }> {
  const { db, runtime } = deps;
  const refusal = agentRefusal(runtime.workspace.agents, runtime.settings.agentWhitelist, message.text);
  if (refusal) {
    deps.log("info", "agent.refused", refusal, { eventId: message.eventId });
    reply.send(refusal);
    return {};
  }
  const askedAt = Date.now();
  const question = (threadId: string) =>
    appendMessageStatement(db, {
      id: `msg_${message.eventId}_${runtime.row.id}_u`,
      threadId,
      role: "user",
      text: message.text,
      channelId: runtime.row.id,
      senderId: message.sender.id,
      createdAt: askedAt,
    });
  // A chat's first thread is created with the question in the same round trip.
  const { thread, created } = await activeThreadFor(deps, chat, message.text, question);
  if (!created) await deps.writes.run([question(thread.id)]);
  // Wrapped in an object: returning the promise itself would make the caller await it.
  return { background: complete(deps, message, chat.key, thread, reply, askedAt) };
}

async function complete(deps: ChannelDeps, message: InboundMessage, chatKey: string, thread: ThreadRow, reply: ReplySink, askedAt: number): Promise<void> {
  const { db, runtime } = deps;
  const backend = getBackend(runtime.workspace.backend);
  const watched = deps.watchTurn(message.address);
  const stillActive = async () => (await deps.cache.activeThread(chatKey)) === thread.id;
  const preview = runtime.adapter.editText ? new LivePreview(runtime, deps.store, message.address, stillActive) : null;
  let answer: string;
  try {
    const turns = thread.backendRef ? 0 : (backend.historyTurns?.(runtime.workspace) ?? 0);
    // The newest stored turn is this message itself: read one more and leave it out below.
    const history = turns > 0 ? (await threadHistory(db, thread.id, turns + 1)).slice(0, -1) : [];
    const result = await backend.send(
      {
        workspace: runtime.workspace,
        thread: { id: thread.id, title: thread.title, backendRef: thread.backendRef },
        message: message.text,
        agent: addressedAgent(runtime.workspace.agents, message.text),
        sender: message.sender,
        channel: { id: runtime.row.id, provider: runtime.row.provider },
        history,
      },
      { env: deps.env, signal: watched.signal, onProgress: preview?.update },
    );
    answer = result.text;
  } catch (error) {
    const previewId = await preview?.settle();
    deps.log("error", "agent.failed", `Agent run failed: ${failureReason(error)}`, { eventId: message.eventId, thread: thread.id });
    if (previewId) reply.finishPreview(previewId, texts.agentUnavailable);
    else reply.send(texts.agentUnavailable);
    return;
  } finally {
    watched.finish();
  }
  const previewId = await preview?.settle();
  if (!answer.trim()) {
    // The agent answers later (webhook backends push through the API), or chose not to answer.
    deps.log("info", "agent.no_reply", "The agent returned no text; nothing was sent", { eventId: message.eventId, thread: thread.id });
    return;
  }

  // The thread's last_message_at follows by a trigger (migrations/0008).
  await deps.writes.run([
    appendMessageStatement(db, {
      id: `msg_${message.eventId}_${runtime.row.id}_a`,
      threadId: thread.id,
      role: "assistant",
      text: answer,
      channelId: runtime.row.id,
      // Threads list by time: a quick agent must not answer within its question's millisecond.
      createdAt: Math.max(Date.now(), askedAt + 1),
    }),
  ]);
  if (await stillActive()) {
    if (previewId) reply.finishPreview(previewId, answer);
    else reply.send(answer);
    if (runtime.settings.voiceReplies && runtime.adapter.sendVoice) await speak(deps, message, answer, reply);
    return;
  }
  await holdMissedReply(db, { id: `mr_${message.eventId}_${runtime.row.id}`, channelId: runtime.row.id, chatKey, threadId: thread.id, text: answer });
  if (previewId) reply.finishPreview(previewId, texts.previewMoved(thread.title));
  deps.log("info", "reply.held", `Reply held for thread "${thread.title}": the chat switched threads`, { eventId: message.eventId, thread: thread.id });
}

/** Follows the text reply with a voice note; a failure costs only the voice note, never the text. */
async function speak(deps: ChannelDeps, message: InboundMessage, answer: string, reply: ReplySink): Promise<void> {
  deps.deliverNow(message.address);
  try {
    const { config, secrets } = deps.runtime.workspace;
    const audio = await withDeadline(SPEECH_TIMEOUT_MS, (signal) => synthesize(config, secrets, answer, deps.env, signal));
    reply.sendVoice(audio.bytes, audio.mime);
  } catch (error) {
    deps.log("warn", "voice.failed", `Voice reply not sent: ${failureReason(error, SPEECH_TIMEOUT_MS)}`, { eventId: message.eventId });
  }
}

/** `@name …` addresses a named agent of the workspace. */
function addressedAgent(agents: string[], text: string): string | undefined {
  const name = /^@(\S+)/.exec(text.trim())?.[1];
  return name && agents.includes(name) ? name : undefined;
}

/** A refusal when the user addresses an agent this channel may not use. */
function agentRefusal(agents: string[], whitelist: string[], text: string): string | null {
  const agent = addressedAgent(agents, text);
  if (!agent || whitelist.includes(agent)) return null;
  const allowed = whitelist.filter((name) => agents.includes(name));
  return allowed.length > 0
    ? `The agent @${agent} is not available here. Allowed agents: ${allowed.map((name) => `@${name}`).join(", ")}.`
    : `The agent @${agent} is not available here.`;
}

/** A run that hit the time limit says so; other errors carry their own message. */
function failureReason(error: unknown, timeoutMs = AGENT_TIMEOUT_MS): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return `no answer within ${timeoutMs / 1000} s`;
  return (error as Error).message;
}
