// The context sent to stateless chat models (OpenAI-compatible, Workers AI): Switchboard keeps
// the transcript, and each turn sends the system prompt, the most recent earlier turns that fit
// a budget, and the new user message.
import { optionalCount, optionalText } from "./config";
import type { BackendField, BackendWorkspace, TranscriptTurn } from "./types";

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ContextLimits {
  /** Earlier messages (user or assistant) sent at most. */
  maxTurns: number;
  /** Characters of system prompt + history + new message; history gets what is left. */
  maxChars: number;
}

export const DEFAULT_CONTEXT_LIMITS: ContextLimits = { maxTurns: 20, maxChars: 24_000 };

/**
 * Builds the messages for one turn. History is taken newest first while it fits, whole messages
 * only, and stops at the first one that does not fit (no gaps); the new message is always sent,
 * even when it alone exceeds the budget. The context starts at a user message, and consecutive
 * messages of one role are joined, because several chat templates (Llama, Mistral, Gemma served
 * by vLLM or Ollama) reject two user messages in a row — which happens after a failed run.
 */
export function buildChatMessages(systemPrompt: string | undefined, history: TranscriptTurn[], message: string, limits: ContextLimits): ChatMessage[] {
  const system = systemPrompt?.trim() ?? "";
  let budget = limits.maxChars - system.length - message.length;
  const kept: TranscriptTurn[] = [];
  for (let index = history.length - 1; index >= 0 && kept.length < limits.maxTurns; index -= 1) {
    const turn = history[index]!;
    if (turn.text.trim() === "") continue;
    if (turn.text.length > budget) break;
    budget -= turn.text.length;
    kept.unshift(turn);
  }
  while (kept[0]?.role === "assistant") kept.shift();

  const messages: ChatMessage[] = system ? [{ role: "system", content: system }] : [];
  for (const turn of [...kept, { role: "user" as const, text: message }]) {
    const last = messages[messages.length - 1];
    if (last && last.role === turn.role) last.content = `${last.content}\n\n${turn.text}`;
    else messages.push({ role: turn.role, content: turn.text });
  }
  return messages;
}

/** Reads the optional per-workspace limits, falling back to the defaults. */
export function contextLimits(settings: { maxHistoryTurns?: number; maxContextChars?: number }): ContextLimits {
  return {
    maxTurns: settings.maxHistoryTurns ?? DEFAULT_CONTEXT_LIMITS.maxTurns,
    maxChars: settings.maxContextChars ?? DEFAULT_CONTEXT_LIMITS.maxChars,
  };
}

/** How many turns a workspace's transcript backend is sent (its `maxHistoryTurns`, or the default). */
export function historyTurnsOf(workspace: BackendWorkspace): number {
  const turns = workspace.config.maxHistoryTurns;
  return typeof turns === "number" && Number.isInteger(turns) && turns >= 0 ? turns : DEFAULT_CONTEXT_LIMITS.maxTurns;
}

/** The admin-UI fields of backends that use Switchboard's transcript. */
export const transcriptFields: BackendField[] = [
  {
    name: "systemPrompt",
    label: "System prompt",
    type: "text",
    secret: false,
    required: false,
    help: "Instructions sent before every conversation.",
  },
  {
    name: "maxHistoryTurns",
    label: "History messages sent",
    type: "number",
    secret: false,
    required: false,
    help: `Earlier messages of the thread sent with each question (default ${DEFAULT_CONTEXT_LIMITS.maxTurns}).`,
  },
  {
    name: "maxContextChars",
    label: "Context budget (characters)",
    type: "number",
    secret: false,
    required: false,
    help: `System prompt + history + question, in characters (default ${DEFAULT_CONTEXT_LIMITS.maxChars}); older messages are left out first.`,
  },
];

/** The zod shape of those fields, to spread into a backend's config schema. */
export const transcriptSettings = {
  systemPrompt: optionalText,
  maxHistoryTurns: optionalCount,
  maxContextChars: optionalCount,
};
