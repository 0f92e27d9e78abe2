// The built-in offline backend: answers with the text it got, so a fresh install works end to end.
import type { AgentBackend } from "./types";

export const echoBackend: AgentBackend = {
  kind: "echo",
  label: "Echo (built in, offline)",
  fields: [
    { name: "prefix", label: "Reply prefix", type: "string", secret: false, required: false, help: 'Defaults to "Echo: ".' },
    {
      name: "delayMs",
      label: "Simulated thinking time (ms)",
      type: "number",
      secret: false,
      required: false,
      help: "Makes the echo answer slowly, to try typing indicators and catch-up.",
    },
  ],
  async send(request) {
    const { prefix, delayMs } = request.workspace.config;
    if (typeof delayMs === "number" && delayMs > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, 60_000)));
    return { text: `${typeof prefix === "string" ? prefix : "Echo: "}${request.message}` };
  },
};
