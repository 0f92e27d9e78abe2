// Slack, events in one of two ways: the HTTP Events API (Slack POSTs signed events to the
// channel's webhook URL, pasted by the admin via the app manifest) or Socket Mode (the channel's
// `socketMode` setting: the bridge opens the socket with the app-level `xapp-` token, acknowledges
// each envelope once it is on its disk, and forwards the payloads in signed batches). Both are
// read by the same parser; replies go out through the Web API with plain fetch either way.
//
// Not offered: a typing indicator (the Events API gives bots none) and voice replies (Slack has
// no voice-note type; audio would be a three-call file upload, not built yet).
import * as z from "zod";
import { fromBridge, parseSocketBatch, probeSocket, startSocketSession, stopSocketSession, verifySocketBatch } from "../../bridge/socket";
import { BRIDGE_SIGNATURE_HEADER } from "../../bridge/protocol";
import { CredentialError, ProviderError } from "../errors";
import { usesBridgeSocket, type AccountInfo, type ChannelContext, type ProviderAdapter } from "../types";
import { escapeSlackText, readSlackAddress } from "./address";
import { callSlack } from "./api";
import { slackSetupGuide } from "./manifest";
import { parseSlackPayload, parseSlackRequest, type SlackBot } from "./parse";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySlackSignature } from "./verify";

interface AuthTest {
  url: string;
  team: string;
  team_id: string;
  user: string;
  user_id: string;
  bot_id?: string;
}

function slackBot(channel: ChannelContext): SlackBot {
  const { details, id } = channel.account;
  // The account id is `${team_id}:${user_id}`, should details ever lack the user id.
  return { userId: String(details.user_id ?? id.split(":")[1]), botId: String(details.bot_id ?? "") };
}

export const slackAdapter: ProviderAdapter = {
  id: "slack",
  label: "Slack",
  connection: "token",
  credentialFields: [
    {
      name: "botToken",
      label: "Bot token",
      type: "string",
      secret: true,
      required: true,
      help: "OAuth & Permissions → Bot User OAuth Token (xoxb-…), shown after Install to Workspace.",
    },
    {
      name: "signingSecret",
      label: "Signing secret",
      type: "string",
      secret: true,
      required: true,
      transport: "webhook",
      help: "Basic Information → App Credentials → Signing Secret. Slack cannot check it here: the first signed request (the Request URL challenge) proves it.",
    },
    {
      name: "appToken",
      label: "App-level token",
      type: "string",
      secret: true,
      required: true,
      transport: "socket",
      help: "Basic Information → App-Level Tokens → Generate Token and Scopes, scope connections:write (xapp-…). Test opens a Socket Mode connection with it.",
    },
  ],
  bridgeSocket: {
    setting: "socketMode",
    label: "Socket Mode (no public URL)",
    help: "The bridge opens Slack's Socket Mode with an app-level token instead of Slack calling this Worker's Request URL: for deployments Slack cannot reach.",
    replacesWebhook: true,
  },
  commandSyntax: "plain",
  // Slack truncates text beyond 40,000 characters but asks for at most 4,000 per message.
  // chat.update is Tier 3 (~50 a minute per workspace) and posting is ~1 a second per channel.
  limits: { maxTextLength: 4000, editIntervalMs: 1200 },
  threadedReplies: true,
  groupDirectory: false,
  groupIdFormat: { pattern: "^[CGD][A-Z0-9]{6,}$", example: "C0123456789" },
  credentialsSchema: z.object({
    botToken: z
      .string()
      .trim()
      .refine((value) => !value.startsWith("xapp-"), "that is an app-level token (xapp-, for Socket Mode); paste the Bot User OAuth Token (xoxb-…)")
      .refine((value) => !value.startsWith("xoxp-"), "that is a user token (xoxp-); paste the Bot User OAuth Token (xoxb-…)")
      .pipe(z.string().regex(/^xoxb-[A-Za-z0-9-]{10,}$/, "a Slack bot token starts with xoxb- (OAuth & Permissions → Bot User OAuth Token)")),
    // One of the two, by the way events arrive (the channel's `socketMode` setting says which).
    signingSecret: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{16,}$/, "the signing secret is the 32-character value under Basic Information → App Credentials")
      .optional(),
    appToken: z
      .string()
      .trim()
      .regex(/^xapp-[A-Za-z0-9-]{10,}$/, "an app-level token starts with xapp- (Basic Information → App-Level Tokens)")
      .optional(),
  }).refine((credentials) => credentials.signingSecret !== undefined || credentials.appToken !== undefined, {
    message: "a signing secret (Events API) or an app-level token (Socket Mode) is needed",
    path: ["signingSecret"],
  }) as unknown as z.ZodType<Record<string, string>>,

  async testCredentials(credentials, env): Promise<AccountInfo> {
    let auth: AuthTest;
    try {
      auth = await callSlack<AuthTest>(env, credentials.botToken!, "auth.test");
    } catch (error) {
      if (error instanceof ProviderError && (error.kind === "unauthorized" || error.kind === "permanent")) throw new CredentialError(error.message);
      throw error;
    }
    if (!auth.bot_id) throw new CredentialError("Slack auth.test: this token does not belong to a bot user");
    if (credentials.appToken) {
      // The only call an app-level token can make; the URL it returns is simply left unused.
      try {
        await callSlack(env, credentials.appToken, "apps.connections.open");
      } catch (error) {
        if (error instanceof ProviderError && (error.kind === "unauthorized" || error.kind === "permanent")) throw new CredentialError(`app-level token: ${error.message}`);
        throw error;
      }
    }
    return {
      id: `${auth.team_id}:${auth.user_id}`,
      name: auth.user,
      details: { team: auth.team, team_id: auth.team_id, user_id: auth.user_id, bot_id: auth.bot_id, url: auth.url },
    };
  },

  async connect(channel, webhookUrl) {
    if (usesBridgeSocket(slackAdapter, channel.settings)) {
      const appToken = channel.credentials.appToken;
      if (!appToken) throw new ProviderError("permanent", "Socket Mode needs the app's app-level token (xapp-…): add it on the channel page");
      await startSocketSession(channel, "slack", webhookUrl, { appToken });
      return { mode: "socket" };
    }
    if (!channel.credentials.signingSecret) throw new ProviderError("permanent", "the Events API needs the app's signing secret: add it on the channel page, or turn Socket Mode on");
    // Nothing to register over the API: the admin pastes the manifest (with our Request URL).
    return { mode: "manual" };
  },

  async disconnect(channel) {
    // Over HTTP nothing is undone remotely: Slack keeps delivering until the admin removes the
    // Request URL or uninstalls the app; a stopped channel acknowledges those deliveries and
    // drops them. A Socket Mode connection is closed.
    await stopSocketSession(channel);
  },

  // Its own signature for the Events API; the bridge's for Socket Mode events (fromBridge).
  inboundHeaders: [SIGNATURE_HEADER, TIMESTAMP_HEADER, BRIDGE_SIGNATURE_HEADER],
  async verify(channel, request) {
    if (fromBridge(request)) return verifySocketBatch(channel, request);
    return request.method === "POST" && verifySlackSignature(request.headers, request.rawBody, channel.credentials.signingSecret ?? "");
  },

  parse(channel, request) {
    if (fromBridge(request)) return parseSocketBatch("slack", channel, request, (context, payload) => parseSlackPayload(payload, slackBot(context)));
    return parseSlackRequest(request.rawBody, slackBot(channel));
  },

  setupGuide(channel, webhookUrl) {
    return slackSetupGuide(channel.account, webhookUrl, usesBridgeSocket(slackAdapter, channel.settings));
  },

  async sendText(channel, message) {
    // The address already names the thread to answer in; `replyTo` adds nothing here.
    const { channel: id, threadTs } = readSlackAddress(message.address);
    const sent = await callSlack<{ ts: string }>(channel.env, channel.credentials.botToken!, "chat.postMessage", {
      channel: id,
      text: escapeSlackText(message.text),
      ...(threadTs ? { thread_ts: threadTs } : {}),
    });
    return { messageId: sent.ts };
  },

  async editText(channel, address, messageId, text) {
    const { channel: id } = readSlackAddress(address);
    await callSlack(channel.env, channel.credentials.botToken!, "chat.update", { channel: id, ts: messageId, text: escapeSlackText(text) });
  },

  async probe(channel) {
    // A revoked token or an uninstalled app throws "unauthorized": the channel shows the error.
    await callSlack(channel.env, channel.credentials.botToken!, "auth.test");
    const socket = await probeSocket(slackAdapter, channel);
    if (socket && !socket.ok) return { ok: false, reason: `Socket Mode: ${socket.reason}` };
    return { ok: true };
  },
};
