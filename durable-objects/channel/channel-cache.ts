// What the ChannelDO remembers between messages so a message costs fewer D1 round trips: each
// chat's active thread, the threads' rows and each sender's user row. Every change to these goes
// through this object, except admin API edits, which call `reload()` on the DO and so `clear()`
// here. (A thread's title and backend reference never change after it is created.)
import { directChatKey, type ChatRef } from "../../worker/core/types";
import type { Db } from "../../worker/db/client";
import type { Statement } from "../../worker/db/prebuilt";
import type { GroupedWrites } from "./grouped-writes";
import { getRoute, getRouteStatement, setActiveThread, setActiveThreadStatement } from "../../worker/db/routes";
import { createThreadStatement, getThread, newThreadId, type ThreadRow } from "../../worker/db/threads";
import { recordSenderStatement, type ChannelUserRow, type SenderProfile, type UserState } from "../../worker/db/users";

/** A known sender's `last_seen_at` is written at most this often. */
const SEEN_WRITE_INTERVAL_MS = 60_000;

export class ChannelCache {
  private readonly activeThreads = new Map<string, string | null>();
  private readonly senders = new Map<string, { row: ChannelUserRow; writtenAt: number }>();
  private readonly threads = new Map<string, ThreadRow>();

  constructor(
    private readonly db: Db,
    private readonly writes: GroupedWrites,
    private readonly channelId: () => string,
  ) {}

  clear(): void {
    this.activeThreads.clear();
    this.senders.clear();
    this.threads.clear();
  }

  async thread(threadId: string): Promise<ThreadRow | undefined> {
    let row = this.threads.get(threadId);
    if (!row) {
      row = await getThread(this.db, threadId);
      if (row) this.threads.set(threadId, row);
    }
    return row;
  }

  /** Creates a thread and makes it the chat's active one (with `alsoWrite`, if given), in one round trip. */
  async createActiveThread(
    chat: ChatRef,
    input: Parameters<typeof createThreadStatement>[1],
    alsoWrite?: (threadId: string) => Statement<unknown>,
  ): Promise<ThreadRow> {
    const { row, statement } = createThreadStatement(this.db, { ...input, id: newThreadId() });
    await this.writes.run([statement, setActiveThreadStatement(this.db, this.channelId(), chat, row.id), ...(alsoWrite ? [alsoWrite(row.id)] : [])]);
    this.threads.set(row.id, row);
    this.activeThreads.set(chat.key, row.id);
    return row;
  }

  /** The chat's active thread id, or null when it has none yet. */
  async activeThread(chatKey: string): Promise<string | null> {
    if (!this.activeThreads.has(chatKey)) {
      const route = await getRoute(this.db, this.channelId(), chatKey);
      this.activeThreads.set(chatKey, route?.activeThreadId ?? null);
    }
    return this.activeThreads.get(chatKey)!;
  }

  async setActiveThread(chat: ChatRef, threadId: string): Promise<void> {
    await setActiveThread(this.db, this.channelId(), chat, threadId);
    this.activeThreads.set(chat.key, threadId);
  }

  /**
   * Records a DM sender (created in `initialState` if new) and returns their row. A sender this
   * object has not seen yet has their DM chat's route read in the same round trip.
   */
  async sender(sender: SenderProfile, initialState: UserState, dmAddress: string): Promise<ChannelUserRow> {
    const cached = this.senders.get(sender.id);
    if (cached && Date.now() - cached.writtenAt < SEEN_WRITE_INTERVAL_MS) return cached.row;
    const record = recordSenderStatement(this.db, this.channelId(), sender, initialState, dmAddress);
    const chatKey = directChatKey(sender.id);
    let row: ChannelUserRow;
    if (this.activeThreads.has(chatKey)) {
      [row] = await this.writes.run([record]);
    } else {
      const [recorded, route] = await this.writes.run([record, getRouteStatement(this.db, this.channelId(), chatKey)]);
      row = recorded;
      this.activeThreads.set(chatKey, route?.activeThreadId ?? null);
    }
    this.senders.set(sender.id, { row, writtenAt: Date.now() });
    return row;
  }

  /** Forgets a sender whose row this DO just changed (approval), so the next read is fresh. */
  forgetSender(providerUserId: string): void {
    this.senders.delete(providerUserId);
  }
}
