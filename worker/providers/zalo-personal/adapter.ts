// Zalo Personal through the bridge (zca-js, which impersonates Zalo Web): a QR login, then the
// bridge holds the listener and forwards its messages as signed batches. The account's friends
// and groups are the directory the admin UI's allowlist pickers read.
import * as z from "zod";
import { parseBridgeBatch, verifyBridgeRequest } from "../../bridge/inbound";
import { bridgeCommand, probeBridgeSession, startBridgeSession, stopBridgeSession } from "../../bridge/link";
import type { Directory } from "../../bridge/protocol";
import { CredentialError } from "../errors";
import type { ProviderAdapter } from "../types";
import { readZaloMessage } from "./parse";

export const zaloPersonalAdapter: ProviderAdapter = {
  id: "zalo-personal",
  label: "Zalo Personal",
  connection: "qr",
  credentialFields: [],
  // zca-js's saved login (cookie, imei, user agent) arrives from the bridge after the QR login.
  credentialsSchema: z.record(z.string(), z.string()),
  commandSyntax: "slash",
  // Zalo cuts long texts; replies are split at 2,000 characters. zca-js cannot edit a message.
  limits: { maxTextLength: 2000, editIntervalMs: 1000 },
  threadedReplies: false,
  groupDirectory: true,
  loginHint: "On the phone: open Zalo, tap the QR scanner (top right), and scan this code; then confirm the login on the phone.",

  async testCredentials() {
    throw new CredentialError("Zalo Personal connects with a QR login in the wizard, not with a credential");
  },

  async connect(channel, webhookUrl) {
    return { mode: await startBridgeSession(channel, "zalo-personal", webhookUrl) };
  },

  async disconnect(channel, how = "stop") {
    await stopBridgeSession(channel, how);
  },

  verify: verifyBridgeRequest,

  parse(channel, request) {
    return parseBridgeBatch("zalo-personal", channel, request, readZaloMessage);
  },

  async sendText(channel, message) {
    const sent = await bridgeCommand<{ messageId: string }>(channel, { op: "send", to: message.address, text: message.text, quote: message.replyTo });
    return { messageId: sent.messageId };
  },

  async sendTyping(channel, address) {
    await bridgeCommand(channel, { op: "typing", to: address });
  },

  probe: probeBridgeSession,

  listDirectory(channel) {
    return bridgeCommand<Directory>(channel, { op: "directory" });
  },
};
