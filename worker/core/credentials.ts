// Secrets at rest: a channel's provider credential with its webhook secret
// (`channels.credentials_enc`), and a workspace's backend keys (`workspaces.secrets_enc`).
import type { BackendWorkspace } from "../backends/types";
import { openJson, sealJson } from "../crypto/secret-box";
import type { WorkspaceRow } from "../db/workspaces";

export interface SealedChannelSecrets {
  credentials: Record<string, string>;
  webhookSecret: string;
}

export function sealChannelSecrets(key: string, channelId: string, secrets: SealedChannelSecrets): Promise<string> {
  return sealJson(key, `channel:${channelId}`, secrets);
}

export function openChannelSecrets(key: string, channelId: string, sealed: string): Promise<SealedChannelSecrets> {
  return openJson<SealedChannelSecrets>(key, `channel:${channelId}`, sealed);
}

/** One entry of a bridge session's state (kept in the ChannelDO), bound to its channel and name. */
export function sealCredentialEntry(key: string, channelId: string, name: string, value: string): Promise<string> {
  return sealJson(key, `channel:${channelId}:entry:${name}`, value);
}

export function openCredentialEntry(key: string, channelId: string, name: string, sealed: string): Promise<string> {
  return openJson<string>(key, `channel:${channelId}:entry:${name}`, sealed);
}

export function sealWorkspaceSecrets(key: string, workspaceId: string, secrets: Record<string, string>): Promise<string> {
  return sealJson(key, `workspace:${workspaceId}`, secrets);
}

export async function openWorkspaceSecrets(key: string, row: Pick<WorkspaceRow, "id" | "secretsEnc">): Promise<Record<string, string>> {
  return row.secretsEnc ? openJson<Record<string, string>>(key, `workspace:${row.id}`, row.secretsEnc) : {};
}

/** A workspace row as a backend sees it: its config and its decrypted secrets. */
export async function backendWorkspaceOf(key: string, row: WorkspaceRow): Promise<BackendWorkspace> {
  return { id: row.id, name: row.name, config: row.config, secrets: await openWorkspaceSecrets(key, row) };
}
