// Everything the ChannelDO needs to act for its channel, loaded from D1 once and cached until
// the admin API changes the channel (which calls `reload()` on the DO).
import type { BackendWorkspace } from "../../worker/backends/types";
import { backendWorkspaceOf, openChannelSecrets } from "../../worker/core/credentials";
import { readSettings, type ChannelSettings } from "../../worker/core/settings";
import { getChannel, type ChannelRow } from "../../worker/db/channels";
import type { Db } from "../../worker/db/client";
import { getWorkspace } from "../../worker/db/workspaces";
import type { Env } from "../../worker/env";
import { getProvider } from "../../worker/providers/registry";
import type { ChannelContext, ProviderAdapter } from "../../worker/providers/types";

export interface RuntimeWorkspace extends BackendWorkspace {
  backend: string;
  agents: string[];
}

export interface ChannelRuntime {
  row: ChannelRow;
  adapter: ProviderAdapter;
  context: ChannelContext;
  settings: ChannelSettings;
  workspace: RuntimeWorkspace;
}

export async function loadRuntime(env: Env, db: Db, channelId: string): Promise<ChannelRuntime | null> {
  const row = await getChannel(db, channelId);
  if (!row) return null;
  const workspaceRow = await getWorkspace(db, row.workspaceId);
  if (!workspaceRow) throw new Error(`workspace ${row.workspaceId} of channel ${channelId} is missing`);
  const key = env.ENCRYPTION_KEY!;
  const secrets = await openChannelSecrets(key, channelId, row.credentialsEnc);
  const workspace = await backendWorkspaceOf(key, workspaceRow);
  const settings = readSettings(row.settings);
  return {
    row,
    adapter: getProvider(row.provider),
    settings,
    context: {
      channelId,
      credentials: secrets.credentials,
      webhookSecret: secrets.webhookSecret,
      account: { id: row.accountId, name: row.accountName ?? "", details: row.accountInfo },
      settings,
      env,
    },
    workspace: { ...workspace, backend: workspaceRow.backend, agents: workspaceRow.agents },
  };
}
