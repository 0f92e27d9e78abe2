// Records every admin action that changed something (a state-changing /api request that
// succeeded) in the audit log: who — a UI session or the bearer token —, what, to which channel,
// user or workspace. Reading, tests of credentials and connections are not actions.
import type { Context, MiddlewareHandler } from "hono";
import { and, eq } from "drizzle-orm";
import { recordAudit, type AuditEntry } from "../db/audit";
import { getDb, type Db } from "../db/client";
import { channelUsers, channels, pairingRequests } from "../db/schema";
import { findProvider } from "../providers/registry";
import type { Env } from "../env";

/** Who made a request: set by the /api guard (worker/http/auth.ts). */
export type Actor = { kind: "session"; id: string } | { kind: "token" };
const actors = new WeakMap<Request, Actor>();

export function setActor(c: Context, actor: Actor): void {
  actors.set(c.req.raw, actor);
}

type Described = Omit<AuditEntry, "actorKind" | "actorId">;

interface Rule {
  method: string;
  path: RegExp;
  /** Reads what the summary names before the action changes it (a removed user's name). */
  lookup?: (match: string[], db: Db) => Promise<Record<string, any>>;
  describe: (match: string[], body: Record<string, any>, answer: Record<string, any>, looked: Record<string, any>) => Described | null;
}

async function pairingLookup([, channelId, requestId]: string[], db: Db) {
  const request = await db.select().from(pairingRequests).where(and(eq(pairingRequests.channelId, channelId!), eq(pairingRequests.id, requestId!))).get();
  const user = request ? await db.select().from(channelUsers).where(eq(channelUsers.id, request.userId)).get() : undefined;
  return { code: request?.code, user: userName(user) };
}

async function userLookup([, channelId, userId]: string[], db: Db) {
  const user = await db.select().from(channelUsers).where(and(eq(channelUsers.channelId, channelId!), eq(channelUsers.id, userId!))).get();
  return { name: userName(user) };
}

const channel = (action: string, verb: string): Rule["describe"] => ([, id]) => ({ action, channelId: id!, targetType: "channel", targetId: id!, summary: `${verb} the channel` });

/** Which requests are actions, and how each is described. Paths are relative to /api. */
const RULES: Rule[] = [
  { method: "POST", path: /^\/channels$/, describe: (_, body, answer) => ({ action: "channel.created", channelId: answer.channel?.id, workspaceId: body.workspaceId, targetType: "channel", targetId: answer.channel?.id, summary: `Created the ${findProvider(body.provider)?.label ?? body.provider} channel ${answer.channel?.displayName ?? answer.channel?.account?.name ?? answer.channel?.id}${body.force ? " (moving the account from another channel)" : ""}` }) },
  { method: "PATCH", path: /^\/channels\/([^/]+)$/, describe: ([, id], body) => ({ action: "channel.updated", channelId: id!, targetType: "channel", targetId: id!, summary: `Changed ${describeChanges(body)}` }) },
  {
    method: "DELETE",
    path: /^\/channels\/([^/]+)$/,
    lookup: async ([, id], db) => ({ channel: await db.select().from(channels).where(eq(channels.id, id!)).get() }),
    describe: ([, id], _, __, looked) => ({
      action: "channel.deleted",
      channelId: id!,
      workspaceId: looked.channel?.workspaceId,
      targetType: "channel",
      targetId: id!,
      summary: `Deleted the ${findProvider(looked.channel?.provider ?? "")?.label ?? ""} channel ${looked.channel?.displayName ?? looked.channel?.accountName ?? id}`.replace("  ", " "),
    }),
  },
  { method: "PATCH", path: /^\/channels\/([^/]+)\/credentials$/, describe: ([, id], body) => ({ action: "channel.credentials", channelId: id!, targetType: "channel", targetId: id!, summary: `Changed the credential (${Object.keys(body.credentials ?? {}).join(", ")})` }) },
  { method: "POST", path: /^\/channels\/([^/]+)\/start$/, describe: channel("channel.started", "Started") },
  { method: "POST", path: /^\/channels\/([^/]+)\/stop$/, describe: channel("channel.stopped", "Stopped") },
  { method: "POST", path: /^\/channels\/([^/]+)\/retry$/, describe: channel("channel.retried", "Retried") },
  { method: "POST", path: /^\/channels\/([^/]+)\/relogin$/, describe: channel("channel.relogin", "Started a new login for") },
  {
    method: "POST",
    path: /^\/channels\/([^/]+)\/pairing\/([^/]+)\/(approve|reject)$/,
    lookup: pairingLookup,
    describe: ([, id, request, decision], _, __, looked) => ({
      action: decision === "approve" ? "pairing.approved" : "pairing.rejected",
      channelId: id!,
      targetType: "pairing",
      targetId: request!,
      summary: `${decision === "approve" ? "Approved" : "Rejected"} pairing code ${looked.code ?? request}${looked.user ? ` (${looked.user})` : ""}`,
    }),
  },
  { method: "POST", path: /^\/channels\/([^/]+)\/invite-codes$/, describe: ([, id], _, answer) => ({ action: "invite.created", channelId: id!, targetType: "invite", targetId: answer.inviteCode?.id, summary: `Generated invite code ${answer.inviteCode?.code ?? ""}`.trim() }) },
  { method: "DELETE", path: /^\/channels\/([^/]+)\/invite-codes\/([^/]+)$/, describe: ([, id, code]) => ({ action: "invite.revoked", channelId: id!, targetType: "invite", targetId: code!, summary: "Revoked an invite code" }) },
  {
    method: "PATCH",
    path: /^\/channels\/([^/]+)\/users\/([^/]+)$/,
    describe: ([, id, user], body, answer) => ({ action: body.disabled ? "user.disabled" : "user.enabled", channelId: id!, targetType: "user", targetId: user!, summary: `${body.disabled ? "Disabled" : "Enabled"} ${userName(answer.user) ?? "a user"}` }),
  },
  { method: "POST", path: /^\/channels\/([^/]+)\/users\/([^/]+)\/approve$/, describe: ([, id, user], _, answer) => ({ action: "user.approved", channelId: id!, targetType: "user", targetId: user!, summary: `Approved ${userName(answer.user) ?? "a waiting user"}` }) },
  { method: "DELETE", path: /^\/channels\/([^/]+)\/users\/([^/]+)$/, lookup: userLookup, describe: ([, id, user], _, __, looked) => ({ action: "user.removed", channelId: id!, targetType: "user", targetId: user!, summary: `Removed ${looked.name ?? "a user"}` }) },
  { method: "POST", path: /^\/workspaces$/, describe: (_, body, answer) => ({ action: "workspace.created", workspaceId: answer.workspace?.id, targetType: "workspace", targetId: answer.workspace?.id, summary: `Created the workspace ${body.name} (${body.backend})` }) },
  { method: "PATCH", path: /^\/workspaces\/([^/]+)$/, describe: ([, id], body, answer) => ({ action: "workspace.updated", workspaceId: id!, targetType: "workspace", targetId: id!, summary: `Changed the workspace ${answer.workspace?.name ?? id}: ${describeChanges(body)}` }) },
  { method: "DELETE", path: /^\/workspaces\/([^/]+)$/, describe: ([, id]) => ({ action: "workspace.deleted", workspaceId: id!, targetType: "workspace", targetId: id!, summary: "Deleted the workspace" }) },
  { method: "POST", path: /^\/workspaces\/([^/]+)\/threads$/, describe: ([, id], body, answer) => ({ action: "thread.created", workspaceId: id!, targetType: "thread", targetId: answer.thread?.id, summary: `Created the shared thread "${body.title}"` }) },
  { method: "POST", path: /^\/workspaces\/([^/]+)\/api-keys$/, describe: ([, id], body, answer) => ({ action: "api_key.created", workspaceId: id!, targetType: "api_key", targetId: answer.apiKey?.id, summary: `Created the push API key "${body.name}"` }) },
  { method: "DELETE", path: /^\/workspaces\/([^/]+)\/api-keys\/([^/]+)$/, describe: ([, id, key]) => ({ action: "api_key.revoked", workspaceId: id!, targetType: "api_key", targetId: key!, summary: "Revoked a push API key" }) },
];

/** Field names of a PATCH body, never their values (secrets and credentials stay out of the log). */
function describeChanges(body: Record<string, any>): string {
  const keys = Object.entries(body).flatMap(([key, value]) =>
    (key === "settings" || key === "config") && value && typeof value === "object" ? Object.keys(value).map((inner) => `${key}.${inner}`) : [key],
  );
  return keys.length > 0 ? keys.join(", ") : "nothing";
}

function userName(user: Record<string, any> | undefined | null): string | null {
  if (!user) return null;
  return user.displayName ?? (user.username ? `@${user.username}` : (user.providerUserId ?? null));
}

export const auditActions: MiddlewareHandler<{ Bindings: Env }> = async (c, next) => {
  const method = c.req.method;
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return next();
  const path = new URL(c.req.url).pathname.replace(/^\/api/, "");
  const rule = RULES.find((item) => item.method === method && item.path.test(path));
  // Read the body before the route does (the request body can be read once; Hono caches it).
  const body = rule && method !== "DELETE" ? ((await c.req.json().catch(() => ({}))) as Record<string, any>) : {};
  const match = rule ? rule.path.exec(path)! : [];
  const looked = rule?.lookup ? await rule.lookup(match, getDb(c.env.DB)).catch(() => ({})) : {};
  await next();
  if (!rule || c.res.status >= 400) return;
  const answer = (await c.res.clone().json().catch(() => ({}))) as Record<string, any>;
  const described = rule.describe(match, body ?? {}, answer, looked);
  if (!described) return;
  const actor = actors.get(c.req.raw) ?? { kind: "token" as const };
  const entry: AuditEntry = { ...described, actorKind: actor.kind, actorId: actor.kind === "session" ? actor.id : null };
  // The action happened: a failure to record it must not turn its answer into an error.
  await recordAudit(getDb(c.env.DB), entry).catch((error: Error) => console.error("audit log write failed", error.message));
};
