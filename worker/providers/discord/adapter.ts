// Discord adapter, two inbound paths for one channel. Interactions endpoint: Discord POSTs signed
// slash-command interactions to the channel's webhook URL (pasted by the admin in the developer
// portal), we answer within 3 s with a deferred response and complete it through the
// interaction's webhook. Gateway (the channel's `gateway` setting): the bridge holds the gateway
// socket and forwards MESSAGE_CREATE events in signed batches, read by message.ts (`!new`, DMs,
// mentions). Replies and typing go out over REST from here either way.
import * as z from "zod";
import { fromBridge, parseSocketBatch, probeSocket, startSocketSession, stopSocketSession, verifySocketBatch } from "../../bridge/socket";
import { BRIDGE_SIGNATURE_HEADER } from "../../bridge/protocol";
import { checkingCredential, CredentialError } from "../errors";
import { usesBridgeSocket, type AccountInfo, type ProviderAdapter } from "../types";
import { callDiscord } from "./api";
import { registerCommands } from "./commands";
import { parseInteraction } from "./interaction";
import { parseDiscordMessage } from "./message";
import { editDiscordText, sendDiscordText, sendDiscordTyping } from "./send";
import { discordSetupGuide } from "./setup";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyDiscordSignature } from "./verify";

interface DiscordUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

interface DiscordApplication {
  id: string;
  name: string;
  verify_key?: string;
  interactions_endpoint_url?: string | null;
}

const snowflake = z.string().trim().regex(/^\d{17,20}$/, "a Discord id is a number of 17 to 20 digits");

export const discordAdapter: ProviderAdapter = {
  id: "discord",
  label: "Discord",
  connection: "token",
  credentialFields: [
    { name: "botToken", label: "Bot token", type: "string", secret: true, required: true, help: "Developer portal → your application → Bot → Reset Token." },
    { name: "applicationId", label: "Application ID", type: "string", secret: false, required: true, help: "General Information → Application ID." },
    { name: "publicKey", label: "Public key", type: "string", secret: false, required: true, help: "General Information → Public Key (verifies that requests come from Discord)." },
    { name: "guildId", label: "Server ID (optional)", type: "string", secret: false, required: false, help: "Register the commands in this server for instant updates (Developer Mode → right-click the server → Copy Server ID)." },
  ],
  // Slash commands work in DMs and servers alike, so /help shows them; `!cmd` is an alias for
  // plain messages (see message.ts).
  commandSyntax: "slash",
  // Interaction webhooks allow about five edits per five seconds.
  limits: { maxTextLength: 2000, editIntervalMs: 1000 },
  threadedReplies: false,
  groupDirectory: false,
  groupIdFormat: { pattern: "^\\d{15,21}$", example: "1234567890123456789" },
  bridgeSocket: {
    setting: "gateway",
    label: "Plain messages through the gateway",
    help: "The bridge holds Discord's gateway, so people can DM the bot and mention it in servers without slash commands (`!new`, `!threads`…). Turn on Bot → Message Content Intent in the developer portal first.",
    replacesWebhook: false,
  },
  credentialsSchema: z.object({
    botToken: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$/, "a Discord bot token has three dot-separated parts (Bot → Reset Token)"),
    applicationId: snowflake,
    publicKey: z.string().trim().regex(/^[0-9a-fA-F]{64}$/, "the public key is 64 hexadecimal characters (General Information → Public Key)"),
    guildId: z.union([snowflake, z.literal("")]).optional(),
  }),

  async testCredentials(credentials, env): Promise<AccountInfo> {
    const { botToken } = credentials;
    const [me, application] = await checkingCredential(async () => [
      await callDiscord<DiscordUser>(env, { method: "GET", path: "/users/@me", botToken }),
      await callDiscord<DiscordApplication>(env, { method: "GET", path: "/applications/@me", botToken }),
    ] as const);
    if (!me.bot) throw new CredentialError("Discord GET /users/@me: this token does not belong to a bot");
    if (application.id !== credentials.applicationId) {
      throw new CredentialError(`the application id does not match this bot's application (${application.id})`);
    }
    if (application.verify_key && application.verify_key.toLowerCase() !== credentials.publicKey!.toLowerCase()) {
      throw new CredentialError("the public key does not match the application's (General Information → Public Key)");
    }
    return {
      id: me.id,
      name: me.username,
      details: { applicationId: application.id, applicationName: application.name, globalName: me.global_name ?? null },
    };
  },

  async connect(channel, webhookUrl) {
    await registerCommands(channel);
    if (usesBridgeSocket(discordAdapter, channel.settings)) {
      // The gateway identifies with the bot token alone; the rest of the credential stays here.
      await startSocketSession(channel, "discord", webhookUrl, { botToken: channel.credentials.botToken! });
      return { mode: "socket" };
    }
    // Only the admin can set the Interactions Endpoint URL (the setup guide shows it).
    return { mode: "manual" };
  },

  async disconnect(channel) {
    // The endpoint URL stays in the portal and the commands stay registered (a restart needs no
    // re-propagation); while stopped, interactions get a polite "not available" answer. The
    // gateway closes: a stopped channel takes in nothing.
    await stopSocketSession(channel);
  },

  // Its own signature for interactions; the bridge's for gateway events (fromBridge).
  inboundHeaders: [SIGNATURE_HEADER, TIMESTAMP_HEADER, BRIDGE_SIGNATURE_HEADER],
  async verify(channel, request) {
    if (fromBridge(request)) return verifySocketBatch(channel, request);
    return request.method === "POST" && verifyDiscordSignature(channel.credentials.publicKey!, request.headers, request.rawBody);
  },

  parse(channel, request) {
    if (fromBridge(request)) return parseSocketBatch("discord", channel, request, (context, payload) => parseDiscordMessage(payload, context.account.id));
    return parseInteraction(JSON.parse(request.rawBody));
  },

  setupGuide: discordSetupGuide,

  async sendText(channel, message) {
    return { messageId: await sendDiscordText(channel, message.address, message.text, message.replyTo) };
  },

  editText: editDiscordText,
  sendTyping: sendDiscordTyping,

  async probe(channel) {
    const gateway = await probeSocket(discordAdapter, channel);
    if (gateway && !gateway.ok) return { ok: false, reason: `gateway: ${gateway.reason}` };
    const application = await callDiscord<DiscordApplication>(channel.env, { method: "GET", path: "/applications/@me", botToken: channel.credentials.botToken });
    const url = application.interactions_endpoint_url;
    // With the gateway, slash commands are optional: messages arrive without them.
    if (!url && gateway) return { ok: true };
    if (!url) return { ok: false, reason: "Discord has no Interactions Endpoint URL for this application (removed in the developer portal?)" };
    if (!url.endsWith(`/webhooks/discord/${channel.channelId}`)) return { ok: false, reason: `Discord sends interactions to another URL: ${url}` };
    return { ok: true };
  },
};
