// WeChat through the bridge (the iLink bot API bound to a personal account by a QR scan): the
// bridge runs the QR login and the getupdates long poll and forwards messages as signed
// batches; replies are bridge commands (the bridge holds each conversation's context_token).
// The Worker never calls iLink itself.
import { bridgeAdapterMembers } from "../../bridge/adapter";
import type { ProviderAdapter } from "../types";
import { readWeChatMessage } from "./parse";

export const weChatAdapter: ProviderAdapter = {
  id: "wechat",
  label: "WeChat",
  // The bot token, the account ids, the poll cursor and the context tokens arrive from the bridge.
  ...bridgeAdapterMembers("wechat", "WeChat", readWeChatMessage),
  // iLink documents no limit; long replies are split at 4,000 characters. It cannot edit.
  limits: { maxTextLength: 4000, editIntervalMs: 1000 },
  // One-to-one chats only, and no contact list in the API; no typing indicator either.
  groupDirectory: false,
  sendTyping: undefined,
  listDirectory: undefined,
  loginHint: "On the phone: open WeChat (a recent version with ClawBot), tap + → Scan, scan this code, then confirm the binding on the phone.",
};
