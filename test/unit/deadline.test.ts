// worker/core/deadline.ts: a time limit whose timer ends with the work, aborting like
// AbortSignal.timeout() (a DOMException named "TimeoutError") when the time runs out.
import { afterEach, describe, expect, it } from "vitest";
import { openaiBackend } from "../../worker/backends/openai";
import { deadline, withDeadline } from "../../worker/core/deadline";
import { agentRequest, backendError, context, fakeOpenAi, workspace } from "../support/backend-fakes";
import { trackTimers, type TimerTracker } from "../support/timers";

let tracker: TimerTracker | null = null;
afterEach(() => {
  tracker?.restore();
  tracker = null;
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("deadline", () => {
  it("aborts with a TimeoutError DOMException when the time runs out", async () => {
    const limit = deadline(20);
    const reason = await new Promise((resolve) => limit.signal.addEventListener("abort", () => resolve(limit.signal.reason)));
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: "TimeoutError" });
  });

  it("clear() disarms the timer: the signal never aborts", async () => {
    tracker = trackTimers();
    const limit = deadline(20);
    expect(tracker.armed()).toEqual([20]);
    limit.clear();
    limit.clear();
    expect(tracker.armed()).toEqual([]);
    await pause(50);
    expect(limit.signal.aborted).toBe(false);
  });

  it("follows a parent signal, and stops listening to it once cleared", async () => {
    tracker = trackTimers();
    const parent = new AbortController();
    const followed = deadline(60_000, parent.signal);
    const cleared = deadline(60_000, parent.signal);
    cleared.clear();
    parent.abort(new Error("the channel stopped"));
    expect(followed.signal.reason).toEqual(new Error("the channel stopped"));
    expect(cleared.signal.aborted).toBe(false);
    expect(tracker.armed()).toEqual([]);

    const late = deadline(60_000, parent.signal);
    expect(late.signal.reason).toEqual(new Error("the channel stopped"));
    expect(tracker.armed()).toEqual([]);
  });
});

describe("withDeadline", () => {
  it("leaves no timer armed when the work resolves or rejects", async () => {
    tracker = trackTimers();
    expect(await withDeadline(60_000, async (signal) => (signal.aborted ? "aborted" : "done"))).toBe("done");
    await expect(withDeadline(60_000, () => Promise.reject(new Error("refused")))).rejects.toThrow("refused");
    expect(tracker.armed()).toEqual([]);
  });

  it("times out a fetch with the TimeoutError that callers test for", async () => {
    const fake = await fakeOpenAi({ models: ["m"] });
    await fake.fault("chat/completions", { delayMs: 3000 }, { delayMs: 3000 });
    const slow = (signal: AbortSignal) => fetch(`${fake.baseUrl}/chat/completions`, { method: "POST", body: "{}", signal });
    const started = Date.now();
    await expect(withDeadline(200, slow)).rejects.toMatchObject({ name: "TimeoutError" });
    const ws = workspace({ baseUrl: fake.baseUrl, model: "m" }, { apiKey: "sk-test-key" });
    const message = await withDeadline(200, (signal) => backendError(openaiBackend.send(agentRequest(ws, "x"), context({ signal }))));
    expect(message).toBe("the OpenAI-compatible server: no complete answer before the run timed out");
    expect(Date.now() - started).toBeLessThan(2500);
  });
});
