// What the overview charts are made of, counted where it happens: the ChannelDO counts messages
// in and out, errors, pairing requests, distinct senders and reply latency into its own SQLite
// (a local write, no D1 round trip), and the log flush writes the hours that changed to D1's
// `channel_stats` in the batch it sends anyway (durable-objects/channel/log-flush.ts).
import type { LogLevel } from "../../worker/db/logs";
import { emptyHistogram, HOUR_MS, hourOf, latencyBucket, type HourRow } from "../../worker/core/stats";

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

export class ChannelStats {
  private created = false;

  constructor(
    private readonly sql: SqlStorage,
    /** False until the object belongs to a channel (and after it is destroyed): nothing is counted. */
    private readonly active: () => boolean,
  ) {}

  /** A stored inbound message from `senderId`. */
  received(senderId: string, now = Date.now()): void {
    if (!this.ready()) return;
    const hour = hourOf(now);
    this.bump(hour, "messages_in");
    this.sql.exec("INSERT INTO stats_senders (sender, seen_at) VALUES (?, ?) ON CONFLICT (sender) DO UPDATE SET seen_at = excluded.seen_at", senderId, now);
    this.sql.exec("INSERT INTO stats_hour_senders (hour, sender) VALUES (?, ?) ON CONFLICT DO NOTHING", hour, senderId);
  }

  /**
   * Every log line passes here: errors, pairing requests and sent messages are counted from it,
   * and a sent first reply to an inbound event gives that event's reply latency.
   */
  logged(level: LogLevel, event: string, detail: Record<string, unknown> | undefined, now = Date.now()): void {
    if (!this.ready()) return;
    const hour = hourOf(now);
    if (level === "error") this.bump(hour, "errors");
    if (event === "pairing.requested") this.bump(hour, "pairing_requests");
    if (event !== "outbound.sent") return;
    this.bump(hour, "messages_out");
    const key = typeof detail?.key === "string" ? detail.key : "";
    // Replies are keyed `<event id>:<n>`: the first one completes the answer's latency.
    if (!key.endsWith(":0")) return;
    const received = this.sql
      .exec<{ received_at: number }>("SELECT received_at FROM inbox WHERE event_id = ?", key.slice(0, -2))
      .toArray()[0];
    if (received) this.recordLatency(hour, now - received.received_at);
  }

  /** Hours not yet written to D1 (or changed since), with the distinct-sender counts as of now. */
  unwritten(channelId: string, now = Date.now()): { rows: HourRow[]; versions: [number, number][] } {
    if (!this.ready()) return { rows: [], versions: [] };
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
    // Forget what no chart needs from here any more.
    this.sql.exec("DELETE FROM stats_hour WHERE hour < ? AND written = version", hourOf(now) - LOCAL_HOURS_KEPT * HOUR_MS);
    this.sql.exec("DELETE FROM stats_hour_senders WHERE hour < ?", hourOf(now) - HOUR_MS);
    this.sql.exec("DELETE FROM stats_senders WHERE seen_at < ?", now - 7 * DAY_MS);
  }

  private ready(): boolean {
    if (!this.active()) {
      this.created = false;
      return false;
    }
    if (!this.created) {
      this.sql.exec(SCHEMA);
      this.created = true;
    }
    return true;
  }

  private bump(hour: number, column: "messages_in" | "messages_out" | "errors" | "pairing_requests"): void {
    this.sql.exec(
      `INSERT INTO stats_hour (hour, ${column}, version) VALUES (?, 1, 1) ON CONFLICT (hour) DO UPDATE SET ${column} = ${column} + 1, version = version + 1`,
      hour,
    );
  }

  private recordLatency(hour: number, ms: number): void {
    const row = this.sql.exec<{ latency: string }>("SELECT latency FROM stats_hour WHERE hour = ?", hour).toArray()[0];
    const histogram = emptyHistogram();
    const stored = row ? (JSON.parse(row.latency) as number[]) : [];
    stored.forEach((count, index) => {
      if (index < histogram.length) histogram[index] = count;
    });
    histogram[latencyBucket(Math.max(0, ms))]! += 1;
    this.sql.exec(
      "INSERT INTO stats_hour (hour, latency, version) VALUES (?, ?, 1) ON CONFLICT (hour) DO UPDATE SET latency = excluded.latency, version = version + 1",
      hour,
      JSON.stringify(histogram),
    );
  }
}
