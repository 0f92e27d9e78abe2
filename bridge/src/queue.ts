// The bridge's outgoing events, per channel, on disk: one file per event, written atomically
// (write, fsync, rename) before anything is sent, removed only when the Worker acknowledged it.
// A crash or a cut link loses nothing; the same event (same id) is sent again. Bounded: past the
// limits the oldest chat messages are dropped (and counted); login and session-state events,
// which are small and which a session cannot do without, are always kept.
import { randomUUID } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { BridgeEvent, BridgeProvider } from "../../worker/bridge/protocol.ts";
import type { Logger } from "./log.ts";

export interface QueuedEvent {
  id: string;
  at: number;
  provider: BridgeProvider;
  event: BridgeEvent;
}

interface Entry {
  seq: number;
  id: string;
  bytes: number;
  kind: BridgeEvent["type"];
  file: string;
}

export interface QueueLimits {
  maxEvents: number;
  maxBytes: number;
}

export const DEFAULT_QUEUE_LIMITS: QueueLimits = { maxEvents: 20_000, maxBytes: 64 * 1024 * 1024 };

export class EventQueue {
  private readonly channels = new Map<string, Entry[]>();
  private seq = 0;
  private totalEvents = 0;
  private totalBytes = 0;
  /** Chat messages dropped because the queue was full, since start. */
  dropped = 0;

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
    private readonly limits: QueueLimits = DEFAULT_QUEUE_LIMITS,
  ) {
    mkdirSync(dir, { recursive: true });
    this.load();
  }

  /** Reads what a previous run left (events not yet acknowledged), in order. */
  private load(): void {
    for (const channelId of readdirSync(this.dir)) {
      const folder = join(this.dir, channelId);
      const files = readdirSync(folder).filter((name) => name.endsWith(".json")).sort();
      for (const name of files) {
        try {
          const text = readFileSync(join(folder, name), "utf8");
          const item = JSON.parse(text) as QueuedEvent;
          const seq = Number(name.slice(0, -5));
          this.track(channelId, { seq, id: item.id, bytes: text.length, kind: item.event.type, file: join(folder, name) });
          this.seq = Math.max(this.seq, seq);
        } catch {
          // Not ours (a torn write never gets its final name): set aside rather than resent.
          rmSync(join(folder, name), { force: true });
        }
      }
      for (const name of readdirSync(folder)) if (name.endsWith(".tmp")) rmSync(join(folder, name), { force: true });
    }
    if (this.totalEvents > 0) this.log.info("queue: events from the previous run will be sent again", { events: this.totalEvents });
  }

  private track(channelId: string, entry: Entry): void {
    const list = this.channels.get(channelId) ?? [];
    list.push(entry);
    this.channels.set(channelId, list);
    this.totalEvents += 1;
    this.totalBytes += entry.bytes;
  }

  /** Stores an event durably; returns it with its id. */
  append(channelId: string, provider: BridgeProvider, event: BridgeEvent, now = Date.now()): QueuedEvent {
    const item: QueuedEvent = { id: randomUUID(), at: now, provider, event };
    const text = JSON.stringify(item);
    const folder = join(this.dir, channelId);
    mkdirSync(folder, { recursive: true });
    this.seq += 1;
    const file = join(folder, `${String(this.seq).padStart(14, "0")}.json`);
    const fd = openSync(`${file}.tmp`, "w");
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(`${file}.tmp`, file);
    this.track(channelId, { seq: this.seq, id: item.id, bytes: text.length, kind: event.type, file });
    this.enforceLimits();
    return item;
  }

  private enforceLimits(): void {
    while (this.totalEvents > this.limits.maxEvents || this.totalBytes > this.limits.maxBytes) {
      // The oldest chat message of the longest queue goes first.
      const [channelId, list] = [...this.channels].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
      const victim = list?.find((entry) => entry.kind === "message");
      if (!channelId || !victim) return;
      this.removeEntries(channelId, [victim.id]);
      this.dropped += 1;
      this.log.warn("queue: full, dropped the oldest chat message", { channelId, dropped: this.dropped });
    }
  }

  /** The oldest events of a channel, at most `maxItems` and about `maxBytes`. */
  peek(channelId: string, maxItems: number, maxBytes: number): QueuedEvent[] {
    const out: QueuedEvent[] = [];
    let bytes = 0;
    for (const entry of this.channels.get(channelId) ?? []) {
      if (out.length >= maxItems || (out.length > 0 && bytes + entry.bytes > maxBytes)) break;
      out.push(JSON.parse(readFileSync(entry.file, "utf8")) as QueuedEvent);
      bytes += entry.bytes;
    }
    return out;
  }

  /** Forgets acknowledged events. */
  remove(channelId: string, ids: string[]): void {
    this.removeEntries(channelId, ids);
  }

  private removeEntries(channelId: string, ids: string[]): void {
    const list = this.channels.get(channelId);
    if (!list) return;
    const gone = new Set(ids);
    const keep: Entry[] = [];
    for (const entry of list) {
      if (!gone.has(entry.id)) {
        keep.push(entry);
        continue;
      }
      rmSync(entry.file, { force: true });
      this.totalEvents -= 1;
      this.totalBytes -= entry.bytes;
    }
    if (keep.length === 0) this.channels.delete(channelId);
    else this.channels.set(channelId, keep);
  }

  /** Ids of every event waiting now. */
  pendingIds(): Set<string> {
    return new Set([...this.channels.values()].flat().map((entry) => entry.id));
  }

  /** Channels with events waiting. */
  channelIds(): string[] {
    return [...this.channels.keys()];
  }

  size(): { events: number; bytes: number } {
    return { events: this.totalEvents, bytes: this.totalBytes };
  }
}
