// Statements built once with placeholders, on the real local D1: every call binds its own values,
// and rows read back are the rows drizzle's own queries return.
import { env } from "cloudflare:test";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "../../worker/db/client";
import { prebuiltRow, runStatement } from "../../worker/db/prebuilt";
import { getRouteStatement, setActiveThreadStatement, setListing } from "../../worker/db/routes";
import { channelUsers, chatRoutes } from "../../worker/db/schema";
import { createThread, getThread } from "../../worker/db/threads";
import { findUserByProviderId, recordSenderStatement } from "../../worker/db/users";

describe("prebuilt statements", () => {
  it("bind each call's values, not the first call's", async () => {
    const db = getDb(env.DB);
    const channelId = `ch_prebuilt${Date.now()}`;
    await runStatement(setActiveThreadStatement(db, channelId, { key: "dm:1", address: "1" }, "th_one"));
    await runStatement(setActiveThreadStatement(db, channelId, { key: "dm:2", address: "2" }, "th_two"));
    // The upsert's update branch takes the new values too.
    await runStatement(setActiveThreadStatement(db, channelId, { key: "dm:1", address: "1b" }, "th_three"));
    const stored = await db.select().from(chatRoutes).where(eq(chatRoutes.channelId, channelId)).orderBy(chatRoutes.chatKey);
    expect(stored.map((route) => [route.chatKey, route.address, route.activeThreadId])).toEqual([
      ["dm:1", "1b", "th_three"],
      ["dm:2", "2", "th_two"],
    ]);
  });

  it("refuse a many-row form for an insert with values outside its VALUES list", () => {
    const db = getDb(env.DB);
    const bumpSeen = prebuiltRow<{ channelId: string; providerUserId: string; at: number }>((db, p) =>
      db
        .insert(channelUsers)
        .values({ id: "usr_x", channelId: p.channelId, providerUserId: p.providerUserId, state: "pending" })
        .onConflictDoUpdate({ target: [channelUsers.channelId, channelUsers.providerUserId], set: { lastSeenAt: sql`${p.at}` } }),
    );
    expect(() => bumpSeen(db, { channelId: "ch_x", providerUserId: "1", at: 1 })).toThrow(/not a one-row insert/);
  });

  it("read rows as drizzle does: JSON, nulls and numbers decoded", async () => {
    const db = getDb(env.DB);
    const channelId = `ch_prebuiltrows${Date.now()}`;
    const chat = { key: "group:9", address: "9" };
    await runStatement(setActiveThreadStatement(db, channelId, chat, "th_a"));
    await setListing(db, channelId, chat, ["th_a", "th_b"]);
    const route = await runStatement(getRouteStatement(db, channelId, chat.key));
    const viaDrizzle = await db.select().from(chatRoutes).where(and(eq(chatRoutes.channelId, channelId), eq(chatRoutes.chatKey, chat.key))).get();
    expect(route).toEqual(viaDrizzle);
    expect(route!.lastListing).toEqual(["th_a", "th_b"]);
    expect(await runStatement(getRouteStatement(db, channelId, "group:none"))).toBeUndefined();

    const thread = await createThread(db, { workspaceId: "ws_x", title: "Hello", kind: "personal", ownerKey: `${channelId}:${chat.key}` });
    expect(thread).toEqual(await getThread(db, thread.id));
    expect(thread.backendRef).toBeNull();

    const first = await runStatement(recordSenderStatement(db, channelId, { id: "42", username: "ann" }, "approved", "42"));
    // A later message without a username keeps the stored one; the row stays the same user.
    const again = await runStatement(recordSenderStatement(db, channelId, { id: "42", displayName: "Ann" }, "pending"));
    expect(again).toEqual(await findUserByProviderId(db, channelId, "42"));
    expect([again.id, again.username, again.displayName, again.state, again.dmAddress]).toEqual([first.id, "ann", "Ann", "approved", "42"]);
  });
});
