// The built-in offline backend: answers with the text it got, so a fresh install works end to end.
import type { AgentBackend } from "./types";

export const echoBackend: AgentBackend = {
  kind: "echo",
  async send(request) {
    const prefix = typeof request.workspace.config.prefix === "string" ? request.workspace.config.prefix : "Echo: ";
    return { text: `${prefix}${request.message}` };
  },
};
