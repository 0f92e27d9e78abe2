// Zalo OA adapter (the Zalo Bot Platform, whose API is deliberately Telegram-like): webhook with a
// per-channel secret token, plain fetch calls, text only (no edits, no voice on this platform).
import * as z from "zod";
import { checkingCredential, CredentialError, ProviderError } from "../errors";
import { OK_ACK, type AccountInfo, type ProviderAdapter } from "../types";
import { callZalo } from "./api";
import { parseZaloUpdate } from "./parse";
import { SECRET_HEADER, verifyZaloSecret } from "./verify";

interface ZaloBot {
  id: string | number;
  account_name: string;
  account_type?: string;
  can_join_groups?: boolean;
}

interface WebhookInfo {
  url?: string;
  updated_at?: number;
}

/** setWebhook's documented bounds for `secret_token`. */
const SECRET_MIN = 8;
const SECRET_MAX = 256;

export const zaloOaAdapter: ProviderAdapter = {
  id: "zalo-oa",
  label: "Zalo OA",
  connection: "token",
  credentialFields: [
    { name: "botToken", label: "Bot token", type: "string", secret: true, required: true, help: "From Zalo Bot Creator (zalo.me/s/botcreator): the token shaped 12345689:abc-xyz." },
  ],
  commandSyntax: "slash",
  limits: { maxTextLength: 2000, editIntervalMs: 1000 },
  threadedReplies: false,
  groupDirectory: false,
  credentialsSchema: z.object({
    // The token goes into the URL path, so it may not contain a slash or whitespace.
    botToken: z
      .string()
      .trim()
      .regex(/^\d+:[^\s/]{8,}$/, "a Zalo bot token looks like 12345689:abc-xyz (from Zalo Bot Creator)"),
  }),

  async testCredentials(credentials, env): Promise<AccountInfo> {
    const bot = await checkingCredential(() => callZalo<ZaloBot>(env, credentials.botToken!, "getMe"));
    if (!bot?.id || !bot.account_name) throw new CredentialError("Zalo getMe: the answer does not describe a bot");
    return { id: String(bot.id), name: bot.account_name, details: { ...bot } };
  },

  async connect(channel, webhookUrl) {
    const secret = channel.webhookSecret;
    if (secret.length < SECRET_MIN || secret.length > SECRET_MAX) {
      throw new ProviderError("permanent", `the webhook secret must be ${SECRET_MIN}–${SECRET_MAX} characters for Zalo`);
    }
    await callZalo(channel.env, channel.credentials.botToken!, "setWebhook", { url: webhookUrl, secret_token: secret });
    return { mode: "registered" };
  },

  async disconnect(channel) {
    await callZalo(channel.env, channel.credentials.botToken!, "deleteWebhook");
  },

  inboundHeaders: [SECRET_HEADER],
  async verify(channel, request) {
    return request.method === "POST" && verifyZaloSecret(request.headers, channel.webhookSecret);
  },

  parse(channel, request) {
    return { ack: OK_ACK, events: [parseZaloUpdate(JSON.parse(request.rawBody), channel.account.name)] };
  },

  async sendText(channel, message) {
    const sent = await callZalo<{ message_id: string | number }>(channel.env, channel.credentials.botToken!, "sendMessage", {
      chat_id: message.address,
      text: message.text,
    });
    return { messageId: String(sent.message_id) };
  },

  async sendTyping(channel, address) {
    await callZalo(channel.env, channel.credentials.botToken!, "sendChatAction", { chat_id: address, action: "typing" });
  },

  async probe(channel) {
    // getWebhookInfo reports only the URL (no delivery errors), so that is what can be checked.
    const info = await callZalo<WebhookInfo>(channel.env, channel.credentials.botToken!, "getWebhookInfo");
    if (!info?.url) return { ok: false, reason: "webhook is not registered with Zalo (removed outside Switchboard?)" };
    if (!info.url.endsWith(`/webhooks/zalo-oa/${channel.channelId}`)) return { ok: false, reason: `Zalo delivers to another URL: ${info.url}` };
    return { ok: true };
  },
};
