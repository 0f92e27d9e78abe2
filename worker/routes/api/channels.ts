// /api/channels: create (credential tested first), read, change settings, run, delete, logs.
import { and, eq, inArray } from "drizzle-orm";
import { chunkForD1 } from "../../db/chunk";
import { Hono, type Context } from "hono";
import * as z from "zod";
import { channelSettingsPatchSchema, readSettings } from "../../core/settings";
import { getChannel } from "../../db/channels";
import { getDb, type Db } from "../../db/client";
import { listLogs } from "../../db/logs";
import { pendingPairingCounts } from "../../db/stats";
import { channelUsers, channels } from "../../db/schema";
import { getThread } from "../../db/threads";
import { listWorkspaces } from "../../db/workspaces";
import type { Env } from "../../env";
import { ApiError, readJson } from "../../http/errors";
import { channelStub, publicUrl } from "../../http/stub";
import { channelView } from "../../http/views";
import { findProvider } from "../../providers/registry";
import { addCredentials, addCredentialsSchema, checkAllowedGroups, createChannel, createChannelSchema, testCredentials, testCredentialsSchema } from "../../services/channels";
import { channelAccessRoutes } from "./channel-access";

const patchSchema = z
  .object({
    displayName: z.string().trim().max(80).nullable(),
    threadId: z.string().nullable(),
    settings: channelSettingsPatchSchema,
  })
  .partial()
  .strict();

const logsQuerySchema = z.object({
  level: z.enum(["info", "warn", "error"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().positive().optional(),
  q: z.string().trim().max(200).optional(),
});

/** Start, Retry and Relogin may carry `{ force: true }`: a QR login may take its account from another channel. */
const startSchema = z.object({ force: z.boolean().optional() }).strict();

async function startOptions(c: Context): Promise<z.infer<typeof startSchema>> {
  const text = await c.req.text();
  if (!text.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(400, "request body must be JSON");
  }
  const parsed = startSchema.safeParse(body);
  if (!parsed.success) throw new ApiError(400, `${parsed.error.issues[0]!.path.join(".") || "body"}: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

export async function channelOr404(db: Db, id: string) {
  const channel = await getChannel(db, id);
  if (!channel) throw new ApiError(404, "channel not found");
  return channel;
}

/** Relogin and the QR belong to QR providers; token channels answer 400 saying why. */
async function qrChannelOr400(env: Env, id: string) {
  const channel = await channelOr404(getDb(env.DB), id);
  const adapter = findProvider(channel.provider);
  if (adapter?.connection !== "qr") throw new ApiError(400, `${adapter?.label ?? channel.provider} channels log in with a token; relogin and QR are for QR providers`);
  return channel;
}

async function workspaceNames(db: Db) {
  return new Map((await listWorkspaces(db)).map((workspace) => [workspace.id, workspace]));
}

export const channelRoutes = new Hono<{ Bindings: Env }>()
  .post("/test", async (c) => {
    const body = await readJson(c, testCredentialsSchema);
    const { account } = await testCredentials(c.env, body.provider, body.credentials);
    return c.json({ ok: true, account: { id: account.id, name: account.name } });
  })
  .get("/", async (c) => {
    const db = getDb(c.env.DB);
    const names = await workspaceNames(db);
    const rows = await db.select().from(channels).orderBy(channels.createdAt).all();
    // What waits for an admin, so the list can show it without opening every channel.
    const pending = await pendingPairingCounts(db);
    return c.json({ channels: rows.map((row) => ({ ...channelView(row, names.get(row.workspaceId)), pendingPairing: pending.get(row.id) ?? 0 })) });
  })
  .post("/", async (c) => {
    const body = await readJson(c, createChannelSchema);
    const db = getDb(c.env.DB);
    const channel = await createChannel(c.env, db, body);
    return c.json({ channel: channelView(channel, (await workspaceNames(db)).get(channel.workspaceId)) }, 201);
  })
  .get("/:id", async (c) => {
    const db = getDb(c.env.DB);
    const id = c.req.param("id");
    await channelOr404(db, id);
    // Ask the provider how delivery is going, so the status shown is honest.
    await channelStub(c.env, id).probe(id);
    const channel = await channelOr404(db, id);
    return c.json({ channel: channelView(channel, (await workspaceNames(db)).get(channel.workspaceId)) });
  })
  .patch("/:id", async (c) => {
    const db = getDb(c.env.DB);
    const channel = await channelOr404(db, c.req.param("id"));
    const body = await readJson(c, patchSchema);
    checkAllowedGroups(findProvider(channel.provider), body.settings?.allowedGroups);
    if (body.threadId) {
      const thread = await getThread(db, body.threadId);
      if (!thread || thread.workspaceId !== channel.workspaceId) throw new ApiError(400, `threadId: no thread "${body.threadId}" in this channel's workspace`);
    }
    await db
      .update(channels)
      .set({
        ...(body.displayName !== undefined ? { displayName: body.displayName || null } : {}),
        ...(body.threadId !== undefined ? { threadId: body.threadId } : {}),
        ...(body.settings ? { settings: { ...readSettings(channel.settings), ...body.settings } } : {}),
        updatedAt: Date.now(),
      })
      .where(eq(channels.id, channel.id));
    await channelStub(c.env, channel.id).reload(channel.id);
    const updated = await channelOr404(db, channel.id);
    return c.json({ channel: channelView(updated, (await workspaceNames(db)).get(updated.workspaceId)) });
  })
  .patch("/:id/credentials", async (c) => {
    const db = getDb(c.env.DB);
    const channel = await channelOr404(db, c.req.param("id"));
    const body = await readJson(c, addCredentialsSchema);
    await addCredentials(c.env, db, channel, body.credentials);
    await channelStub(c.env, channel.id).reload(channel.id);
    // Names only: a credential's value is never shown again.
    return c.json({ updated: Object.keys(body.credentials) });
  })
  .delete("/:id", async (c) => {
    const db = getDb(c.env.DB);
    const channel = await channelOr404(db, c.req.param("id"));
    await channelStub(c.env, channel.id).destroy(channel.id);
    return c.json({ deleted: channel.id });
  })
  .post("/:id/start", async (c) => {
    const channel = await channelOr404(getDb(c.env.DB), c.req.param("id"));
    return c.json(await channelStub(c.env, channel.id).start(channel.id, publicUrl(c), await startOptions(c)));
  })
  .post("/:id/retry", async (c) => {
    const channel = await channelOr404(getDb(c.env.DB), c.req.param("id"));
    return c.json(await channelStub(c.env, channel.id).start(channel.id, publicUrl(c), await startOptions(c)));
  })
  .post("/:id/stop", async (c) => {
    const channel = await channelOr404(getDb(c.env.DB), c.req.param("id"));
    return c.json(await channelStub(c.env, channel.id).stop(channel.id));
  })
  .post("/:id/relogin", async (c) => {
    const channel = await qrChannelOr400(c.env, c.req.param("id"));
    return c.json(await channelStub(c.env, channel.id).relogin(channel.id, publicUrl(c), await startOptions(c)));
  })
  .get("/:id/qr", async (c) => {
    const channel = await qrChannelOr400(c.env, c.req.param("id"));
    return c.json(await channelStub(c.env, channel.id).loginView(channel.id));
  })
  .get("/:id/directory", async (c) => {
    const channel = await channelOr404(getDb(c.env.DB), c.req.param("id"));
    if (!findProvider(channel.provider)?.listDirectory) throw new ApiError(400, "this provider has no directory of contacts and groups");
    const result = await channelStub(c.env, channel.id).directory(channel.id);
    if ("error" in result) throw new ApiError(503, `the directory cannot be read now: ${result.error}`);
    return c.json({ directory: result.directory });
  })
  .get("/:id/setup", async (c) => {
    const channel = await channelOr404(getDb(c.env.DB), c.req.param("id"));
    return c.json(await channelStub(c.env, channel.id).setup(channel.id, publicUrl(c)));
  })
  .get("/:id/logs", async (c) => {
    const db = getDb(c.env.DB);
    const channel = await channelOr404(db, c.req.param("id"));
    const query = logsQuerySchema.safeParse(c.req.query());
    if (!query.success) throw new ApiError(400, `query: ${query.error.issues[0]!.message}`);
    await channelStub(c.env, channel.id).flushLogs();
    const logs = await listLogs(db, channel.id, { ...query.data, q: query.data.q || undefined });
    // The names of the senders these entries mention, so the page shows who beside the id.
    const senders = [...new Set(logs.map((entry) => entry.detail?.sender).filter((id): id is string => typeof id === "string"))];
    const users: Record<string, string> = {};
    for (const ids of chunkForD1(senders, 2)) {
      const rows = await db.select().from(channelUsers).where(and(eq(channelUsers.channelId, channel.id), inArray(channelUsers.providerUserId, ids))).all();
      for (const user of rows) {
        const name = user.displayName ?? (user.username ? `@${user.username}` : null);
        if (name) users[user.providerUserId] = name;
      }
    }
    return c.json({ logs, users });
  })
  .route("/", channelAccessRoutes);
