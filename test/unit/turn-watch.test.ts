// durable-objects/channel/turn-watch.ts: one timer watches every running agent turn — "typing…"
// for a turn still running after the delay (shown again while it runs), the time limit (a
// TimeoutError abort) — and it stops once no turn runs.
import { describe, expect, it } from "vitest";
import { TurnWatch } from "../../durable-objects/channel/turn-watch";
import { trackTimersPerTest } from "../support/timers";

const timing = { limitMs: 400, typingDelayMs: 60, typingRefreshMs: 120, tickMs: 10 };
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const track = trackTimersPerTest();

describe("turn watch", () => {
  it("shows typing for a turn still running after the delay, again while it runs, and no more once it is finished", async () => {
    const watch = new TurnWatch(timing);
    let typing = 0;
    const turn = watch.start(() => (typing += 1));
    await pause(40);
    expect(typing).toBe(0);
    await pause(220); // 260 ms in: shown at about 60 and 180, and not before the delay
    expect(typing).toBeGreaterThanOrEqual(2);
    turn.finish();
    turn.finish();
    const shown = typing;
    await pause(150);
    expect(typing).toBe(shown);
    expect(turn.signal.aborted).toBe(false);
  });

  it("shows nothing for a quick turn, and runs one timer for many turns, stopped when the last finishes", async () => {
    const tracker = track();
    const watch = new TurnWatch(timing);
    let typing = 0;
    const turns = Array.from({ length: 20 }, () => watch.start(() => (typing += 1)));
    expect([tracker.intervals(), tracker.armed()]).toEqual([[timing.tickMs], []]);
    for (const turn of turns.slice(0, 19)) turn.finish();
    expect(tracker.intervals()).toEqual([timing.tickMs]);
    turns[19]!.finish();
    expect(tracker.intervals()).toEqual([]);
    await pause(100);
    expect(typing).toBe(0);
  });

  it("aborts a turn that runs past its limit with a TimeoutError; a later turn runs on", async () => {
    const watch = new TurnWatch(timing);
    const first = watch.start(null);
    await pause(200);
    const second = watch.start(null);
    const reason = await new Promise((resolve) => first.signal.addEventListener("abort", () => resolve(first.signal.reason)));
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason).toMatchObject({ name: "TimeoutError" });
    expect(second.signal.aborted).toBe(false);
    second.finish();
  });
});
