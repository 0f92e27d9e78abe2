// What the overview charts are made of, counted where it happens: the ChannelDO counts messages
// in and out, errors, pairing requests, distinct senders and reply latency in memory, adds them
// to its own SQLite once per log flush (a few statements per pass instead of several per
// message), and the log flush writes the hours that changed to D1's `channel_stats` in the batch
// it sends anyway (durable-objects/channel/log-flush.ts). Counts not yet added when the object
// is evicted are lost: the charts may undercount by one pass, messages never are.
import type { LogLevel } from "../../worker/db/logs";
import { addHistogram, emptyHistogram, HOUR_MS, hourOf, latencyBucket, type HourRow } from "../../worker/core/stats";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stats_hour (
  hour INTEGER PRIMARY KEY,
  messages_in INTEGER NOT NULL DEFAULT 0,
  messages_out INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  pairing_requests INTEGER NOT NULL DEFAULT 0,
  latency TEXT NOT NULL DEFAULT '[]',
  version INTEGER NOT NULL DEFAULT 0,
  written INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS stats_senders (
  sender TEXT PRIMARY KEY,
  seen_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stats_senders_seen ON stats_senders (seen_at);
CREATE TABLE IF NOT EXISTS stats_hour_senders (
  hour INTEGER NOT NULL,
  sender TEXT NOT NULL,
  PRIMARY KEY (hour, sender)
);
`;

/** Hours kept in the object (D1 keeps its own copy longer). */
const LOCAL_HOURS_KEPT = 8 * 24;
const DAY_MS = 24 * HOUR_MS;
/** How long the start of an unanswered event's latency is kept in memory. */
const RECEIVED_KEPT_MS = 10 * 60_000;

type Counter = "messages_in" | "messages_out" | "errors" | "pairing_requests";

/** One hour's counts since the last write to SQLite. */
interface PendingHour {
  counts: Record<Counter, number>;
  latency: number[];
  senders: Set<string>;
}

export class ChannelStats {
  private created = false;
  private readonly pending = new Map<number, PendingHour>();
  /** Senders seen since the last write, with when. */
  private readonly seen = new Map<string, number>();
  /** When each event still waiting for its first reply was received (the latency's start). */
  private readonly receivedAt = new Map<string, number>();
  private prunedHour = 0;

  constructor(
    private readonly sql: SqlStorage,
    /** False until the object belongs to a channel (and after it is destroyed): nothing is counted. */
    private readonly active: () => boolean,
  ) {}

  /** A stored inbound message from `senderId`. */
  received(senderId: string, eventId: string, now = Date.now()): void {
    if (!this.active()) return;
    const hour = this.hour(now);
    hour.counts.messages_in += 1;
    hour.senders.add(senderId);
    this.seen.set(senderId, now);
    this.receivedAt.set(eventId, now);
  }

  /**
   * Every log line passes here: errors, pairing requests and sent messages are counted from it,
   * and a sent first reply to an inbound event gives that event's reply latency.
   */
  logged(level: LogLevel, event: string, detail: Record<string, unknown> | undefined, now = Date.now()): void {
    if (!this.active()) return;
    const hour = this.hour(now);
    if (level === "error") hour.counts.errors += 1;
    if (event === "pairing.requested") hour.counts.pairing_requests += 1;
    if (event !== "outbound.sent") return;
    hour.counts.messages_out += 1;
    const key = typeof detail?.key === "string" ? detail.key : "";
    // Replies are keyed `<event id>:<n>`: the first one completes the answer's latency.
    if (!key.endsWith(":0")) return;
    const eventId = key.slice(0, -2);
    const received = this.receivedAt.get(eventId) ?? this.storedReceivedAt(eventId);
    this.receivedAt.delete(eventId);
    if (received !== undefined) hour.latency[latencyBucket(Math.max(0, now - received))]! += 1;
  }

  /** Hours not yet written to D1 (or changed since), with the distinct-sender counts as of now. */
  unwritten(channelId: string, now = Date.now()): { rows: HourRow[]; versions: [number, number][] } {
    if (!this.ready()) return { rows: [], versions: [] };
    this.persist();
    const records = this.sql
      .exec<{ hour: number; messages_in: number; messages_out: number; errors: number; pairing_requests: number; latency: string; version: number }>(
        // A few hours per flush keeps the batch under D1's parameter limit; the rest follow.
        "SELECT * FROM stats_hour WHERE written < version ORDER BY hour LIMIT 8",
      )
      .toArray();
    if (records.length === 0) return { rows: [], versions: [] };
    const distinct = (since: number) => this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM stats_senders WHERE seen_at >= ?", since).one().n;
    const users24h = distinct(now - DAY_MS);
    const users7d = distinct(now - 7 * DAY_MS);
    const rows = records.map((record) => ({
      channelId,
      hour: record.hour,
      messagesIn: record.messages_in,
      messagesOut: record.messages_out,
      errors: record.errors,
      pairingRequests: record.pairing_requests,
      activeUsers: this.sql.exec<{ n: number }>("SELECT count(*) AS n FROM stats_hour_senders WHERE hour = ?", record.hour).one().n,
      users24h,
      users7d,
      latency: JSON.parse(record.latency) as number[],
    }));
    return { rows, versions: records.map((record) => [record.hour, record.version]) };
  }

  /** After D1 took the rows: each is written up to the version read (a later count keeps it due). */
  markWritten(versions: [number, number][], now = Date.now()): void {
    for (const [hour, version] of versions) this.sql.exec("UPDATE stats_hour SET written = ? WHERE hour = ? AND written < ?", version, hour, version);
    // Forget what no chart needs from here any more (once an hour: nothing ages out sooner).
    if (this.prunedHour === hourOf(now)) return;
    this.prunedHour = hourOf(now);
    this.sql.exec("DELETE FROM stats_hour WHERE hour < ? AND written = version", hourOf(now) - LOCAL_HOURS_KEPT * HOUR_MS);
    this.sql.exec("DELETE FROM stats_hour_senders WHERE hour < ?", hourOf(now) - HOUR_MS);
    this.sql.exec("DELETE FROM stats_senders WHERE seen_at < ?", now - 7 * DAY_MS);
  }

  private ready(): boolean {
    if (!this.active()) {
      this.created = false;
      this.pending.clear();
      this.seen.clear();
      return false;
    }
    if (!this.created) {
      this.sql.exec(SCHEMA);
      this.created = true;
    }
    return true;
  }

  /** Adds the counts gathered in memory to the object's SQLite. */
  private persist(): void {
    for (const [hour, pending] of this.pending) {
      const { messages_in, messages_out, errors, pairing_requests } = pending.counts;
      const measured = pending.latency.some((count) => count > 0);
      const stored = measured ? this.sql.exec<{ latency: string }>("SELECT latency FROM stats_hour WHERE hour = ?", hour).toArray()[0] : undefined;
      const latency = measured ? JSON.stringify(addHistogram(pending.latency, stored ? (JSON.parse(stored.latency) as number[]) : [])) : "[]";
      this.sql.exec(
        `INSERT INTO stats_hour (hour, messages_in, messages_out, errors, pairing_requests, latency, version) VALUES (?, ?, ?, ?, ?, ?, 1)
         ON CONFLICT (hour) DO UPDATE SET messages_in = messages_in + excluded.messages_in, messages_out = messages_out + excluded.messages_out,
           errors = errors + excluded.errors, pairing_requests = pairing_requests + excluded.pairing_requests,
           latency = ${measured ? "excluded.latency" : "latency"}, version = version + 1`,
        hour,
        messages_in,
        messages_out,
        errors,
        pairing_requests,
        latency,
      );
      // One statement per hour and one for all senders, whatever their number (a JSON array).
      if (pending.senders.size > 0) {
        this.sql.exec(
          "INSERT INTO stats_hour_senders (hour, sender) SELECT ?, value FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
          hour,
          JSON.stringify([...pending.senders]),
        );
      }
    }
    if (this.seen.size > 0) {
      this.sql.exec(
        "INSERT INTO stats_senders (sender, seen_at) SELECT key, value FROM json_each(?) WHERE true ON CONFLICT (sender) DO UPDATE SET seen_at = excluded.seen_at",
        JSON.stringify(Object.fromEntries(this.seen)),
      );
    }
    this.pending.clear();
    this.seen.clear();
    // Events with no reply yet after a while (dropped, refused, a slow agent) are looked up in
    // the inbox if they ever get one, so this map stays small.
    for (const [eventId, at] of this.receivedAt) if (at < Date.now() - RECEIVED_KEPT_MS) this.receivedAt.delete(eventId);
  }

  private hour(now: number): PendingHour {
    const hour = hourOf(now);
    let pending = this.pending.get(hour);
    if (!pending) {
      pending = { counts: { messages_in: 0, messages_out: 0, errors: 0, pairing_requests: 0 }, latency: emptyHistogram(), senders: new Set() };
      this.pending.set(hour, pending);
    }
    return pending;
  }

  /** After a restart the start of an event's latency is read back from the inbox. */
  private storedReceivedAt(eventId: string): number | undefined {
    if (!this.ready()) return undefined;
    return this.sql.exec<{ received_at: number }>("SELECT received_at FROM inbox WHERE event_id = ?", eventId).toArray()[0]?.received_at;
  }
}
