// Lark / Feishu over the HTTP event subscription (schema 2.0): Lark POSTs encrypted, signed events
// to the channel's webhook URL (pasted by the admin in the developer console); replies go out
// through the IM API as the app, with a tenant_access_token cached in memory.
//
// Not offered: edits (Lark allows few edits per message, so streamed previews would run out),
// voice replies (an Opus upload plus an audio message, not built yet), a typing indicator (bots
// have none) and the long-connection mode (a persistent WebSocket: the bridge's job).
import * as z from "zod";
import { CredentialError, ProviderError } from "../errors";
import type { AccountInfo, ChannelContext, ProviderAdapter } from "../types";
import { LARK_DOMAINS, callLark, issueTenantToken, larkAppOf } from "./api";
import { parseLarkDelivery, type LarkBot } from "./parse";
import { larkRequest, type LarkAnswer } from "./request";
import { sendLarkText } from "./send";
import { larkSetupGuide } from "./setup";
import { NONCE_HEADER, openLarkBody, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyLarkRequest } from "./verify";

interface BotInfo extends LarkAnswer {
  bot: { open_id?: string; app_name?: string; activate_status?: number };
}

function larkBot(channel: ChannelContext): LarkBot {
  return { openId: String(channel.account.details.openId ?? "") };
}

export const larkAdapter: ProviderAdapter = {
  id: "lark",
  label: "Lark / Feishu",
  connection: "token",
  credentialFields: [
    {
      name: "domain",
      label: "Platform",
      type: "string",
      secret: false,
      required: true,
      options: [...LARK_DOMAINS],
      help: "open.feishu.cn for Feishu (mainland China), open.larksuite.com for Lark (international): where the app was created.",
    },
    { name: "appId", label: "App ID", type: "string", secret: false, required: true, help: "Credentials & Basic Info → App ID (cli_…)." },
    { name: "appSecret", label: "App Secret", type: "string", secret: true, required: true, help: "Credentials & Basic Info → App Secret." },
    {
      name: "verificationToken",
      label: "Verification Token",
      type: "string",
      secret: true,
      required: true,
      help: "Events & Callbacks → Encryption Strategy → Verification Token. Checked with the first event, not by Test.",
    },
    {
      name: "encryptKey",
      label: "Encrypt Key",
      type: "string",
      secret: true,
      required: true,
      help: "Events & Callbacks → Encryption Strategy → Encrypt Key (set one if it is empty). Events are decrypted and their signatures checked with it.",
    },
  ],
  credentialsSchema: z.object({
    domain: z.enum(LARK_DOMAINS, { error: "choose open.feishu.cn (Feishu) or open.larksuite.com (Lark)" }),
    appId: z.string().trim().regex(/^cli_[A-Za-z0-9]{8,}$/, "a Lark App ID starts with cli_ (Credentials & Basic Info → App ID)"),
    appSecret: z.string().trim().regex(/^[A-Za-z0-9]{16,}$/, "the App Secret is the 32-character value under Credentials & Basic Info"),
    verificationToken: z.string().trim().min(8, "the Verification Token is under Events & Callbacks → Encryption Strategy"),
    encryptKey: z.string().trim().min(8, "set an Encrypt Key under Events & Callbacks → Encryption Strategy and paste it here"),
  }),
  commandSyntax: "slash",
  // Text messages may be up to ~150 KB; 4,000 characters keep answers readable and far inside it.
  limits: { maxTextLength: 4000, editIntervalMs: 1000 },
  threadedReplies: false,
  groupDirectory: false,

  async testCredentials(credentials, env): Promise<AccountInfo> {
    const app = larkAppOf(env, credentials);
    try {
      const { token } = await issueTenantToken(app);
      const { bot } = await larkRequest<BotInfo>(app, "GET", "/open-apis/bot/v3/info", { token });
      if (!bot?.open_id) throw new CredentialError("Lark bot/v3/info: this app has no bot (Features → add Bot, then publish a version)");
      return {
        id: app.appId,
        name: bot.app_name || app.appId,
        details: { openId: bot.open_id, appName: bot.app_name ?? null, activateStatus: bot.activate_status ?? null, domain: credentials.domain },
      };
    } catch (error) {
      if (error instanceof ProviderError && (error.kind === "unauthorized" || error.kind === "permanent")) throw new CredentialError(error.message);
      throw error;
    }
  },

  async connect() {
    // Lark has no API for the Request URL: the admin pastes it (setup guide), Lark then calls it.
    return { mode: "manual" };
  },

  async disconnect() {
    // Nothing to undo remotely: Lark delivers until the Request URL is removed; a stopped channel
    // acknowledges those deliveries and drops them.
  },

  inboundHeaders: [TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER],
  verify(channel, request) {
    return verifyLarkRequest(request, { verificationToken: channel.credentials.verificationToken ?? "", encryptKey: channel.credentials.encryptKey ?? "" });
  },

  async decrypt(channel, request) {
    return { ...request, rawBody: await openLarkBody(request.rawBody, channel.credentials.encryptKey ?? "") };
  },

  parse(channel, request) {
    return parseLarkDelivery(request.rawBody, larkBot(channel));
  },

  setupGuide(channel, webhookUrl) {
    return larkSetupGuide(channel.account, channel.credentials.domain ?? LARK_DOMAINS[0], webhookUrl);
  },

  async sendText(channel, message) {
    return { messageId: await sendLarkText(larkAppOf(channel.env, channel.credentials), channel.channelId, message) };
  },

  async probe(channel) {
    // A reset App Secret or a disabled app throws "unauthorized": the channel shows the error.
    await callLark(larkAppOf(channel.env, channel.credentials), "GET", "/open-apis/bot/v3/info");
    return { ok: true };
  },
};
