// Telegram Bot API adapter: webhook with a per-channel secret token, plain fetch calls.
import * as z from "zod";
import { COMMAND_HELP, type CommandName } from "../../core/commands";
import { checkingCredential, CredentialError, ProviderError } from "../errors";
import { OK_ACK, type AccountInfo, type ChannelContext, type ProviderAdapter } from "../types";
import { callTelegram } from "./api";
import { parseTelegramUpdate, type BotIdentity } from "./parse";
import { SECRET_HEADER, verifyTelegramSecret } from "./verify";

/** Update types the bot subscribes to; edits and reactions are not conversation turns. */
export const ALLOWED_UPDATES = ["message"];

interface TelegramUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  username?: string;
}

interface WebhookInfo {
  url: string;
  last_error_date?: number;
  last_error_message?: string;
  pending_update_count: number;
}

function botIdentity(channel: ChannelContext): BotIdentity {
  return { id: Number(channel.account.id), username: channel.account.name };
}

export const telegramAdapter: ProviderAdapter = {
  id: "telegram",
  label: "Telegram",
  connection: "token",
  credentialFields: [
    { name: "botToken", label: "Bot token", type: "string", secret: true, required: true, help: "From @BotFather: /newbot, then copy the token." },
  ],
  commandSyntax: "slash",
  // Telegram allows about one message (or edit) per second in a chat.
  limits: { maxTextLength: 4096, editIntervalMs: 1000 },
  threadedReplies: false,
  groupDirectory: false,
  groupIdFormat: { pattern: "^-\\d+$", example: "-1001234567890" },
  credentialsSchema: z.object({
    botToken: z
      .string()
      .trim()
      .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, "a Telegram bot token looks like 123456789:AA… (from @BotFather)"),
  }),

  async testCredentials(credentials, env): Promise<AccountInfo> {
    const me = await checkingCredential(() => callTelegram<TelegramUser>(env, credentials.botToken!, "getMe"));
    if (!me.is_bot || !me.username) throw new CredentialError("Telegram getMe: this token does not belong to a bot");
    return { id: String(me.id), name: me.username, details: { ...me } };
  },

  async connect(channel, webhookUrl) {
    const token = channel.credentials.botToken!;
    await callTelegram(channel.env, token, "setWebhook", {
      url: webhookUrl,
      secret_token: channel.webhookSecret,
      allowed_updates: ALLOWED_UPDATES,
    });
    const commands = (Object.keys(COMMAND_HELP) as CommandName[]).map((name) => ({
      command: name,
      description: COMMAND_HELP[name].description,
    }));
    await callTelegram(channel.env, token, "setMyCommands", { commands });
    return { mode: "registered" };
  },

  async disconnect(channel) {
    await callTelegram(channel.env, channel.credentials.botToken!, "deleteWebhook", { drop_pending_updates: false });
  },

  inboundHeaders: [SECRET_HEADER],
  async verify(channel, request) {
    return request.method === "POST" && verifyTelegramSecret(request.headers, channel.webhookSecret);
  },

  parse(channel, request) {
    return { ack: OK_ACK, events: [parseTelegramUpdate(JSON.parse(request.rawBody), botIdentity(channel))] };
  },

  async sendText(channel, message) {
    const sent = await callTelegram<{ message_id: number }>(channel.env, channel.credentials.botToken!, "sendMessage", {
      chat_id: message.address,
      text: message.text,
      ...(message.replyTo
        ? { reply_parameters: { message_id: Number(message.replyTo), allow_sending_without_reply: true } }
        : {}),
    });
    return { messageId: String(sent.message_id) };
  },

  async editText(channel, address, messageId, text) {
    try {
      await callTelegram(channel.env, channel.credentials.botToken!, "editMessageText", { chat_id: address, message_id: Number(messageId), text });
    } catch (error) {
      // The same text again is not an error for us: the message already says it.
      if (error instanceof ProviderError && error.message.includes("message is not modified")) return;
      throw error;
    }
  },

  async sendVoice(channel, address, audio) {
    const form = new FormData();
    form.set("chat_id", address);
    form.set("voice", new Blob([audio.bytes], { type: audio.mime }), audio.mime === "audio/mpeg" ? "reply.mp3" : "reply.ogg");
    await callTelegram(channel.env, channel.credentials.botToken!, "sendVoice", form);
  },

  async sendTyping(channel, address) {
    await callTelegram(channel.env, channel.credentials.botToken!, "sendChatAction", { chat_id: address, action: "typing" });
  },

  async probe(channel) {
    const info = await callTelegram<WebhookInfo>(channel.env, channel.credentials.botToken!, "getWebhookInfo");
    if (!info.url) return { ok: false, reason: "webhook is not registered with Telegram (removed outside Switchboard?)" };
    if (info.last_error_message && info.last_error_date && Date.now() / 1000 - info.last_error_date < 600) {
      return { ok: false, reason: `Telegram cannot deliver to the webhook: ${info.last_error_message}` };
    }
    return { ok: true };
  },
};
