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
  async send(request, { signal }) {
    const { prefix, delayMs } = request.workspace.config;
    if (typeof delayMs === "number" && delayMs > 0) await sleep(Math.min(delayMs, 60_000), signal);
    return { text: `${typeof prefix === "string" ? prefix : "Echo: "}${request.message}` };
  },
};

/** Waits `ms`, or rejects with the signal's reason; leaves neither a timer nor a listener behind. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
