// Shapes of the admin API's answers, as the pages use them (worker/http/views.ts and routes).
// Field descriptions come from the Worker's own types, so the forms cannot drift from the API.
import type { capabilitiesOf, ProviderField } from "../../../worker/providers/types";
import type { BackendField } from "../../../worker/backends/types";
import type { SeriesPoint, StatsWindow, Totals } from "../../../worker/core/stats";

export type { BackendField, ProviderField };

export type ChannelStatus = "stopped" | "starting" | "awaiting-login" | "running" | "error";

/** What a provider can do (GET /api/providers), so pages read capabilities instead of names. */
export type ProviderCapabilities = ReturnType<typeof capabilitiesOf>;

export interface Channel {
  id: string;
  provider: string;
  providerLabel: string;
  connection: "token" | "qr";
  capabilities: ProviderCapabilities | null;
  workspaceId: string;
  workspaceName: string | null;
  threadId: string | null;
  displayName: string | null;
  account: { id: string; name: string | null };
  credentials: "configured";
  settings: ChannelSettings;
  status: ChannelStatus;
  statusReason: string | null;
  statusAt: number | null;
  lastInboundAt: number | null;
  lastOutboundAt: number | null;
  createdAt: number;
  /** Pending pairing requests (the channel list only). */
  pendingPairing?: number;
}

export interface ChannelSettings {
  dmPolicy: "pairing" | "allowlist" | "open" | "disabled";
  groupPolicy: "disabled" | "allowlist" | "open";
  allowedGroups: string[];
  requireMention: boolean;
  agentWhitelist: string[];
  /** Voice replies (providers that can send voice notes). */
  voiceReplies?: boolean;
  /** WhatsApp: the linked account's own chat is answered like a DM. */
  selfChat?: boolean;
  /** Discord: plain messages through the gateway (the bridge). */
  gateway?: boolean;
  /** Slack: events through Socket Mode (the bridge) instead of the Request URL. */
  socketMode?: boolean;
  /** DM allowlist picked from a provider directory (provider user ids). */
  allowedUsers?: string[];
  /** Per-group require-mention overrides, by group id. */
  groupRequireMention?: Record<string, boolean>;
}


export interface Provider {
  id: string;
  label: string;
  connection: "token" | "qr";
  available: boolean;
  credentialFields: ProviderField[];
  /** Absent for providers that are not built yet. */
  capabilities?: ProviderCapabilities;
}


export interface Backend {
  kind: string;
  label: string;
  fields: BackendField[];
}

export interface Workspace {
  id: string;
  name: string;
  backend: string;
  config: Record<string, unknown>;
  secrets: "configured" | null;
  agents: string[];
  isDefault: boolean;
  createdAt: number;
  updatedAt: number;
  /** Single reads only: the names of the secrets that are set (never their values). */
  secretNames?: string[];
  /** Single reads only: whether voice notes can be spoken with these settings here. */
  voice?: { ready: boolean; problem: string | null };
}

/** A push-API key as listed (the secret itself is returned only once, on creation). */
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface Thread {
  id: string;
  workspaceId: string;
  title: string;
  kind: "personal" | "shared";
  ownerKey: string | null;
  createdAt: number;
  lastMessageAt: number | null;
  /** Single reads of a personal thread: its channel and chat. */
  owner?: { channelId: string; channelName: string | null; chat: { type: "direct" | "group"; id: string }; userName: string | null } | null;
}

export interface ThreadMessage {
  id: string;
  role: "user" | "assistant";
  text: string;
  channelId: string | null;
  sender: { id: string; name: string | null } | null;
  createdAt: number;
}

export interface ChannelUser {
  id: string;
  providerUserId: string;
  username: string | null;
  displayName: string | null;
  state: "pending" | "approved" | "disabled";
  createdAt: number;
  approvedAt: number | null;
  lastSeenAt: number | null;
}

export interface PairingRequest {
  id: string;
  code: string;
  createdAt: number;
  expiresAt: number;
  user: { id: string; providerUserId: string; username: string | null; displayName: string | null } | null;
  heldMessage: boolean;
  heldMessages?: number;
}

export interface LogEntry {
  id: number;
  level: "info" | "warn" | "error";
  event: string;
  message: string;
  detail: Record<string, unknown> | null;
  createdAt: number;
}

export interface ImpactEntry {
  channelId: string;
  displayName: string | null;
  status: ChannelStatus;
  workspaceId: string;
  workspaceName: string | null;
}

export type { StatsWindow };
export type StatsPoint = SeriesPoint;
/** A window's totals, with the pairing requests waiting now. */
export type StatsTotals = Totals & { pendingPairing: number };

/** GET /api/stats. */
export interface Stats {
  window: StatsWindow;
  from: number;
  stepMs: number;
  total: StatsTotals;
  series: StatsPoint[];
  channels: { channelId: string; totals: StatsTotals; series: StatsPoint[] }[];
}

export interface InviteCode {
  id: string;
  code: string;
  state: "unused" | "used" | "expired" | "revoked";
  createdAt: number;
  expiresAt: number;
  redeemedAt: number | null;
  revokedAt: number | null;
  redeemedBy: { id: string; providerUserId?: string; username?: string | null; displayName?: string | null } | null;
}

export interface AuditEntry {
  id: number;
  at: number;
  actor: { kind: "session" | "token"; id: string | null };
  action: string;
  channelId: string | null;
  workspaceId: string | null;
  target: { type: string; id: string | null };
  summary: string;
}
