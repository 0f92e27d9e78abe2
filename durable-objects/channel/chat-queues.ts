// What the object's memory knows of its queues: per chat, the inbox events not yet finished (or
// the outbox operations not yet done), in order. LocalStore loads it from SQLite once and then
// keeps it in step with its own writes (the object is the only writer), so "what comes next in
// this chat?" and "anything queued here?" need no query.

/** The fields every queued row keeps in memory. */
export interface QueuedEntry {
  seq: number;
  attempts: number;
  nextAttemptAt: number;
}

export class ChatQueues<E extends QueuedEntry> {
  private readonly chats = new Map<string, E[]>();

  /** Appends a row: seqs only grow (AUTOINCREMENT), so each chat's list stays in order. */
  add(chat: string, entry: E): void {
    const entries = this.chats.get(chat);
    if (entries) entries.push(entry);
    else this.chats.set(chat, [entry]);
  }

  /** Takes a row out (finished or done); returns it, or undefined when it was not queued. */
  remove(chat: string, seq: number): E | undefined {
    const entries = this.chats.get(chat);
    const index = entries?.findIndex((entry) => entry.seq === seq) ?? -1;
    if (index === -1) return undefined;
    const [removed] = entries!.splice(index, 1);
    if (entries!.length === 0) this.chats.delete(chat);
    return removed;
  }

  /** A failed attempt: the row counts one more and waits until `at`. */
  postpone(chat: string, seq: number, at: number): void {
    const entry = this.chats.get(chat)?.find((queued) => queued.seq === seq);
    if (!entry) return;
    entry.attempts += 1;
    entry.nextAttemptAt = at;
  }

  /** The chat's rows, oldest first. */
  entries(chat: string): readonly E[] {
    return this.chats.get(chat) ?? [];
  }

  size(chat: string): number {
    return this.chats.get(chat)?.length ?? 0;
  }

  /** Each chat with its rows, oldest first. */
  all(): IterableIterator<[string, readonly E[]]> {
    return this.chats.entries();
  }
}
