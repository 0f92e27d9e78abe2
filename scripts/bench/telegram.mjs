// The fake Telegram Bot API (test/fakes), started in the bench process, plus a tap on the
// calls it answers: each sendMessage is timestamped (performance.now(), sub-millisecond) the
// moment the fake handles it, which is where an end-to-end measurement ends.
import { performance } from "node:perf_hooks";
import { startFakeProviders } from "../../test/fakes/server.ts";

export async function startFakeTelegram() {
  const fakes = await startFakeProviders({ telegram: { allowHttpWebhooks: true } });
  const listeners = new Set();
  const callCounts = new Map();
  // Wraps the instance's method (bench only): the fake itself stays as the tests use it.
  const handleApi = fakes.telegram.handleApi.bind(fakes.telegram);
  fakes.telegram.handleApi = (token, method, params) => {
    const at = performance.now();
    callCounts.set(method, (callCounts.get(method) ?? 0) + 1);
    const result = handleApi(token, method, params);
    for (const listener of listeners) listener({ token, method, params, at, status: result.status });
    return result;
  };
  return {
    fakes,
    /** Calls `listener` for every Bot API call; returns an unsubscribe function. */
    onCall(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Bot API calls per method since the last reset. */
    takeCallCounts() {
      const counts = Object.fromEntries(callCounts);
      callCounts.clear();
      return counts;
    },
  };
}
