// DingTalk: the robot of an enterprise-internal app, over the HTTP callback. DingTalk POSTs each
// message (signed with `timestamp` + `sign` headers) to the channel's webhook URL, pasted by the
// admin; replies go to the message's session webhook while it is valid, else through the robot
// send API with an access token cached in memory.
//
// Not offered: edits and voice replies (not built), a typing indicator (robots have none) and
// Stream mode (a persistent WebSocket without a public URL: the bridge's job).
import * as z from "zod";
import { CredentialError, ProviderError } from "../errors";
import type { AccountInfo, ProviderAdapter } from "../types";
import { dingTalkAppOf, issueAccessToken } from "./api";
import { parseDingTalkCallback } from "./parse";
import { sendDingTalkText } from "./send";
import { dingTalkSetupGuide } from "./setup";
import { SIGN_HEADER, TIMESTAMP_HEADER, verifyDingTalkSign } from "./verify";

export const dingTalkAdapter: ProviderAdapter = {
  id: "dingtalk",
  label: "DingTalk",
  connection: "token",
  credentialFields: [
    { name: "appKey", label: "AppKey (Client ID)", type: "string", secret: false, required: true, help: "Developer console → the app → Credentials and Basic Info → Client ID (AppKey), ding…" },
    { name: "appSecret", label: "AppSecret (Client Secret)", type: "string", secret: true, required: true, help: "Same page → Client Secret (AppSecret). It also signs every callback." },
    {
      name: "robotCode",
      label: "Robot code",
      type: "string",
      secret: false,
      required: false,
      help: "Shown on the robot's configuration page; leave empty when it equals the AppKey (the usual case).",
    },
  ],
  credentialsSchema: z.object({
    appKey: z.string().trim().regex(/^[A-Za-z0-9]{8,64}$/, "the AppKey (Client ID) is the ding… value under Credentials and Basic Info"),
    appSecret: z.string().trim().regex(/^[A-Za-z0-9_-]{16,128}$/, "the AppSecret (Client Secret) is the long value under Credentials and Basic Info"),
    robotCode: z.string().trim().regex(/^[A-Za-z0-9]*$/, "the robot code is letters and digits").optional().transform((value) => value ?? ""),
  }),
  commandSyntax: "slash",
  // DingTalk publishes no limit for robot text; 4,000 characters stay well inside what it accepts.
  limits: { maxTextLength: 4000, editIntervalMs: 1000 },
  threadedReplies: false,
  groupDirectory: false,

  async testCredentials(credentials, env): Promise<AccountInfo> {
    const app = dingTalkAppOf(env, credentials);
    try {
      await issueAccessToken(app);
    } catch (error) {
      if (error instanceof ProviderError && error.kind === "unauthorized") throw new CredentialError(error.message);
      throw error;
    }
    // The token API names nothing but the app; the AppKey is the account.
    return { id: app.appKey, name: app.appKey, details: { robotCode: app.robotCode } };
  },

  async connect() {
    // DingTalk has no API for the receiving address: the admin pastes it (setup guide).
    return { mode: "manual" };
  },

  async disconnect() {
    // Nothing to undo remotely: DingTalk delivers until the address is changed; a stopped channel
    // acknowledges those deliveries and drops them.
  },

  inboundHeaders: [TIMESTAMP_HEADER, SIGN_HEADER],
  async verify(channel, request) {
    return request.method === "POST" && verifyDingTalkSign(request.headers, channel.credentials.appSecret ?? "");
  },

  parse(channel, request) {
    return parseDingTalkCallback(request.rawBody, channel);
  },

  setupGuide(channel, webhookUrl) {
    return dingTalkSetupGuide(channel.account, webhookUrl);
  },

  async sendText(channel, message) {
    return { messageId: await sendDingTalkText(dingTalkAppOf(channel.env, channel.credentials), channel.channelId, message) };
  },

  async probe(channel) {
    // A fresh token proves the AppKey and AppSecret still work; a reset secret reads "unauthorized".
    await issueAccessToken(dingTalkAppOf(channel.env, channel.credentials));
    return { ok: true };
  },
};
