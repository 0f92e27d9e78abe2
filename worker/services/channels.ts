// Creating a channel: validate the credential with the provider, refuse (409) or take over an
// account that another channel holds, store the credential encrypted.
import * as z from "zod";
import { openChannelSecrets, sealChannelSecrets } from "../core/credentials";
import { channelSettingsSchema } from "../core/settings";
import { newId, newWebhookSecret } from "../crypto/random";
import { channelsWithAccount, getChannel, setChannelCredentials, type ChannelRow } from "../db/channels";
import type { Db } from "../db/client";
import { channels } from "../db/schema";
import { getThread } from "../db/threads";
import { getWorkspace, listWorkspaces } from "../db/workspaces";
import type { Env } from "../env";
import { ApiError } from "../http/errors";
import { channelStub } from "../http/stub";
import { CredentialError, ProviderError } from "../providers/errors";
import { findProvider } from "../providers/registry";
import type { ProviderAdapter } from "../providers/types";

export const createChannelSchema = z
  .object({
    provider: z.string(),
    workspaceId: z.string(),
    threadId: z.string().nullish(),
    displayName: z.string().trim().max(80).nullish(),
    credentials: z.record(z.string(), z.string()),
    settings: channelSettingsSchema.partial().strict().optional(),
    force: z.boolean().optional(),
  })
  .strict();

export const testCredentialsSchema = z.object({ provider: z.string(), credentials: z.record(z.string(), z.string()) }).strict();

function providerOrThrow(id: string): ProviderAdapter {
  const adapter = findProvider(id);
  if (!adapter) throw new ApiError(400, `provider: "${id}" is not available`);
  return adapter;
}

/**
 * Refuses allowlist entries that cannot be one of the provider's group ids (400 naming the first),
 * so a typo is caught when it is saved, not by messages that are silently dropped.
 */
export function checkAllowedGroups(adapter: ProviderAdapter | undefined, groups: readonly string[] | undefined): void {
  const format = adapter?.groupIdFormat;
  if (!format || !groups) return;
  const pattern = new RegExp(format.pattern);
  const wrong = groups.find((group) => !pattern.test(group));
  if (wrong !== undefined) {
    throw new ApiError(400, `Allowed groups: "${wrong}" is not a ${adapter.label} group id; they look like ${format.example} (dropped group messages are logged with their chat id)`);
  }
}

/** Validates the credential's shape and then asks the provider; 400 with the provider's answer. */
export async function testCredentials(env: Env, providerId: string, raw: Record<string, string>) {
  const adapter = providerOrThrow(providerId);
  const parsed = adapter.credentialsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    // Named by the field's label, as the form shows it (the path stays in `field` for scripts).
    const name = issue.path.join(".");
    const label = adapter.credentialFields.find((field) => field.name === name)?.label ?? name;
    throw new ApiError(400, `${label}: ${issue.message}`, { field: `credentials.${name}` });
  }
  try {
    const account = await adapter.testCredentials(parsed.data, env);
    return { adapter, credentials: parsed.data, account };
  } catch (error) {
    if (error instanceof CredentialError) throw new ApiError(400, `credential rejected: ${error.message}`);
    if (error instanceof ProviderError) throw new ApiError(502, `could not reach ${adapter.label}: ${error.message}`);
    throw error;
  }
}

export async function createChannel(env: Env, db: Db, input: z.infer<typeof createChannelSchema>) {
  const workspace = await getWorkspace(db, input.workspaceId);
  if (!workspace) throw new ApiError(400, `workspaceId: no workspace "${input.workspaceId}"`);
  if (input.threadId) {
    const thread = await getThread(db, input.threadId);
    if (!thread || thread.workspaceId !== workspace.id) throw new ApiError(400, `threadId: no thread "${input.threadId}" in this workspace`);
  }
  checkAllowedGroups(findProvider(input.provider), input.settings?.allowedGroups);
  const id = newId("ch");
  // A QR provider has no credential to test: its account is known once the login connects, which
  // replaces the placeholder and checks the impact scope then (durable-objects/channel/login.ts).
  const qrProvider = providerOrThrow(input.provider).connection === "qr";
  const { adapter, credentials, account } = qrProvider
    ? { adapter: providerOrThrow(input.provider), credentials: {}, account: { id: `pending:${id}`, name: "", details: {} } }
    : await testCredentials(env, input.provider, input.credentials);

  const holders = qrProvider ? [] : await channelsWithAccount(db, adapter.id, account.id);
  if (holders.length > 0 && !input.force) {
    throw new ApiError(409, `this ${adapter.label} account (${account.name}) is already connected to another channel`, {
      impact: await impactOf(db, holders.map((holder) => holder.id)),
    });
  }

  for (const holder of holders) {
    await channelStub(env, holder.id).stop(holder.id, `account ${account.name} was connected to channel ${id}`);
  }
  await db.insert(channels).values({
    id,
    provider: adapter.id,
    workspaceId: workspace.id,
    threadId: input.threadId ?? null,
    displayName: input.displayName || null,
    accountId: account.id,
    accountName: account.name,
    accountInfo: account.details,
    credentialsEnc: await sealChannelSecrets(env.ENCRYPTION_KEY!, id, { credentials, webhookSecret: newWebhookSecret() }),
    settings: channelSettingsSchema.parse(input.settings ?? {}),
  });
  return (await getChannel(db, id))!;
}

/** Which channels, and through them which workspaces, lose the account if it moves. */
async function impactOf(db: Db, channelIds: string[]) {
  const workspaces = new Map((await listWorkspaces(db)).map((workspace) => [workspace.id, workspace.name]));
  const rows = await Promise.all(channelIds.map((id) => getChannel(db, id)));
  return rows
    .filter((row) => row !== undefined)
    .map((row) => ({
      channelId: row.id,
      displayName: row.displayName,
      status: row.status,
      workspaceId: row.workspaceId,
      workspaceName: workspaces.get(row.workspaceId) ?? null,
    }));
}


export const addCredentialsSchema = z.object({ credentials: z.record(z.string(), z.string().trim().min(1)) }).strict();

/**
 * Adds or replaces entries of a token channel's credential (Slack's app-level token when the
 * channel moves to Socket Mode, a rotated secret), tested with the provider like a new one. The
 * account must stay the same: another bot is another channel.
 */
export async function addCredentials(env: Env, db: Db, channel: ChannelRow, entries: Record<string, string>): Promise<void> {
  const adapter = providerOrThrow(channel.provider);
  if (adapter.connection !== "token") throw new ApiError(400, `${adapter.label} channels keep their session in the bridge; there is no credential to add`);
  const unknown = Object.keys(entries).find((name) => !adapter.credentialFields.some((field) => field.name === name));
  if (unknown !== undefined) throw new ApiError(400, `credentials.${unknown}: ${adapter.label} has no such credential field`);
  const secrets = await openChannelSecrets(env.ENCRYPTION_KEY!, channel.id, channel.credentialsEnc);
  const { credentials, account } = await testCredentials(env, channel.provider, { ...secrets.credentials, ...entries });
  if (account.id !== channel.accountId) {
    throw new ApiError(400, `these credentials belong to another ${adapter.label} account (${account.name}); create a new channel for it`);
  }
  await setChannelCredentials(db, channel.id, await sealChannelSecrets(env.ENCRYPTION_KEY!, channel.id, { credentials, webhookSecret: secrets.webhookSecret }));
}
