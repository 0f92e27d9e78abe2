// Zalo Personal through the bridge (zca-js, which impersonates Zalo Web): a QR login, then the
// bridge holds the listener and forwards its messages as signed batches. The account's friends
// and groups are the directory the admin UI's allowlist pickers read.
import { bridgeAdapterMembers } from "../../bridge/adapter";
import type { ProviderAdapter } from "../types";
import { readZaloMessage } from "./parse";

export const zaloPersonalAdapter: ProviderAdapter = {
  id: "zalo-personal",
  label: "Zalo Personal",
  // zca-js's saved login (cookie, imei, user agent) arrives from the bridge after the QR login.
  ...bridgeAdapterMembers("zalo-personal", "Zalo Personal", readZaloMessage),
  // Zalo cuts long texts; replies are split at 2,000 characters. zca-js cannot edit a message.
  limits: { maxTextLength: 2000, editIntervalMs: 1000 },
  groupDirectory: true,
  loginHint: "On the phone: open Zalo, tap the QR scanner (top right), and scan this code; then confirm the login on the phone.",
};
