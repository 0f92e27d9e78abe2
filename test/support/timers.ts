// Counts the timers armed in this isolate: setTimeout until it fires or is cleared, and
// AbortSignal.timeout() until its signal aborts (the runtime cannot clear those); setInterval,
// apart, until it is cleared. workerd allows 10,000 active timers at a time; work that has ended
// must leave none behind.
import { afterEach } from "vitest";

export interface TimerTracker {
  /** The delays of the timers armed since trackTimers() that are still active. */
  armed(): number[];
  /** The periods of the intervals started since trackTimers() that are still running. */
  intervals(): number[];
  restore(): void;
}

export function trackTimers(): TimerTracker {
  const active = new Map<unknown, number>();
  const running = new Map<unknown, number>();
  const { setTimeout: originalSet, clearTimeout: originalClear, setInterval: originalSetInterval, clearInterval: originalClearInterval } = globalThis;
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
  globalThis.clearTimeout = untracking(active, originalClear);
  globalThis.setInterval = ((callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const id = originalSetInterval(callback, ms, ...args);
    running.set(id, ms ?? 0);
    return id;
  }) as typeof setInterval;
  globalThis.clearInterval = untracking(running, originalClearInterval);
  AbortSignal.timeout = (ms: number) => {
    const signal = originalTimeout.call(AbortSignal, ms);
    active.set(signal, ms);
    signal.addEventListener("abort", () => active.delete(signal), { once: true });
    return signal;
  };

  return {
    armed: () => [...active.values()],
    intervals: () => [...running.values()],
    restore() {
      globalThis.setTimeout = originalSet;
      globalThis.clearTimeout = originalClear;
      globalThis.setInterval = originalSetInterval;
      globalThis.clearInterval = originalClearInterval;
      AbortSignal.timeout = originalTimeout;
    },
  };
}

/**
 * For a test file: returns a function that starts tracking in a test (`const tracker = track()`);
 * the runtime's own timers are back after each test, whether it passed or not.
 */
export function trackTimersPerTest(): () => TimerTracker {
  let tracker: TimerTracker | null = null;
  afterEach(() => {
    tracker?.restore();
    tracker = null;
  });
  return () => (tracker = trackTimers());
}

/** `clear`, which also forgets the timer in `tracked`. */
function untracking<F extends (id: never) => void>(tracked: Map<unknown, number>, clear: F): F {
  return ((id: Parameters<F>[0]) => {
    tracked.delete(id);
    clear(id);
  }) as F;
}
