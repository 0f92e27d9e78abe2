// D1 schema (drizzle). docs/storage-schema.md explains every table and who writes it.
// Times are Unix milliseconds. No ON DELETE CASCADE: drizzle may rebuild tables in later
// migrations, and a rebuild on D1 would silently cascade (see docs/storage-schema.md).
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const createdAt = () => integer("created_at").notNull().default(sql`(unixepoch() * 1000)`);

export const workspaces = sqliteTable("workspaces", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** Agent backend kind: echo | openai | anythingllm | workers-ai | webhook. */
  backend: text("backend").notNull(),
  /** Backend settings that are not secret (base URL, model, …), JSON. */
  config: text("config", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
  /** Backend secrets (API keys), AES-GCM encrypted JSON; never returned by the API. */
  secretsEnc: text("secrets_enc"),
  /** Named agents users may address with `@name`, JSON array of strings. */
  agents: text("agents", { mode: "json" }).$type<string[]>().notNull().default([]),
  isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
  createdAt: createdAt(),
  updatedAt: integer("updated_at").notNull().default(sql`(unixepoch() * 1000)`),
});

export const threads = sqliteTable(
  "threads",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    title: text("title").notNull(),
    /** personal: created for one chat (DM user or group); shared: bound as a channel default. */
    kind: text("kind").$type<"personal" | "shared">().notNull(),
    /** For personal threads: the owner, `<channelId>:<chatKey>`. */
    ownerKey: text("owner_key"),
    /** The backend's own thread id, for backends that keep history themselves. */
    backendRef: text("backend_ref"),
    createdAt: createdAt(),
    lastMessageAt: integer("last_message_at"),
  },
  (t) => [index("threads_owner_idx").on(t.ownerKey, t.lastMessageAt), index("threads_workspace_idx").on(t.workspaceId)],
);

export const messages = sqliteTable(
  "messages",
  {
    id: text("id").primaryKey(),
    threadId: text("thread_id").notNull(),
    role: text("role").$type<"user" | "assistant">().notNull(),
    text: text("text").notNull(),
    channelId: text("channel_id"),
    /** Provider user id of the author (user messages). */
    senderId: text("sender_id"),
    createdAt: createdAt(),
  },
  (t) => [index("messages_thread_idx").on(t.threadId, t.createdAt)],
);

export const channels = sqliteTable(
  "channels",
  {
    id: text("id").primaryKey(),
    provider: text("provider").notNull(),
    workspaceId: text("workspace_id").notNull(),
    /** Bound default thread; null means every chat gets its own threads. */
    threadId: text("thread_id"),
    displayName: text("display_name"),
    /** Provider account identity (bot id), used to detect an account connected twice. */
    accountId: text("account_id").notNull(),
    /** Human account label (the bot username, without the @). */
    accountName: text("account_name"),
    /** Provider account details from the credential test (e.g. Telegram getMe), JSON. */
    accountInfo: text("account_info", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    /** Credentials plus the webhook secret, AES-GCM encrypted JSON (row id as AAD). */
    credentialsEnc: text("credentials_enc").notNull(),
    settings: text("settings", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    status: text("status").$type<"stopped" | "starting" | "awaiting-login" | "running" | "error">().notNull().default("stopped"),
    statusReason: text("status_reason"),
    statusAt: integer("status_at"),
    lastInboundAt: integer("last_inbound_at"),
    lastOutboundAt: integer("last_outbound_at"),
    createdAt: createdAt(),
    updatedAt: integer("updated_at").notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [index("channels_account_idx").on(t.provider, t.accountId)],
);

export const channelUsers = sqliteTable(
  "channel_users",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id").notNull(),
    providerUserId: text("provider_user_id").notNull(),
    username: text("username"),
    displayName: text("display_name"),
    state: text("state").$type<"pending" | "approved" | "disabled">().notNull(),
    /** Reply address of the user's DM with the bot (where pushes to this user go; adapter-encoded). */
    dmAddress: text("dm_chat_id"),
    createdAt: createdAt(),
    approvedAt: integer("approved_at"),
    lastSeenAt: integer("last_seen_at"),
  },
  (t) => [uniqueIndex("channel_users_provider_idx").on(t.channelId, t.providerUserId)],
);

export const pairingRequests = sqliteTable(
  "pairing_requests",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id").notNull(),
    userId: text("user_id").notNull(),
    /** Reply address of the DM, where the approval notice and the held answer go (adapter-encoded). */
    address: text("chat_id").notNull(),
    code: text("code").notNull(),
    status: text("status").$type<"pending" | "approved" | "rejected" | "expired">().notNull(),
    /**
     * The messages sent while the request waits, answered in order on approval (normalised
     * inbound JSON: a list, at most 20; one object in requests stored by earlier releases).
     */
    heldMessage: text("held_message", { mode: "json" }).$type<Record<string, unknown> | Record<string, unknown>[]>(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
    decidedAt: integer("decided_at"),
  },
  (t) => [index("pairing_channel_idx").on(t.channelId, t.status), index("pairing_user_idx").on(t.userId, t.createdAt)],
);

export const inviteCodes = sqliteTable(
  "invite_codes",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id").notNull(),
    code: text("code").notNull(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
    redeemedBy: text("redeemed_by"),
    redeemedAt: integer("redeemed_at"),
    /** Set when an admin revoked the code before it was used. */
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("invite_codes_code_idx").on(t.channelId, t.code)],
);

export const chatRoutes = sqliteTable(
  "chat_routes",
  {
    channelId: text("channel_id").notNull(),
    /** `dm:<providerUserId>` or `group:<providerChatId>`. */
    chatKey: text("chat_key").notNull(),
    /** Reply address to deliver to (pushed messages reach the chat through it; adapter-encoded). */
    address: text("chat_id"),
    activeThreadId: text("active_thread_id"),
    /** Thread ids of the last `/threads` listing, in the numbered order shown. */
    lastListing: text("last_listing", { mode: "json" }).$type<string[]>().notNull().default([]),
    updatedAt: integer("updated_at").notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.chatKey] }), index("chat_routes_active_idx").on(t.activeThreadId)],
);

/** Replies that arrived for a thread that was not the chat's active one. */
export const missedReplies = sqliteTable(
  "missed_replies",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id").notNull(),
    chatKey: text("chat_key").notNull(),
    threadId: text("thread_id").notNull(),
    text: text("text").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("missed_replies_chat_idx").on(t.channelId, t.chatKey, t.threadId)],
);

export const channelLogs = sqliteTable(
  "channel_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    channelId: text("channel_id").notNull(),
    level: text("level").$type<"info" | "warn" | "error">().notNull(),
    /** Machine-readable event name, e.g. `inbound.accepted`, `inbound.dropped`, `outbound.failed`. */
    event: text("event").notNull(),
    message: text("message").notNull(),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
    createdAt: createdAt(),
  },
  (t) => [index("channel_logs_channel_idx").on(t.channelId, t.id)],
);

/**
 * Admin UI sessions (cookie login, worker/auth/). The cookie is HMAC-signed; the row is what
 * logout deletes, so a copied cookie stops working once its session is ended.
 */
export const adminSessions = sqliteTable(
  "admin_sessions",
  {
    id: text("id").primaryKey(),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("admin_sessions_expires_idx").on(t.expiresAt)],
);

/**
 * Attempts to present ADMIN_TOKEN (logins and bearer tokens) per client (hashed address), plus
 * one row for all clients together, in a fixed window: the admin-token rate limit.
 */
export const loginAttempts = sqliteTable(
  "login_attempts",
  {
    clientKey: text("client_key").primaryKey(),
    windowStart: integer("window_start").notNull(),
    attempts: integer("attempts").notNull(),
  },
  // Ended windows are swept on every attempt.
  (t) => [index("login_attempts_window_idx").on(t.windowStart)],
);

/** Push-API keys, one set per workspace. Only a SHA-256 of the key is stored; it is shown once. */
export const workspaceApiKeys = sqliteTable(
  "workspace_api_keys",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id").notNull(),
    name: text("name").notNull(),
    keyHash: text("key_hash").notNull(),
    /** The first characters of the key, so an operator can tell keys apart. */
    keyPrefix: text("key_prefix").notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [uniqueIndex("workspace_api_keys_hash_idx").on(t.keyHash), index("workspace_api_keys_workspace_idx").on(t.workspaceId)],
);

/**
 * Channel activity per hour, for the overview charts: one row per channel per hour, written by
 * the channel's Durable Object in the same batch as its logs (never once per message). Counters
 * are the hour's totals, so writing a row again is harmless.
 */
export const channelStats = sqliteTable(
  "channel_stats",
  {
    channelId: text("channel_id").notNull(),
    /** Start of the hour, Unix ms. */
    hour: integer("hour").notNull(),
    messagesIn: integer("messages_in").notNull().default(0),
    messagesOut: integer("messages_out").notNull().default(0),
    errors: integer("errors").notNull().default(0),
    pairingRequests: integer("pairing_requests").notNull().default(0),
    /** Distinct senders in this hour. */
    activeUsers: integer("active_users").notNull().default(0),
    /** Distinct senders in the 24 hours and 7 days up to this row's last write. */
    users24h: integer("users_24h").notNull().default(0),
    users7d: integer("users_7d").notNull().default(0),
    /** Reply latency histogram: counts per bucket of LATENCY_BUCKETS_MS (worker/core/stats.ts), JSON. */
    latency: text("latency", { mode: "json" }).$type<number[]>().notNull().default([]),
    updatedAt: integer("updated_at").notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.channelId, t.hour] }), index("channel_stats_hour_idx").on(t.hour)],
);

/**
 * What admins did through the API (the audit log): who (a UI session or the bearer token), what,
 * to which channel, user or workspace, when. Bounded like the channel logs: the newest 5,000 per
 * channel (and 5,000 not about a channel); kept when the channel itself is deleted.
 */
export const adminAudit = sqliteTable(
  "admin_audit",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** `session` (the admin UI) or `token` (Authorization: Bearer). */
    actorKind: text("actor_kind").$type<"session" | "token">().notNull(),
    /** For sessions: the first characters of the session id, to tell sessions apart. */
    actorId: text("actor_id"),
    /** e.g. `channel.created`, `pairing.approved`, `user.disabled`, `invite.revoked`. */
    action: text("action").notNull(),
    /** The channel the action concerns ("" for none: workspaces, keys). */
    channelId: text("channel_id").notNull().default(""),
    workspaceId: text("workspace_id"),
    targetType: text("target_type").$type<"channel" | "user" | "workspace" | "pairing" | "invite" | "api_key" | "thread">().notNull(),
    targetId: text("target_id"),
    /** One line for people: "Approved pairing code ABCD2345 (Ada)". */
    summary: text("summary").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("admin_audit_channel_idx").on(t.channelId, t.id), index("admin_audit_workspace_idx").on(t.workspaceId, t.id)],
);
