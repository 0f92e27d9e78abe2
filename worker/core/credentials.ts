// What is sealed in `channels.credentials_enc`: the provider credential and our webhook secret.
import { openJson, sealJson } from "../crypto/secret-box";

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
