// /api/workspaces: the AI targets channels talk to.
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import * as z from "zod";
import { urlFieldProblem } from "../../backends/config";
import { backendKinds, getBackend } from "../../backends/registry";
import { speechFields, speechProblem } from "../../backends/speech";
import { backendWorkspaceOf, openWorkspaceSecrets, sealWorkspaceSecrets } from "../../core/credentials";
import { newId } from "../../crypto/random";
import { channelsUsingWorkspace } from "../../db/channels";
import { getDb } from "../../db/client";
import { workspaces } from "../../db/schema";
import { parseChatKey } from "../../core/types";
import { createThread, getThread, listWorkspaceThreads, threadMessagesPage } from "../../db/threads";
import { channelUsers, channels } from "../../db/schema";
import { and, inArray } from "drizzle-orm";
import { getWorkspace, listWorkspaces, type WorkspaceRow } from "../../db/workspaces";
import type { Env } from "../../env";
import { ApiError, readJson } from "../../http/errors";
import { workspaceView } from "../../http/views";

const workspaceFields = {
  name: z.string().trim().min(1).max(80),
  backend: z.string().refine((kind) => backendKinds.includes(kind), { message: `must be one of: ${backendKinds.join(", ")}` }),
  config: z.record(z.string(), z.unknown()),
  /**
   * Write-only: stored encrypted, shown afterwards only as "configured". On PATCH, keys are
   * merged into the stored ones and an empty string removes a key.
   */
  secrets: z.record(z.string(), z.string()),
  agents: z.array(z.string().regex(/^[A-Za-z0-9_-]+$/, "agent names are letters, digits, _ and -")),
};
const createSchema = z.object({ ...workspaceFields, config: workspaceFields.config.default({}), agents: workspaceFields.agents.default([]) }).partial({ secrets: true }).strict();
const patchSchema = z.object(workspaceFields).partial().strict();

function withoutEmpty(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).filter(([, value]) => value !== ""));
}

/** New secret values over the stored ones; "" removes a key. */
async function mergedSecrets(key: string, workspace: WorkspaceRow, changes: Record<string, string>): Promise<string | null> {
  const merged = withoutEmpty({ ...(await openWorkspaceSecrets(key, workspace)), ...changes });
  return Object.keys(merged).length > 0 ? sealWorkspaceSecrets(key, workspace.id, merged) : null;
}

/** 400 when a URL setting of the backend (or of voice replies) is not an http(s) URL. */
function checkUrls(backend: string, config: Record<string, unknown>): void {
  const problem = urlFieldProblem([...getBackend(backend).fields, ...speechFields], config);
  if (problem) throw new ApiError(400, problem);
}

/**
 * The single workspace as the edit page reads it: which secrets are set (names only, never
 * values), and whether voice notes can be spoken with its settings here.
 */
async function workspaceDetail(env: Env, row: WorkspaceRow) {
  const secrets = await openWorkspaceSecrets(env.ENCRYPTION_KEY!, row);
  const problem = speechProblem(row.config, secrets, env);
  return { ...workspaceView(row), secretNames: Object.keys(secrets).sort(), voice: { ready: problem === null, problem } };
}

const messagesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  before: z.string().regex(/^\d+:.+$/, "must be a cursor from the previous page").optional(),
});

function parseCursor(cursor: string) {
  const at = cursor.indexOf(":");
  return { createdAt: Number(cursor.slice(0, at)), id: cursor.slice(at + 1) };
}

async function threadOr404(db: ReturnType<typeof getDb>, workspaceId: string, threadId: string) {
  const thread = await getThread(db, threadId);
  if (!thread || thread.workspaceId !== workspaceId) throw new ApiError(404, "thread not found");
  return thread;
}

/** Who a personal thread belongs to: its channel and chat, with the user's name for a DM. */
async function ownerOf(db: ReturnType<typeof getDb>, ownerKey: string | null) {
  if (!ownerKey) return null;
  const split = ownerKey.indexOf(":");
  const channelId = ownerKey.slice(0, split);
  const chatKey = ownerKey.slice(split + 1);
  const chat = parseChatKey(chatKey);
  const channel = await db.select({ displayName: channels.displayName, accountName: channels.accountName }).from(channels).where(eq(channels.id, channelId)).get();
  const user =
    chat.type === "direct"
      ? await db.select().from(channelUsers).where(and(eq(channelUsers.channelId, channelId), eq(channelUsers.providerUserId, chat.id))).get()
      : undefined;
  return {
    channelId,
    channelName: channel ? (channel.displayName ?? channel.accountName) : null,
    chat: { type: chat.type, id: chat.id },
    userName: user ? (user.displayName ?? (user.username ? `@${user.username}` : null)) : null,
  };
}

/** Display names of the senders of `rows`, keyed `<channelId>:<providerUserId>`. */
async function senderNames(db: ReturnType<typeof getDb>, rows: { channelId: string | null; senderId: string | null }[]) {
  const names = new Map<string, string>();
  const byChannel = new Map<string, Set<string>>();
  for (const row of rows) if (row.channelId && row.senderId) byChannel.set(row.channelId, (byChannel.get(row.channelId) ?? new Set()).add(row.senderId));
  for (const [channelId, senders] of byChannel) {
    const users = await db
      .select()
      .from(channelUsers)
      .where(and(eq(channelUsers.channelId, channelId), inArray(channelUsers.providerUserId, [...senders].slice(0, 90))))
      .all();
    for (const user of users) {
      const name = user.displayName ?? (user.username ? `@${user.username}` : null);
      if (name) names.set(`${channelId}:${user.providerUserId}`, name);
    }
  }
  return names;
}

async function workspaceOr404(db: ReturnType<typeof getDb>, id: string) {
  const workspace = await getWorkspace(db, id);
  if (!workspace) throw new ApiError(404, "workspace not found");
  return workspace;
}

export const workspaceRoutes = new Hono<{ Bindings: Env }>()
  .get("/", async (c) => c.json({ workspaces: (await listWorkspaces(getDb(c.env.DB))).map(workspaceView) }))
  .post("/", async (c) => {
    const body = await readJson(c, createSchema);
    checkUrls(body.backend, body.config);
    const db = getDb(c.env.DB);
    const id = newId("ws");
    await db.insert(workspaces).values({
      id,
      name: body.name,
      backend: body.backend,
      config: body.config,
      agents: body.agents,
      secretsEnc: body.secrets ? await sealWorkspaceSecrets(c.env.ENCRYPTION_KEY!, id, withoutEmpty(body.secrets)) : null,
    });
    return c.json({ workspace: await workspaceDetail(c.env, await workspaceOr404(db, id)) }, 201);
  })
  .get("/:id", async (c) => c.json({ workspace: await workspaceDetail(c.env, await workspaceOr404(getDb(c.env.DB), c.req.param("id"))) }))
  .patch("/:id", async (c) => {
    const db = getDb(c.env.DB);
    const workspace = await workspaceOr404(db, c.req.param("id"));
    const body = await readJson(c, patchSchema);
    const { secrets, ...fields } = body;
    checkUrls(fields.backend ?? workspace.backend, fields.config ?? workspace.config);
    await db
      .update(workspaces)
      .set({
        ...fields,
        ...(secrets ? { secretsEnc: await mergedSecrets(c.env.ENCRYPTION_KEY!, workspace, secrets) } : {}),
        updatedAt: Date.now(),
      })
      .where(eq(workspaces.id, workspace.id));
    // Channels cache their workspace: make them reload it.
    for (const channel of await channelsUsingWorkspace(db, [workspace.id])) {
      await c.env.CHANNEL.getByName(channel.id).reload(channel.id);
    }
    return c.json({ workspace: await workspaceDetail(c.env, await workspaceOr404(db, workspace.id)) });
  })
  .delete("/:id", async (c) => {
    const db = getDb(c.env.DB);
    const workspace = await workspaceOr404(db, c.req.param("id"));
    const users = await channelsUsingWorkspace(db, [workspace.id]);
    if (users.length > 0) {
      throw new ApiError(409, "workspace is used by channels; delete them first", { channels: users.map((channel) => channel.id) });
    }
    await db.delete(workspaces).where(eq(workspaces.id, workspace.id));
    return c.json({ deleted: workspace.id });
  })
  .get("/:id/threads", async (c) => {
    const db = getDb(c.env.DB);
    const workspace = await workspaceOr404(db, c.req.param("id"));
    return c.json({ threads: await listWorkspaceThreads(db, workspace.id) });
  })
  .get("/:id/threads/:threadId", async (c) => {
    const db = getDb(c.env.DB);
    const thread = await threadOr404(db, c.req.param("id"), c.req.param("threadId"));
    return c.json({ thread: { ...thread, owner: await ownerOf(db, thread.ownerKey) } });
  })
  .get("/:id/threads/:threadId/messages", async (c) => {
    // Newest first, a page at a time: `before` is the `cursor` of the previous page.
    const db = getDb(c.env.DB);
    const thread = await threadOr404(db, c.req.param("id"), c.req.param("threadId"));
    const query = messagesQuerySchema.safeParse(c.req.query());
    if (!query.success) throw new ApiError(400, `query: ${query.error.issues[0]!.message}`);
    const { limit, before } = query.data;
    const rows = await threadMessagesPage(db, thread.id, { limit: limit + 1, before: before ? parseCursor(before) : undefined });
    const page = rows.slice(0, limit);
    const names = await senderNames(db, page);
    const last = page.at(-1);
    return c.json({
      messages: page.map((row) => ({
        id: row.id,
        role: row.role,
        text: row.text,
        channelId: row.channelId,
        sender: row.senderId ? { id: row.senderId, name: names.get(`${row.channelId}:${row.senderId}`) ?? null } : null,
        createdAt: row.createdAt,
      })),
      nextCursor: rows.length > limit && last ? `${last.createdAt}:${last.id}` : null,
    });
  })
  .post("/:id/threads", async (c) => {
    const db = getDb(c.env.DB);
    const workspace = await workspaceOr404(db, c.req.param("id"));
    const body = await readJson(c, z.object({ title: z.string().trim().min(1).max(80) }).strict());
    // Backends that keep history themselves (AnythingLLM) get their own thread for it.
    const backend = getBackend(workspace.backend);
    const backendRef = backend.createThread
      ? await backend.createThread(await backendWorkspaceOf(c.env.ENCRYPTION_KEY!, workspace), body.title, c.env).catch((error: Error) => {
          throw new ApiError(502, `the workspace's backend could not create the thread: ${error.message}`);
        })
      : null;
    const thread = await createThread(db, { workspaceId: workspace.id, title: body.title, kind: "shared", ownerKey: null, backendRef });
    return c.json({ thread }, 201);
  });
