// The ChannelDO's own SQLite: inbox (de-duplicated inbound events), outbox (replies awaiting
// delivery), log entries a failed flush could not write to D1, and a few small key/values.
// Inbox and outbox writes are synchronous, so each is durable before the DO answers the webhook.
// Each chat's queued rows are also kept in memory (ChatQueues), so reading what comes next costs
// no query.
// Log entries wait in memory for the pass's flush to D1 (they reach SQLite only when D1 fails):
// a crash can lose the entries of one pass, never a message.
import type { InboundMessage } from "../../worker/core/types";
import { ChatQueues, type QueuedEntry } from "./chat-queues";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS inbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  chat_key TEXT NOT NULL,
  message TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key TEXT NOT NULL UNIQUE,
  chat_id TEXT NOT NULL,
  kind TEXT NOT NULL DEFAULT 'text',
  text TEXT NOT NULL DEFAULT '',
  reply_to TEXT,
  edit_of TEXT,
  audio BLOB,
  mime TEXT,
  done_at INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_done ON outbox (done_at);
CREATE INDEX IF NOT EXISTS inbox_done ON inbox (state, received_at);
CREATE TABLE IF NOT EXISTS log_buffer (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  level TEXT NOT NULL,
  event TEXT NOT NULL,
  message TEXT NOT NULL,
  detail TEXT,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credential_entries (name TEXT PRIMARY KEY, sealed TEXT NOT NULL);
`;

/** Inbound events are remembered this long after processing, to recognise late redeliveries. */
const DEDUPE_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

export interface InboxRow {
  seq: number;
  eventId: string;
  chatKey: string;
  message: InboundMessage;
  attempts: number;
}

/** What an outbox row asks the provider to do. */
export type OutboundOp =
  | { kind: "text"; text: string; replyTo?: string }
  /** Replace the text of a message already in the chat (the end of a streamed reply). */
  | { kind: "edit"; messageId: string; text: string }
  | { kind: "voice"; audio: Uint8Array; mime: string };

export interface OutboxRow {
  seq: number;
  dedupeKey: string;
  chatId: string;
  op: OutboundOp;
  attempts: number;
  nextAttemptAt: number;
}

type OutboxRecord = {
  seq: number;
  dedupe_key: string;
  chat_id: string;
  kind: OutboundOp["kind"];
  text: string;
  reply_to: string | null;
  edit_of: string | null;
  audio: ArrayBuffer | null;
  mime: string | null;
  attempts: number;
  next_attempt_at: number;
};

function opOf(row: OutboxRecord): OutboundOp {
  if (row.kind === "edit") return { kind: "edit", messageId: row.edit_of!, text: row.text };
  if (row.kind === "voice") return { kind: "voice", audio: new Uint8Array(row.audio!), mime: row.mime! };
  return { kind: "text", text: row.text, replyTo: row.reply_to ?? undefined };
}

/** Messages stored by releases before reply addresses were the chat id itself (Telegram). */
export function storedMessage(json: string): InboundMessage {
  return withAddress(JSON.parse(json) as InboundMessage);
}

function withAddress(message: InboundMessage): InboundMessage {
  return message.address === undefined ? { ...message, address: message.chat.id } : message;
}

/**
 * Bodies (an event's message, a reply's text) kept in memory beside the queues, so the next
 * event or send needs no read. A backlog beyond this is read back from SQLite row by row.
 */
const MAX_BODIES_IN_MEMORY = 2000;

interface QueuedInbound extends QueuedEntry {
  eventId: string;
  /** Absent when the row was loaded from SQLite or the memory budget was spent. */
  message?: InboundMessage;
}

interface QueuedOutbound extends QueuedEntry {
  dedupeKey: string;
  /** Absent when loaded from SQLite, when over the budget, and for voice notes (their bytes). */
  op?: OutboundOp;
}

interface Queues {
  inbox: ChatQueues<QueuedInbound>;
  outbox: ChatQueues<QueuedOutbound>;
}

/** Entries taken for one flush: kept-in-SQLite ones up to `upTo`, then `fromMemory` from memory. */
export interface LogBatch {
  upTo: number;
  fromMemory: number;
  entries: BufferedLog[];
}

export interface BufferedLog {
  level: "info" | "warn" | "error";
  event: string;
  message: string;
  detail: Record<string, unknown> | null;
  createdAt: number;
}

/**
 * Changes to tables of objects created by earlier releases, in order. SCHEMA always describes the
 * latest tables, so an object created now starts at the end of this list; an older object runs
 * the entries after the version it recorded. Append only: never edit an entry that shipped.
 */
export const LOCAL_MIGRATIONS: readonly string[] = [
  // The queues are read from memory (see ChatQueues), so the per-chat indexes only cost writes;
  // pruning done operations still needs one on done_at.
  `DROP INDEX IF EXISTS inbox_pending; DROP INDEX IF EXISTS inbox_chat; DROP INDEX IF EXISTS outbox_chat;
   CREATE INDEX IF NOT EXISTS outbox_done ON outbox (done_at)`,
];

export class LocalStore {
  /**
   * False until the object knows its channel: an object addressed by a made-up channel id (a
   * random webhook URL) must not persist anything, so the tables are created only by `open()`.
   */
  private ready: boolean;
  /** The kv table in memory (see keyValues). */
  private kv: Map<string, unknown> | null = null;
  /** Log entries not yet flushed to D1, oldest first. */
  private readonly logs: BufferedLog[] = [];
  /** Whether `log_buffer` may hold entries (written there only when a flush failed). */
  private logsSpilled = true;
  /** Events being handled, by chat (see markInboundRunning). */
  private readonly running = new Map<string, Set<number>>();
  /**
   * Per chat, inbox events not yet finished and outbox operations not yet done: read once, then
   * kept in step by this store's own writes. They answer "what is next here?" and "anything
   * queued here?" (the flood limit at ingest) without a query.
   */
  private queued: Queues | null = null;
  /** Bodies held by the queues' entries (see MAX_BODIES_IN_MEMORY). */
  private bodies = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly migrations: readonly string[] = LOCAL_MIGRATIONS,
  ) {
    this.ready = sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'kv'").toArray().length > 0;
    if (this.ready) {
      this.createTables();
      this.resetRunning();
    }
  }

  /** Makes the store usable: creates the tables on first use, upgrades those of older objects. */
  open(): void {
    if (!this.ready) this.createTables();
  }

  /** After `deleteAll()`: the tables are gone until the object is used for a channel again. */
  forgetTables(): void {
    this.ready = false;
    this.kv = null;
    this.queued = null;
    this.bodies = 0;
    this.running.clear();
  }

  /** Creates the tables and upgrades older ones. */
  createTables(): void {
    this.sql.exec(SCHEMA);
    this.ready = true;
    const version = this.get<number>("schemaVersion");
    for (const statement of this.migrations.slice(version ?? this.migrations.length)) this.sql.exec(statement);
    if (version !== this.migrations.length) this.put("schemaVersion", this.migrations.length);
  }

  // --- inbox ---

  /** Stores an inbound event unless its id was seen before; true when it is new. */
  addInbound(eventId: string, chatKey: string, message: InboundMessage, now = Date.now()): boolean {
    const queues = this.queues(); // read before the write, or it would hold this event twice
    const inserted = this.sql
      .exec<{ seq: number }>(
        "INSERT INTO inbox (event_id, chat_key, message, next_attempt_at, received_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING RETURNING seq",
        eventId,
        chatKey,
        JSON.stringify(message),
        now,
        now,
      )
      .toArray()[0];
    if (!inserted) return false;
    queues.inbox.add(chatKey, { seq: inserted.seq, eventId, attempts: 0, nextAttemptAt: now, message: this.keepBody(withAddress(message)) });
    return true;
  }

  /** Events of a chat not yet handled (waiting or running). */
  queuedCount(chatKey: string): number {
    return this.queues().inbox.size(chatKey);
  }

  private queues(): Queues {
    if (this.queued) return this.queued;
    const queues: Queues = { inbox: new ChatQueues(), outbox: new ChatQueues() };
    if (this.ready) {
      const inbox = this.sql.exec<{ seq: number; event_id: string; chat_key: string; attempts: number; next_attempt_at: number }>(
        "SELECT seq, event_id, chat_key, attempts, next_attempt_at FROM inbox WHERE state IN ('pending', 'running') ORDER BY seq",
      );
      for (const row of inbox) queues.inbox.add(row.chat_key, { seq: row.seq, eventId: row.event_id, attempts: row.attempts, nextAttemptAt: row.next_attempt_at });
      const outbox = this.sql.exec<{ seq: number; dedupe_key: string; chat_id: string; attempts: number; next_attempt_at: number }>(
        "SELECT seq, dedupe_key, chat_id, attempts, next_attempt_at FROM outbox WHERE done_at IS NULL ORDER BY seq",
      );
      for (const row of outbox) queues.outbox.add(row.chat_id, { seq: row.seq, dedupeKey: row.dedupe_key, attempts: row.attempts, nextAttemptAt: row.next_attempt_at });
    }
    this.queued = queues;
    this.bodies = 0;
    return queues;
  }

  /** `body` if the memory budget has room (counted), else undefined: it is read back when needed. */
  private keepBody<T>(body: T): T | undefined {
    if (this.bodies >= MAX_BODIES_IN_MEMORY) return undefined;
    this.bodies += 1;
    return body;
  }

  private dropBody(entry: { message?: unknown; op?: unknown } | undefined): void {
    if (entry?.message !== undefined || entry?.op !== undefined) this.bodies -= 1;
  }

  /**
   * Chats whose oldest waiting event is due now, oldest first. Only a chat's oldest event is ever
   * due: the events behind it wait (per-chat order), so they must not wake the alarm either.
   */
  dueChats(now = Date.now()): string[] {
    const due: [string, number][] = [];
    for (const [chat, [head]] of this.queues().inbox.all()) if (head && head.nextAttemptAt <= now) due.push([chat, head.seq]);
    return due.sort((a, b) => a[1] - b[1]).map(([chat]) => chat);
  }

  /**
   * The chat's oldest pending event not already being handled, if it is due (later events wait
   * behind it: per-chat order). Events being handled are always the chat's oldest ones (a command
   * is taken while an agent turn of the same chat runs), so the next one comes after them.
   */
  nextInbound(chatKey: string, now = Date.now()): InboxRow | null {
    const handling = this.running.get(chatKey);
    const after = handling ? Math.max(...handling) : 0;
    const entry = this.queues().inbox.entries(chatKey).find((queued) => queued.seq > after);
    if (!entry || entry.nextAttemptAt > now) return null;
    const message = entry.message ?? this.storedInbound(entry.seq);
    return { seq: entry.seq, eventId: entry.eventId, chatKey, message, attempts: entry.attempts };
  }

  private storedInbound(seq: number): InboundMessage {
    return storedMessage(this.sql.exec<{ message: string }>("SELECT message FROM inbox WHERE seq = ?", seq).one().message);
  }

  /**
   * Taken by a chain. Kept in memory only, so taking an event writes nothing: its row stays
   * pending in SQLite, and an object that restarts before the event finishes handles it again
   * (replies are de-duplicated by their outbox key).
   */
  markInboundRunning(row: Pick<InboxRow, "seq" | "chatKey">): void {
    const handling = this.running.get(row.chatKey) ?? new Set<number>();
    handling.add(row.seq);
    this.running.set(row.chatKey, handling);
  }

  private notRunning(row: Pick<InboxRow, "seq" | "chatKey">): void {
    const handling = this.running.get(row.chatKey);
    handling?.delete(row.seq);
    if (handling?.size === 0) this.running.delete(row.chatKey);
  }

  /** Rows marked running by an earlier release (which wrote the state) are pending again. */
  resetRunning(): void {
    this.sql.exec("UPDATE inbox SET state = 'pending' WHERE state = 'running'");
  }

  finishInbound(row: Pick<InboxRow, "seq" | "chatKey">, state: "done" | "failed"): void {
    const queues = this.queues(); // read before the write, or it would still hold this event
    this.sql.exec("UPDATE inbox SET state = ?, message = '{}' WHERE seq = ?", state, row.seq);
    this.notRunning(row);
    this.dropBody(queues.inbox.remove(row.chatKey, row.seq));
  }

  retryInboundLater(row: Pick<InboxRow, "seq" | "chatKey">, at: number): void {
    const queues = this.queues(); // read before the write, or it would count this attempt twice
    this.sql.exec("UPDATE inbox SET attempts = attempts + 1, next_attempt_at = ? WHERE seq = ?", at, row.seq);
    this.notRunning(row);
    queues.inbox.postpone(row.chatKey, row.seq, at);
  }

  /** Forgets processed events and done operations older than the de-duplication window (at most hourly); true when it ran. */
  pruneInbox(now = Date.now()): boolean {
    if (now - (this.get<number>("inboxPrunedAt") ?? 0) < PRUNE_INTERVAL_MS) return false;
    this.sql.exec("DELETE FROM inbox WHERE state IN ('done', 'failed') AND received_at < ?", now - DEDUPE_WINDOW_MS);
    this.sql.exec("DELETE FROM outbox WHERE done_at < ?", now - DEDUPE_WINDOW_MS);
    this.put("inboxPrunedAt", now);
    return true;
  }

  // --- outbox ---

  /** Queues an operation; a repeated `dedupeKey` (the same reply re-produced after a crash) is ignored. */
  enqueue(dedupeKey: string, chatId: string, op: OutboundOp, now = Date.now()): void {
    const queues = this.queues(); // read before the write, or it would hold this operation twice
    const inserted = this.sql.exec<{ seq: number }>(
      `INSERT INTO outbox (dedupe_key, chat_id, kind, text, reply_to, edit_of, audio, mime, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING RETURNING seq`,
      dedupeKey,
      chatId,
      op.kind,
      op.kind === "voice" ? "" : op.text,
      op.kind === "text" ? (op.replyTo ?? null) : null,
      op.kind === "edit" ? op.messageId : null,
      op.kind === "voice" ? op.audio : null,
      op.kind === "voice" ? op.mime : null,
      now,
      now,
    );
    const seq = inserted.toArray()[0]?.seq;
    if (seq === undefined) return;
    queues.outbox.add(chatId, { seq, dedupeKey, attempts: 0, nextAttemptAt: now, op: op.kind === "voice" ? undefined : this.keepBody(op) });
  }

  /** True when the chat has messages waiting, so a live preview would jump the queue. */
  hasOutbound(chatId: string): boolean {
    return this.queues().outbox.size(chatId) > 0;
  }

  /** Chats with an operation due now. */
  outboxChats(now = Date.now()): string[] {
    const due: string[] = [];
    for (const [chat, entries] of this.queues().outbox.all()) if (entries.some((entry) => entry.nextAttemptAt <= now)) due.push(chat);
    return due;
  }

  /** The oldest queued message of a chat (sent strictly in order). */
  nextOutbound(chatId: string): OutboxRow | null {
    const entry = this.queues().outbox.entries(chatId)[0];
    if (!entry) return null;
    const op = entry.op ?? opOf(this.sql.exec<OutboxRecord>("SELECT * FROM outbox WHERE seq = ?", entry.seq).one());
    return { seq: entry.seq, dedupeKey: entry.dedupeKey, chatId, op, attempts: entry.attempts, nextAttemptAt: entry.nextAttemptAt };
  }

  /**
   * Marks an operation done (sent, or given up). The row stays, emptied, for the de-duplication
   * window: an event handled again after a restart produces the same keys, which must not send
   * a second copy of what was already sent.
   */
  completeOutbound(row: Pick<OutboxRow, "seq" | "chatId">, now = Date.now()): void {
    const queues = this.queues(); // read before the write, or it would still hold this operation
    this.sql.exec("UPDATE outbox SET done_at = ?, text = '', audio = NULL WHERE seq = ?", now, row.seq);
    this.dropBody(queues.outbox.remove(row.chatId, row.seq));
  }

  retryOutboundLater(row: Pick<OutboxRow, "seq" | "chatId">, at: number): void {
    const queues = this.queues(); // read before the write, or it would count this attempt twice
    this.sql.exec("UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ? WHERE seq = ?", at, row.seq);
    queues.outbox.postpone(row.chatId, row.seq, at);
  }

  // --- scheduling ---

  /**
   * When the next inbox row, outbox row or log flush is due, or null when nothing waits.
   * `queues: false` (a stopped channel) counts only the log flush: queued work waits for a start.
   */
  nextDueAt({ queues = true } = {}): number | null {
    const spilled = this.logsSpilled ? this.sql.exec<{ at: number | null }>("SELECT min(created_at) AS at FROM log_buffer").one().at : null;
    // After a failed flush, buffered logs wait for their retry time instead of re-arming at once.
    const oldestLog = [spilled, this.logs[0]?.createdAt ?? null].filter((at): at is number => at !== null);
    const logs = oldestLog.length === 0 ? null : Math.max(Math.min(...oldestLog), this.get<number>("logsRetryAt") ?? 0);
    const due = [queues ? this.queuesDueAt() : null, logs].filter((at): at is number => at !== null);
    return due.length > 0 ? Math.min(...due) : null;
  }

  /** The earliest time a chat's oldest event, or any operation, is due; null when none waits. */
  private queuesDueAt(): number | null {
    let earliest = Infinity;
    for (const [, [head]] of this.queues().inbox.all()) if (head) earliest = Math.min(earliest, head.nextAttemptAt);
    for (const [, entries] of this.queues().outbox.all()) for (const entry of entries) earliest = Math.min(earliest, entry.nextAttemptAt);
    return earliest === Infinity ? null : earliest;
  }

  /**
   * After a failed flush: the entries waiting in memory are kept in SQLite, so an eviction while
   * D1 is down cannot lose them, and the next flush backs off: 1 s, doubling, up to a minute.
   */
  logFlushFailed(now = Date.now()): void {
    for (const entry of this.logs.splice(0)) {
      this.sql.exec(
        "INSERT INTO log_buffer (level, event, message, detail, created_at) VALUES (?, ?, ?, ?, ?)",
        entry.level,
        entry.event,
        entry.message,
        entry.detail ? JSON.stringify(entry.detail) : null,
        entry.createdAt,
      );
      this.logsSpilled = true;
    }
    const failures = (this.get<number>("logFlushFailures") ?? 0) + 1;
    this.put("logFlushFailures", failures);
    this.put("logsRetryAt", now + Math.min(1000 * 2 ** (failures - 1), 60_000));
  }

  logFlushSucceeded(): void {
    this.delete("logFlushFailures");
    this.delete("logsRetryAt");
  }

  // --- log buffer ---

  bufferLog(entry: BufferedLog): void {
    this.logs.push(entry);
  }

  /**
   * Up to `limit` entries to flush, oldest first: those kept in SQLite by a failed flush, then
   * those in memory. Hand the batch to `dropLogs` once D1 has them.
   */
  bufferedLogs(limit: number): LogBatch {
    const rows = this.logsSpilled
      ? this.sql
          .exec<{ seq: number; level: BufferedLog["level"]; event: string; message: string; detail: string | null; created_at: number }>(
            "SELECT * FROM log_buffer ORDER BY seq LIMIT ?",
            limit,
          )
          .toArray()
      : [];
    if (rows.length === 0) this.logsSpilled = false;
    const spilled = rows.map((row) => ({
      level: row.level,
      event: row.event,
      message: row.message,
      detail: row.detail ? JSON.parse(row.detail) : null,
      createdAt: row.created_at,
    }));
    const fromMemory = this.logs.slice(0, limit - spilled.length);
    return { upTo: rows.at(-1)?.seq ?? 0, fromMemory: fromMemory.length, entries: [...spilled, ...fromMemory] };
  }

  dropLogs(batch: LogBatch): void {
    if (batch.upTo > 0) this.sql.exec("DELETE FROM log_buffer WHERE seq <= ?", batch.upTo);
    // Entries logged during the flush were appended behind the batch, so it is still the head.
    this.logs.splice(0, batch.fromMemory);
  }

  // --- credential entries (a bridge session's state, each entry sealed on its own) ---

  credentialEntries(): { name: string; sealed: string }[] {
    if (!this.ready) return [];
    return this.sql.exec<{ name: string; sealed: string }>("SELECT name, sealed FROM credential_entries").toArray();
  }

  putCredentialEntry(name: string, sealed: string): void {
    this.sql.exec("INSERT INTO credential_entries (name, sealed) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed", name, sealed);
  }

  deleteCredentialEntry(name: string): void {
    this.sql.exec("DELETE FROM credential_entries WHERE name = ?", name);
  }

  clearCredentialEntries(): void {
    if (this.ready) this.sql.exec("DELETE FROM credential_entries");
  }

  // --- key/values ---

  get<T>(key: string): T | undefined {
    if (!this.ready) return undefined;
    return this.keyValues().get(key) as T | undefined;
  }

  /**
   * Sets a value in memory only, for values rewritten on every message whose loss with the object
   * costs nothing that matters (activity times, which the next log flush carries to D1).
   */
  note(key: string, value: unknown): void {
    this.keyValues().set(key, value);
  }

  put(key: string, value: unknown): void {
    this.sql.exec("INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, JSON.stringify(value));
    // Kept as stored: a later read must not see an object the caller goes on changing.
    this.keyValues().set(key, JSON.parse(JSON.stringify(value)));
  }

  delete(key: string): void {
    if (!this.keyValues().has(key)) return;
    this.sql.exec("DELETE FROM kv WHERE key = ?", key);
    this.kv!.delete(key);
  }

  /**
   * The kv table, read once and then kept in step by put/delete: the object is its only writer,
   * and the hot path reads these values on every message.
   */
  private keyValues(): Map<string, unknown> {
    if (!this.kv) {
      this.kv = new Map();
      for (const row of this.sql.exec<{ key: string; value: string }>("SELECT key, value FROM kv")) this.kv.set(row.key, JSON.parse(row.value));
    }
    return this.kv;
  }
}
