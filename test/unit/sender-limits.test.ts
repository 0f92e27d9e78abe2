// The per-sender pace and notice throttle, and log collapsing, as pure logic with a fake clock.
import { describe, expect, it } from "vitest";
import { COLLAPSE_WINDOW_MS, LogCollapser } from "../../durable-objects/channel/log-collapse";
import { BURST, NOTICE_INTERVAL_MS, REFILL_MS, SenderLimits } from "../../durable-objects/channel/sender-limits";

describe("sender limits", () => {
  it("lets a burst through, then one message per refill interval", () => {
    const limits = new SenderLimits();
    const start = 1_000_000;
    for (let i = 0; i < BURST; i++) expect(limits.take("ada", start)).toBe(true);
    expect(limits.take("ada", start)).toBe(false);
    expect(limits.take("bob", start)).toBe(true); // others are not slowed
    expect(limits.take("ada", start + REFILL_MS - 1)).toBe(false);
    expect(limits.take("ada", start + REFILL_MS)).toBe(true);
    expect(limits.take("ada", start + REFILL_MS)).toBe(false);
  });

  it("repeats the same notice to a sender at most once per interval", () => {
    const limits = new SenderLimits();
    expect(limits.mayNotify("ada", "pairing-pending", 0)).toBe(true);
    expect(limits.mayNotify("ada", "pairing-pending", NOTICE_INTERVAL_MS - 1)).toBe(false);
    expect(limits.mayNotify("ada", "slow-down", 10)).toBe(true);
    expect(limits.mayNotify("ada", "pairing-pending", NOTICE_INTERVAL_MS)).toBe(true);
  });
});

describe("log collapsing", () => {
  const rejected = { level: "warn" as const, event: "inbound.rejected", message: "Request rejected" };

  it("writes the first of a kind, counts repeats, and summarises them when the window closes", () => {
    const collapser = new LogCollapser();
    expect(collapser.admit(rejected, 0)).toBe(true);
    for (let i = 1; i <= 99; i++) expect(collapser.admit(rejected, i)).toBe(false);
    expect(collapser.nextDueAt()).toBe(COLLAPSE_WINDOW_MS);
    expect(collapser.closed(COLLAPSE_WINDOW_MS - 1)).toEqual([]);
    expect(collapser.closed(COLLAPSE_WINDOW_MS)).toEqual([{ ...rejected, repeats: 99 }]);
    expect(collapser.admit(rejected, COLLAPSE_WINDOW_MS + 1)).toBe(true);
  });

  it("never collapses accepted messages, sends or failures", () => {
    const collapser = new LogCollapser();
    for (const event of ["inbound.accepted", "outbound.sent", "agent.failed"]) {
      const entry = { level: "info" as const, event, message: "same" };
      expect(collapser.admit(entry, 0)).toBe(true);
      expect(collapser.admit(entry, 1)).toBe(true);
    }
  });
});
