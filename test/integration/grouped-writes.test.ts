// Group commit of the channel's D1 writes, on the real local D1: writes issued together share one
// round trip, each caller gets its own results, and one caller's failing write costs only that
// caller.
import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { GroupedWrites } from "../../durable-objects/channel/grouped-writes";
import { getDb } from "../../worker/db/client";
import { noResult, prebuilt, rowsOf, runStatement, type Statement } from "../../worker/db/prebuilt";
import { getRouteStatement, setActiveThreadStatement } from "../../worker/db/routes";
import { channelLogs, messages } from "../../worker/db/schema";
import { appendMessageStatement } from "../../worker/db/threads";
import { findUserByProviderId, recordSenderStatement } from "../../worker/db/users";

/** The D1 binding with its round trips (batch calls) and their statements counted. */
function countedD1(): { d1: D1Database; batches: () => number; statements: () => number } {
  let batches = 0;
  let statements = 0;
  const d1 = new Proxy(env.DB, {
    get(target, property) {
      const value = Reflect.get(target, property);
      if (property === "batch") return (sent: D1PreparedStatement[]) => ((batches += 1), (statements += sent.length), target.batch(sent));
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { d1, batches: () => batches, statements: () => statements };
}

type Entry = { channelId: string; message: string };

/** Stores a log line; the row's message comes back. */
const insertEntry = prebuilt<Entry, string>(
  (db, p) =>
    db
      .insert(channelLogs)
      .values({ channelId: p.channelId, level: "info", event: "test.grouped", message: p.message })
      .returning({ message: channelLogs.message }),
  (result) => (result.results[0] as { message: string }).message,
);
const logRows = rowsOf(channelLogs);
const selectEntries = prebuilt<{ channelId: string }, string[]>(
  (db, p) => db.select().from(channelLogs).where(eq(channelLogs.channelId, p.channelId)),
  (result) => logRows(result).map((row) => row.message),
);
/** No such column: D1 refuses the statement, and with it the whole transaction it is in. */
const refused = (): Statement<void> => ({ bound: env.DB.prepare("INSERT INTO channel_logs (no_such_column) VALUES (1)"), read: noResult });

describe("grouped D1 writes", () => {
  it("sends writes issued together in one round trip and answers each caller with its own rows", async () => {
    const { d1, batches } = countedD1();
    const db = getDb(d1);
    const writes = new GroupedWrites(d1);
    const channelId = `ch_group${Date.now()}`;
    const [first, second, third] = await Promise.all(
      ["one", "two", "three"].map((message) => writes.run([insertEntry(db, { channelId, message }), selectEntries(db, { channelId })])),
    );
    expect(batches()).toBe(1);
    expect(first![0]).toBe("one");
    expect(second![0]).toBe("two");
    expect(third![0]).toBe("three");
    // In order: each caller's read sees the writes queued before its own.
    expect(third![1]).toEqual(["one", "two", "three"]);
  });

  it("writes the rows many callers insert with the same one-row insert in one statement", async () => {
    const { d1, batches, statements } = countedD1();
    const db = getDb(d1);
    const writes = new GroupedWrites(d1);
    const threadId = `th_rows${Date.now()}`;
    const message = (id: string, text: string) => appendMessageStatement(db, { id: `${threadId}_${id}`, threadId, role: "user", text, channelId: null });
    await Promise.all([
      writes.run([message("1", "first")]),
      writes.run([message("2", "second"), message("3", "third")]),
      // The same row again (a handled event's retry): ignored, as its one-row insert would.
      writes.run([message("1", "first again")]),
      writes.run([selectEntries(db, { channelId: threadId })]),
    ]);
    expect([batches(), statements()]).toEqual([1, 2]); // the read, then all four rows at once
    const stored = await db.select({ id: messages.id, text: messages.text }).from(messages).where(eq(messages.threadId, threadId)).orderBy(messages.id);
    expect(stored.map((row) => row.text)).toEqual(["first", "second", "third"]);
  });

  it("records many senders and looks up many routes with one statement each, each caller getting its own rows", async () => {
    const { d1, batches, statements } = countedD1();
    const db = getDb(d1);
    const writes = new GroupedWrites(d1);
    const channelId = `ch_lookups${Date.now()}`;
    // Chat 2 has a route already; 1 and 3 have none. User 3 wrote before, under another name.
    await runStatement(setActiveThreadStatement(db, channelId, { key: "dm:2", address: "2" }, "th_two"));
    const before = await runStatement(recordSenderStatement(db, channelId, { id: "3", username: "old" }, "approved", "3"));
    const [one, two, three] = await Promise.all(
      ["1", "2", "3"].map((id) =>
        writes.run([recordSenderStatement(db, channelId, { id, displayName: `User ${id}` }, "pending", id), getRouteStatement(db, channelId, `dm:${id}`)]),
      ),
    );
    expect([batches(), statements()]).toEqual([1, 2]);
    expect([one![0].providerUserId, one![0].displayName, one![0].state, one![1]]).toEqual(["1", "User 1", "pending", undefined]);
    expect([two![0].providerUserId, two![1]?.activeThreadId]).toEqual(["2", "th_two"]);
    // The existing user keeps their id, state and username; the route lookup found nothing.
    expect([three![0].id, three![0].state, three![0].username, three![0].displayName, three![1]]).toEqual([before.id, "approved", "old", "User 3", undefined]);
    expect(three![0]).toEqual(await findUserByProviderId(db, channelId, "3"));
  });

  it("a failing write fails only its caller; the others are stored", async () => {
    const db = getDb(env.DB);
    const writes = new GroupedWrites(env.DB);
    const channelId = `ch_groupfail${Date.now()}`;
    const results = await Promise.allSettled([
      writes.run([insertEntry(db, { channelId, message: "kept before" })]),
      writes.run([insertEntry(db, { channelId, message: "refused" }), refused()]),
      writes.run([insertEntry(db, { channelId, message: "kept after" })]),
    ]);
    expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const stored = await db.select({ message: channelLogs.message }).from(channelLogs).where(eq(channelLogs.channelId, channelId));
    expect(stored.map((row) => row.message).sort()).toEqual(["kept after", "kept before"]);
  });
});
