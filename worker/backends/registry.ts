// Backend kinds by name. Later backends (openai, anythingllm, workers-ai, webhook) register here.
import { echoBackend } from "./echo";
import type { AgentBackend } from "./types";

const backends: Record<string, AgentBackend> = {
  [echoBackend.kind]: echoBackend,
};

export const backendKinds = Object.keys(backends);

export function listBackends(): AgentBackend[] {
  return Object.values(backends);
}

export function getBackend(kind: string): AgentBackend {
  const backend = backends[kind];
  if (!backend) throw new Error(`unknown agent backend "${kind}"`);
  return backend;
}
