// Backend kinds by name: the admin API validates `backend` against these, the catalog lists
// their fields, and a channel's agent turn looks its workspace's backend up here.
import { anythingLlmBackend } from "./anythingllm";
import { echoBackend } from "./echo";
import { openaiBackend } from "./openai";
import type { AgentBackend } from "./types";
import { webhookBackend } from "./webhook";
import { workersAiBackend } from "./workers-ai";

const backends: Record<string, AgentBackend> = Object.fromEntries(
  [echoBackend, openaiBackend, anythingLlmBackend, workersAiBackend, webhookBackend].map((backend) => [backend.kind, backend]),
);

export const backendKinds = Object.keys(backends);

/** Every backend, echo first (the offline default), in the order the admin UI offers them. */
export function listBackends(): AgentBackend[] {
  return Object.values(backends);
}

/** The backend of a kind; an unknown kind is a programming or data error, not a user one. */
export function getBackend(kind: string): AgentBackend {
  const backend = backends[kind];
  if (!backend) throw new Error(`unknown agent backend "${kind}"`);
  return backend;
}
