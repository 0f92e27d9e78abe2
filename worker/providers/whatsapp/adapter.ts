// WhatsApp through the bridge (Baileys 7 as a linked device): a QR login, then the bridge holds
// the socket and forwards its events as signed batches (worker/bridge/inbound.ts). Replies,
// edits, typing and voice notes are bridge commands.
import { bridgeAdapterMembers } from "../../bridge/adapter";
import { bridgeCommand } from "../../bridge/link";
import { bytesToBase64 } from "../../crypto/encoding";
import type { ProviderAdapter } from "../types";
import { readWhatsAppMessage } from "./parse";

export const whatsappAdapter: ProviderAdapter = {
  id: "whatsapp",
  label: "WhatsApp",
  // Baileys' creds and signal keys arrive from the bridge as entries.
  ...bridgeAdapterMembers("whatsapp", "WhatsApp", readWhatsAppMessage),
  // No documented limit; long replies are split at 4,000 characters. Edits show "edited" in the
  // chat, so a streamed answer is edited at most every 3 s.
  limits: { maxTextLength: 4000, editIntervalMs: 3000 },
  // The account's groups are listed for the group allowlist (contacts are not available).
  groupDirectory: true,
  selfChat: true,
  loginHint: "On the phone: WhatsApp → Settings → Linked devices → Link a device, then scan this code.",

  async editText(channel, address, messageId, text) {
    await bridgeCommand(channel, { op: "edit", to: address, messageId, text });
  },

  async sendVoice(channel, address, audio) {
    await bridgeCommand(channel, { op: "voice", to: address, audio: bytesToBase64(audio.bytes), mime: audio.mime });
  },
};
