// The bridge's link and on-disk queue against a fake hub: events survive a restart and are sent
// again with the same ids, `ready` follows the replay, a link cut mid-stream loses and doubles
// nothing, a rejected batch is dropped, commands are answered, and the queue is bounded.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { BridgeEvent } from "../../worker/bridge/protocol.ts";
import { startBridge, type RunningBridge } from "../../bridge/src/bridge.ts";
import { silentLogger } from "../../bridge/src/log.ts";
import { EventQueue } from "../../bridge/src/queue.ts";
import { FakeHub } from "./support/fake-hub.ts";

const SECRET = "link-test-secret-0123456789";
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "bridge-link-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function hub(): Promise<{ hub: FakeHub; url: string }> {
  const fake = new FakeHub(SECRET);
  const url = await fake.listen();
  cleanup.push(() => fake.close());
  return { hub: fake, url };
}

async function bridge(url: string, dataDir: string, secret = SECRET): Promise<RunningBridge> {
  const running = await startBridge({ workerUrl: url, secret, bridgeId: "test", dataDir, httpPort: 0, factories: {}, log: silentLogger, ackTimeoutMs: 500, pingIntervalMs: 200 });
  cleanup.push(() => running.stop());
  return running;
}

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const message = (n: number): BridgeEvent => ({ type: "message", message: { n } });

describe("the queue", () => {
  it("keeps events on disk across a restart, in order, until they are removed", () => {
    const dir = tempDir();
    const first = new EventQueue(dir, silentLogger);
    const ids = [1, 2, 3].map((n) => first.append("ch_a", "whatsapp", message(n)).id);
    const second = new EventQueue(dir, silentLogger);
    expect(second.peek("ch_a", 10, 1e6).map((item) => item.id)).toEqual(ids);
    second.remove("ch_a", ids.slice(0, 2));
    expect(new EventQueue(dir, silentLogger).peek("ch_a", 10, 1e6).map((item) => item.id)).toEqual(ids.slice(2));
  });

  it("is bounded: the oldest chat messages go first, login and session state stay", () => {
    const dir = tempDir();
    const queue = new EventQueue(dir, silentLogger, { maxEvents: 3, maxBytes: 1e6 });
    queue.append("ch_a", "whatsapp", { type: "credentials", set: { creds: "{}" }, removed: [], replace: false });
    for (const n of [1, 2, 3]) queue.append("ch_a", "whatsapp", message(n));
    const kept = queue.peek("ch_a", 10, 1e6).map((item) => item.event);
    expect(kept).toEqual([{ type: "credentials", set: { creds: "{}" }, removed: [], replace: false }, message(2), message(3)]);
    expect(queue.dropped).toBe(1);
    expect(readdirSync(join(dir, "ch_a"))).toHaveLength(3);
  });
});

describe("the link", () => {
  it("replays what a previous run left with the same ids, then says ready", async () => {
    const dir = tempDir();
    const left = new EventQueue(join(dir, "queue"), silentLogger);
    const ids = [1, 2].map((n) => left.append("ch_a", "whatsapp", message(n)).id);
    const { hub: fake, url } = await hub();
    const running = await bridge(url, dir);
    await until(() => fake.readyCount === 1);
    expect([...fake.stored.keys()]).toEqual(ids);
    const readyAt = fake.frames.findIndex((frame) => frame.type === "ready");
    expect(fake.frames.findIndex((frame) => frame.type === "deliver")).toBeLessThan(readyAt);
    expect(running.queue.size().events).toBe(0);
  });

  it("loses and doubles nothing when the link is cut mid-stream", async () => {
    const { hub: fake, url } = await hub();
    const running = await bridge(url, tempDir());
    await until(() => fake.readyCount === 1);
    // Every third batch is stored by the hub but the link dies before its answer.
    let batches = 0;
    fake.onBatch = () => ((batches += 1) % 3 === 0 ? "cut" : "ack");
    const sent: string[] = [];
    for (let n = 0; n < 60; n++) {
      sent.push(running.queue.append(`ch_${n % 3}`, "whatsapp", message(n)).id);
      running.link.notify();
      if (n % 7 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await until(() => running.queue.size().events === 0 && fake.stored.size === 60, 15_000);
    expect(fake.connections).toBeGreaterThan(1);
    expect(fake.duplicates).toBeGreaterThan(0); // redelivered with the same ids…
    expect([...fake.stored.keys()].sort()).toEqual([...sent].sort()); // …and stored exactly once each
  });

  it("drops a batch the Worker rejects, and answers commands", async () => {
    const { hub: fake, url } = await hub();
    const running = await bridge(url, tempDir());
    await until(() => fake.readyCount === 1);
    fake.onBatch = () => "reject";
    running.queue.append("ch_x", "whatsapp", message(1));
    running.link.notify();
    await until(() => running.queue.size().events === 0);
    const result = await fake.command("ch_x", { op: "status" });
    expect(result).toMatchObject({ ok: true, value: { state: "stopped" } });
    const failed = await fake.command("ch_x", { op: "send", to: "1@s.whatsapp.net", text: "hi" });
    expect(failed).toMatchObject({ ok: false, kind: "transient" });
  });

  it("is refused with the wrong secret and keeps its events", async () => {
    const { hub: fake, url } = await hub();
    const running = await bridge(url, tempDir(), "a-different-secret-9876543210");
    running.queue.append("ch_a", "whatsapp", message(1));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.connections).toBe(0);
    expect(running.queue.size().events).toBe(1);
  });
});
