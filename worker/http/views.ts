// What the API shows of stored rows: never a credential or secret, only that one is configured.
import type { ChannelRow } from "../db/channels";
import type { WorkspaceRow } from "../db/workspaces";
import { readSettings } from "../core/settings";
import { findProvider } from "../providers/registry";

export function channelView(row: ChannelRow, workspace?: Pick<WorkspaceRow, "id" | "name">) {
  return {
    id: row.id,
    provider: row.provider,
    providerLabel: findProvider(row.provider)?.label ?? row.provider,
    connection: findProvider(row.provider)?.connection ?? "token",
    workspaceId: row.workspaceId,
    workspaceName: workspace?.name ?? null,
    threadId: row.threadId,
    displayName: row.displayName,
    account: { id: row.accountId, name: row.accountName },
    credentials: "configured" as const,
    settings: readSettings(row.settings),
    status: row.status,
    statusReason: row.statusReason,
    statusAt: row.statusAt,
    lastInboundAt: row.lastInboundAt,
    lastOutboundAt: row.lastOutboundAt,
    createdAt: row.createdAt,
  };
}

export function workspaceView(row: WorkspaceRow) {
  return {
    id: row.id,
    name: row.name,
    backend: row.backend,
    config: row.config,
    secrets: row.secretsEnc ? ("configured" as const) : null,
    agents: row.agents,
    isDefault: row.isDefault,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
