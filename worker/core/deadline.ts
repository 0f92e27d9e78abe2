// Time limits that end with the work they limit. `AbortSignal.timeout()` arms a runtime timer
// that stays active until it fires, even when the call it guarded finished long ago: workerd
// allows 10,000 active timers at a time (a Durable Object's requests share them) and refuses more
// ("You have exceeded the number of active timeouts you may set"), and each armed timer keeps its
// signal, and whatever listens to it, in memory. A Deadline's timer is cleared when the work
// settles. Use it instead of `AbortSignal.timeout()` and long `setTimeout`s.

/** A time limit for one piece of work. */
export interface Deadline {
  /**
   * Aborts when the time is up, with a DOMException named "TimeoutError" (as
   * `AbortSignal.timeout()` does), or when the parent signal aborts, with the parent's reason.
   */
  readonly signal: AbortSignal;
  /** Disarms the timer and stops listening to the parent. Idempotent; call it when the work settles. */
  clear(): void;
}

/** The abort reason of a deadline that ran out: what `AbortSignal.timeout()` aborts with. */
export function timeoutError(): DOMException {
  return new DOMException("The operation was aborted due to timeout", "TimeoutError");
}

/**
 * Starts a time limit of `ms` milliseconds, optionally within a `parent` signal. The caller must
 * call `clear()` once the work is over (a `finally`); `withDeadline` does that for you.
 */
export function deadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  if (parent?.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, clear: () => undefined };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onParentAbort = () => {
    clear();
    controller.abort(parent!.reason);
  };
  const clear = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    parent?.removeEventListener("abort", onParentAbort);
  };
  timer = setTimeout(() => {
    timer = undefined;
    clear();
    controller.abort(timeoutError());
  }, ms);
  parent?.addEventListener("abort", onParentAbort, { once: true });
  return { signal: controller.signal, clear };
}

/**
 * Runs `work` with a signal that aborts after `ms` milliseconds (or with `parent`), and clears the
 * timer when `work` settles, whichever way.
 */
export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>, parent?: AbortSignal): Promise<T> {
  const limit = deadline(ms, parent);
  try {
    return await work(limit.signal);
  } finally {
    limit.clear();
  }
}
