// /api/channels/:id/pairing, /invite-codes, /users: who may talk to a channel.
import { Hono } from "hono";
import * as z from "zod";
import { getDb } from "../../db/client";
import { createInviteCode, heldMessagesOf, inviteState, listInviteCodes, listPendingRequests, revokeInviteCode } from "../../db/pairing";
import { channelUsers } from "../../db/schema";
import { getUser, removeUser, setUserDisabled } from "../../db/users";
import type { Env } from "../../env";
import { ApiError, readJson } from "../../http/errors";
import { channelStub } from "../../http/stub";
import { and, desc, eq, inArray, like, or } from "drizzle-orm";
import { chunkForD1 } from "../../db/chunk";
import { channelOr404 } from "./channels";

/** Pending requests shown at once: more would be a flood, not a queue an admin reads. */
const MAX_LISTED = 200;

const usersPageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

export const channelAccessRoutes = new Hono<{ Bindings: Env }>()
  .get("/:id/pairing", async (c) => {
    const db = getDb(c.env.DB);
    const channel = await channelOr404(db, c.req.param("id"));
    const requests = (await listPendingRequests(db, channel.id)).slice(0, MAX_LISTED);
    // Only the users behind these requests: a channel may have many thousands.
    const users = new Map<string, typeof channelUsers.$inferSelect>();
    for (const ids of chunkForD1(requests.map((request) => request.userId), 1)) {
      for (const user of await db.select().from(channelUsers).where(inArray(channelUsers.id, ids)).all()) users.set(user.id, user);
    }
    return c.json({
      requests: requests.map((request) => {
        const user = users.get(request.userId);
        return {
          id: request.id,
          code: request.code,
          createdAt: request.createdAt,
          expiresAt: request.expiresAt,
          user: user ? { id: user.id, providerUserId: user.providerUserId, username: user.username, displayName: user.displayName } : null,
          heldMessage: heldMessagesOf(request.heldMessage).length > 0,
          heldMessages: heldMessagesOf(request.heldMessage).length,
        };
      }),
    });
  })
  .post("/:id/pairing/:requestId/:decision{approve|reject}", async (c) => {
    const channel = await channelOr404(getDb(c.env.DB), c.req.param("id"));
    const stub = channelStub(c.env, channel.id);
    const requestId = c.req.param("requestId");
    const result = c.req.param("decision") === "approve" ? await stub.approvePairing(channel.id, requestId) : await stub.rejectPairing(channel.id, requestId);
    if (!result.ok) throw new ApiError(result.status, result.error);
    return c.json({ ok: true });
  })
  .post("/:id/invite-codes", async (c) => {
    const db = getDb(c.env.DB);
    const channel = await channelOr404(db, c.req.param("id"));
    const invite = await createInviteCode(db, channel.id);
    return c.json({ inviteCode: { id: invite.id, code: invite.code, expiresAt: invite.expiresAt } }, 201);
  })
  .get("/:id/invite-codes", async (c) => {
    // Newest first, with what became of each: unused, used (by whom), expired or revoked.
    const db = getDb(c.env.DB);
    const channel = await channelOr404(db, c.req.param("id"));
    const codes = await listInviteCodes(db, channel.id);
    const users = new Map<string, typeof channelUsers.$inferSelect>();
    const redeemers = [...new Set(codes.map((code) => code.redeemedBy).filter((id): id is string => Boolean(id)))];
    for (const ids of chunkForD1(redeemers, 1)) {
      for (const user of await db.select().from(channelUsers).where(inArray(channelUsers.id, ids)).all()) users.set(user.id, user);
    }
    const now = Date.now();
    return c.json({
      inviteCodes: codes.map((code) => {
        const user = code.redeemedBy ? users.get(code.redeemedBy) : undefined;
        return {
          id: code.id,
          code: code.code,
          state: inviteState(code, now),
          createdAt: code.createdAt,
          expiresAt: code.expiresAt,
          redeemedAt: code.redeemedAt,
          revokedAt: code.revokedAt,
          redeemedBy: user ? { id: user.id, providerUserId: user.providerUserId, username: user.username, displayName: user.displayName } : code.redeemedBy ? { id: code.redeemedBy } : null,
        };
      }),
    });
  })
  .delete("/:id/invite-codes/:codeId", async (c) => {
    const db = getDb(c.env.DB);
    const channel = await channelOr404(db, c.req.param("id"));
    if (!(await revokeInviteCode(db, channel.id, c.req.param("codeId")))) throw new ApiError(404, "no such unused invite code");
    return c.json({ revoked: c.req.param("codeId") });
  })
  .get("/:id/users", async (c) => {
    const db = getDb(c.env.DB);
    const channel = await channelOr404(db, c.req.param("id"));
    const search = c.req.query("q")?.trim();
    const state = c.req.query("state");
    const conditions = [eq(channelUsers.channelId, channel.id)];
    if (state === "pending" || state === "approved" || state === "disabled") conditions.push(eq(channelUsers.state, state));
    if (search) {
      const pattern = `%${search.replace(/[%_]/g, "")}%`;
      conditions.push(or(like(channelUsers.username, pattern), like(channelUsers.displayName, pattern), like(channelUsers.providerUserId, pattern))!);
    }
    const page = usersPageSchema.safeParse(c.req.query());
    if (!page.success) throw new ApiError(400, `query: ${page.error.issues[0]!.message}`);
    const { limit, offset } = page.data;
    const rows = await db
      .select()
      .from(channelUsers)
      .where(and(...conditions))
      .orderBy(desc(channelUsers.lastSeenAt), desc(channelUsers.id))
      .limit(limit + 1)
      .offset(offset)
      .all();
    return c.json({ users: rows.slice(0, limit), nextOffset: rows.length > limit ? offset + limit : null });
  })
  .patch("/:id/users/:userId", async (c) => {
    const db = getDb(c.env.DB);
    const channel = await channelOr404(db, c.req.param("id"));
    const user = await getUser(db, channel.id, c.req.param("userId"));
    if (!user) throw new ApiError(404, "user not found");
    const body = await readJson(c, z.object({ disabled: z.boolean() }).strict());
    if (user.state === "pending") throw new ApiError(409, "user is not approved yet; approve their pairing request first");
    await setUserDisabled(db, user.id, body.disabled);
    // The channel remembers its senders: make it read the new state.
    await channelStub(c.env, channel.id).reload(channel.id);
    return c.json({ user: await getUser(db, channel.id, user.id) });
  })
  .post("/:id/users/:userId/approve", async (c) => {
    // A waiting user (pending, with or without a pairing request) approved from the Users list.
    const channel = await channelOr404(getDb(c.env.DB), c.req.param("id"));
    const result = await channelStub(c.env, channel.id).approveUser(channel.id, c.req.param("userId"));
    if (!result.ok) throw new ApiError(result.status, result.error);
    return c.json({ user: await getUser(getDb(c.env.DB), channel.id, c.req.param("userId")) });
  })
  .delete("/:id/users/:userId", async (c) => {
    const db = getDb(c.env.DB);
    const channel = await channelOr404(db, c.req.param("id"));
    const user = await getUser(db, channel.id, c.req.param("userId"));
    if (!user) throw new ApiError(404, "user not found");
    await removeUser(db, user);
    await channelStub(c.env, channel.id).reload(channel.id);
    return c.json({ deleted: user.id });
  });
