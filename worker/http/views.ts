// What the API shows of stored rows: never a credential or secret, only that one is configured.
import type { ChannelRow } from "../db/channels";
import type { WorkspaceRow } from "../db/workspaces";
import { readSettings } from "../core/settings";
import { findProvider } from "../providers/registry";
import { capabilitiesOf } from "../providers/types";

export function channelView(row: ChannelRow, workspace?: Pick<WorkspaceRow, "id" | "name">) {
  const adapter = findProvider(row.provider);
  return {
    id: row.id,
    provider: row.provider,
    providerLabel: adapter?.label ?? row.provider,
    connection: adapter?.connection ?? "token",
    /** What the provider can do: the pages show the operations and settings that apply. */
    capabilities: adapter ? capabilitiesOf(adapter) : null,
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
