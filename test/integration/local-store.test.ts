// The ChannelDO's own SQLite queues, on a real Durable Object's storage.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LocalStore } from "../../durable-objects/channel/local-store";
import type { InboundMessage } from "../../worker/core/types";

function withStore<T>(name: string, run: (store: LocalStore) => T): Promise<T> {
  return runInDurableObject(env.CHANNEL.getByName(name), (_instance, state) => {
    const store = new LocalStore(state.storage.sql);
    store.open();
    return run(store);
  });
}

const message = (eventId: string, chat = "dm:1"): InboundMessage => ({
  eventId,
  chat: { id: chat.slice(3), type: "direct" },
  address: chat.slice(3),
  sender: { id: "1" },
  text: `text ${eventId}`,
  addressedToBot: true,
  sentAt: 0,
});

describe("local store", () => {
  it("keeps each chat's events in order and lets later ones wait behind a retried one", async () => {
    await withStore("store-order", (store) => {
      expect(store.addInbound("a", "dm:1", message("a"))).toBe(true);
      expect(store.addInbound("b", "dm:1", message("b"))).toBe(true);
      expect(store.addInbound("a", "dm:1", message("a"))).toBe(false);
      const first = store.nextInbound("dm:1")!;
      expect(first.eventId).toBe("a");
      store.markInboundRunning(first);
      expect(store.nextInbound("dm:1")!.eventId).toBe("b"); // a is being handled: a command behind it may go
      store.retryInboundLater(first, Date.now() + 60_000);
      expect(store.nextInbound("dm:1")).toBeNull(); // b waits: order per chat
      expect(store.nextDueAt()).toBeGreaterThan(Date.now() + 50_000); // and does not wake the alarm
      store.resetRunning();
      expect(store.dueChats()).toEqual([]);
    });
  });

  it("reads an event stored by an earlier release (no reply address) with its chat id as the address", async () => {
    await withStore("store-upgrade-address", (store) => {
      const { address: _dropped, ...old } = message("old", "dm:77");
      store.addInbound("old", "dm:77", old as InboundMessage);
      expect(store.nextInbound("dm:77")!.message.address).toBe("77");
    });
  });

  it("backs off the next log flush after failures instead of re-arming at once", async () => {
    await withStore("store-logs", (store) => {
      const now = Date.now();
      store.bufferLog({ level: "info", event: "x", message: "m", detail: null, createdAt: now - 5000 });
      expect(store.nextDueAt()).toBe(now - 5000);
      store.logFlushFailed(now);
      expect(store.nextDueAt()).toBe(now + 1000);
      store.logFlushFailed(now);
      store.logFlushFailed(now);
      expect(store.nextDueAt()).toBe(now + 4000);
      for (let i = 0; i < 10; i++) store.logFlushFailed(now);
      expect(store.nextDueAt()).toBe(now + 60_000);
      store.logFlushSucceeded();
      expect(store.nextDueAt()).toBe(now - 5000);
    });
  });

  it("stores outbound operations with their bytes", async () => {
    await withStore("store-outbox", (store) => {
      store.enqueue("k1", "42", { kind: "text", text: "hello", replyTo: "7" });
      store.enqueue("k1", "42", { kind: "text", text: "duplicate" });
      store.enqueue("k2", "42", { kind: "voice", audio: new Uint8Array([0x4f, 0x67, 0x67, 0x53]), mime: "audio/ogg" });
      const first = store.nextOutbound("42")!;
      expect(first.op).toEqual({ kind: "text", text: "hello", replyTo: "7" });
      store.completeOutbound(first);
      const second = store.nextOutbound("42")!;
      expect(second.op).toEqual({ kind: "voice", audio: new Uint8Array([0x4f, 0x67, 0x67, 0x53]), mime: "audio/ogg" });
      store.completeOutbound(second);
      expect(store.nextOutbound("42")).toBeNull();
    });
  });

  it("keeps each chat's queue counts right when a restarted object writes before it reads", async () => {
    await runInDurableObject(env.CHANNEL.getByName("store-counts"), (_instance, state) => {
      // Each new instance on the same storage is the object after a restart.
      const restarted = () => new LocalStore(state.storage.sql);
      const first = restarted();
      first.open();
      for (const id of ["a", "b"]) first.addInbound(id, "dm:5", message(id, "dm:5"));
      first.enqueue("a:0", "5", { kind: "text", text: "first" });

      // Its first calls add: the new rows are counted once.
      const adding = restarted();
      adding.addInbound("c", "dm:5", message("c", "dm:5"));
      adding.enqueue("b:0", "5", { kind: "text", text: "second" });
      expect(adding.queuedCount("dm:5")).toBe(3);

      // Its first calls finish: the finished rows are no longer counted, the others still are.
      const [a, sent] = [adding.nextInbound("dm:5")!, adding.nextOutbound("5")!];
      const finishing = restarted();
      finishing.finishInbound(a, "done");
      finishing.completeOutbound(sent);
      expect(finishing.queuedCount("dm:5")).toBe(2);
      expect(finishing.nextInbound("dm:5")!.eventId).toBe("b");
      expect(finishing.nextOutbound("5")!.op).toEqual({ kind: "text", text: "second" });
      finishing.completeOutbound(finishing.nextOutbound("5")!);
      expect(finishing.hasOutbound("5")).toBe(false);
    });
  });

  it("drops the per-chat queue indexes of objects created before the queues were kept in memory", async () => {
    await runInDurableObject(env.CHANNEL.getByName("store-old-indexes"), (_instance, state) => {
      new LocalStore(state.storage.sql, []).open(); // recorded version 0
      state.storage.sql.exec("CREATE INDEX inbox_pending ON inbox (state, chat_key, seq); CREATE INDEX inbox_chat ON inbox (chat_key, seq); CREATE INDEX outbox_chat ON outbox (chat_id, done_at, seq)");
      new LocalStore(state.storage.sql); // this release
      const indexes = state.storage.sql.exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").toArray();
      expect(indexes.map((index) => index.name).filter((name) => /^(inbox|outbox)_/.test(name))).toEqual(["inbox_done", "outbox_done"]);
    });
  });

  it("upgrades the tables of an object created by an earlier release, once", async () => {
    await runInDurableObject(env.CHANNEL.getByName("store-migrations"), (_instance, state) => {
      new LocalStore(state.storage.sql, []).open(); // an object created when there were no migrations
      const upgrade = ["ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 0"];
      new LocalStore(state.storage.sql, upgrade); // the next release runs the new entry…
      new LocalStore(state.storage.sql, upgrade); // …once
      const columns = state.storage.sql.exec<{ name: string }>("SELECT name FROM pragma_table_info('outbox')").toArray();
      expect(columns.map((column) => column.name)).toContain("priority");
      expect(new LocalStore(state.storage.sql, upgrade).get("schemaVersion")).toBe(1);
    });
    // A new object (no recorded version) starts at the latest version and runs nothing.
    await runInDurableObject(env.CHANNEL.getByName("store-fresh"), (_instance, state) => {
      state.storage.sql.exec("DROP TABLE IF EXISTS kv");
      const store = new LocalStore(state.storage.sql, ["SELECT no_such_function()"]);
      store.open();
      expect(store.get("schemaVersion")).toBe(1);
    });
  });
});
