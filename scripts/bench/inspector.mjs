// workerd's inspector, as the bench uses it: a Miniflare target started with `inspectorPort`
// lists its isolates (the Worker with its Durable Objects, the local D1 simulator, …), and a
// minimal Chrome DevTools Protocol client talks to one of them (CPU profiles, heap usage).

/** The port the bench opens workerd's inspector on (`--profile`, `--soak`). */
export const INSPECTOR_PORT = 9329;

/** The isolates workerd lets the inspector see: `{ id, url }` (e.g. id `core:user:switchboard`). */
export async function inspectorTargets(port = INSPECTOR_PORT) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  return targets.map(({ id, webSocketDebuggerUrl }) => ({ id, url: webSocketDebuggerUrl ?? `ws://127.0.0.1:${port}/${id}` }));
}

/** How long one command may take: some of the runtime's isolates never answer some commands. */
const COMMAND_TIMEOUT_MS = 5000;

/**
 * Opens a DevTools Protocol session on one isolate: `send(method, params)` resolves with the
 * result, or rejects after COMMAND_TIMEOUT_MS.
 */
export async function inspect(url) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });
  let nextId = 1;
  const pending = new Map();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error.message));
    else waiter.resolve(message.result);
  });
  return {
    send(method, params = {}) {
      const id = nextId++;
      socket.send(JSON.stringify({ id, method, params }));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${method}: no answer within ${COMMAND_TIMEOUT_MS / 1000} s`));
        }, COMMAND_TIMEOUT_MS);
        pending.set(id, {
          resolve: (result) => (clearTimeout(timer), resolve(result)),
          reject: (error) => (clearTimeout(timer), reject(error)),
        });
      });
    },
    close: () => socket.close(),
  };
}

