// Counts the timers armed in this isolate: setTimeout until it fires or is cleared, and
// AbortSignal.timeout() until its signal aborts (the runtime cannot clear those). workerd allows
// 10,000 active timers at a time; work that has ended must leave none behind.

export interface TimerTracker {
  /** The delays of the timers armed since trackTimers() that are still active. */
  armed(): number[];
  restore(): void;
}

export function trackTimers(): TimerTracker {
  const active = new Map<unknown, number>();
  const { setTimeout: originalSet, clearTimeout: originalClear } = globalThis;
  const originalTimeout = AbortSignal.timeout;

  globalThis.setTimeout = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const id = originalSet(
      (...callbackArgs: unknown[]) => {
        active.delete(id);
        callback(...callbackArgs);
      },
      ms,
      ...args,
    );
    active.set(id, ms ?? 0);
    return id;
  }) as typeof setTimeout;
  globalThis.clearTimeout = ((id: Parameters<typeof clearTimeout>[0]) => {
    active.delete(id);
    originalClear(id);
  }) as typeof clearTimeout;
  AbortSignal.timeout = (ms: number) => {
    const signal = originalTimeout.call(AbortSignal, ms);
    active.set(signal, ms);
    signal.addEventListener("abort", () => active.delete(signal), { once: true });
    return signal;
  };

  return {
    armed: () => [...active.values()],
    restore() {
      globalThis.setTimeout = originalSet;
      globalThis.clearTimeout = originalClear;
      AbortSignal.timeout = originalTimeout;
    },
  };
}
