// WhatsApp through the bridge (Baileys 7 as a linked device): a QR login, then the bridge holds
// the socket and forwards its events as signed batches (worker/bridge/inbound.ts). Replies,
// edits, typing and voice notes are bridge commands.
import * as z from "zod";
import { parseBridgeBatch, verifyBridgeRequest } from "../../bridge/inbound";
import { bridgeCommand, probeBridgeSession, startBridgeSession, stopBridgeSession } from "../../bridge/link";
import type { Directory } from "../../bridge/protocol";
import { bytesToBase64 } from "../../crypto/encoding";
import { CredentialError } from "../errors";
import type { ProviderAdapter } from "../types";
import { readWhatsAppMessage } from "./parse";

export const whatsappAdapter: ProviderAdapter = {
  id: "whatsapp",
  label: "WhatsApp",
  connection: "qr",
  credentialFields: [],
  // The session state the bridge saves (Baileys' creds and signal keys) arrives as entries.
  credentialsSchema: z.record(z.string(), z.string()),
  commandSyntax: "slash",
  // No documented limit; long replies are split at 4,000 characters. Edits show "edited" in the
  // chat, so a streamed answer is edited at most every 3 s.
  limits: { maxTextLength: 4000, editIntervalMs: 3000 },
  threadedReplies: false,
  // The account's groups are listed for the group allowlist (contacts are not available).
  groupDirectory: true,
  selfChat: true,
  loginHint: "On the phone: WhatsApp → Settings → Linked devices → Link a device, then scan this code.",

  async testCredentials() {
    throw new CredentialError("WhatsApp connects with a QR login in the wizard, not with a credential");
  },

  async connect(channel, webhookUrl) {
    return { mode: await startBridgeSession(channel, "whatsapp", webhookUrl) };
  },

  async disconnect(channel, how = "stop") {
    await stopBridgeSession(channel, how);
  },

  verify: verifyBridgeRequest,

  parse(channel, request) {
    return parseBridgeBatch("whatsapp", channel, request, readWhatsAppMessage);
  },

  async sendText(channel, message) {
    const sent = await bridgeCommand<{ messageId: string }>(channel, { op: "send", to: message.address, text: message.text, quote: message.replyTo });
    return { messageId: sent.messageId };
  },

  async editText(channel, address, messageId, text) {
    await bridgeCommand(channel, { op: "edit", to: address, messageId, text });
  },

  async sendVoice(channel, address, audio) {
    await bridgeCommand(channel, { op: "voice", to: address, audio: bytesToBase64(audio.bytes), mime: audio.mime });
  },

  async sendTyping(channel, address) {
    await bridgeCommand(channel, { op: "typing", to: address });
  },

  probe: probeBridgeSession,

  listDirectory(channel) {
    return bridgeCommand<Directory>(channel, { op: "directory" });
  },
};
