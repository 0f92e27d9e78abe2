// The steps to connect a channel in the Lark / Feishu developer console. Lark has no API to set
// the event Request URL, so the admin pastes it; the console then sends the (encrypted) challenge.
import type { AccountInfo, SetupGuide } from "../types";

/** The bot's permissions: read DMs, read group messages that mention it, send as the app. */
export const LARK_SCOPES = ["im:message.p2p_msg:readonly", "im:message.group_at_msg:readonly", "im:message:send_as_bot"];
export const LARK_EVENT = "im.message.receive_v1";

/** Steps in the console's words, for the app this channel's credentials belong to. */
export function larkSetupGuide(account: AccountInfo, domain: string, webhookUrl: string): SetupGuide {
  const consoleUrl = `https://${domain}/app`;
  const app = `${account.name} (${account.id})`;
  const client = domain === "open.feishu.cn" ? "Feishu" : "Lark";
  return {
    steps: [
      `At ${consoleUrl}, open the app ${app}. Under Features (Add features), make sure Bot is added.`,
      `Permissions & Scopes: add ${LARK_SCOPES.join(", ")} — read direct messages to the bot, read group messages that @mention it, send messages as the app.`,
      "Events & Callbacks → Encryption Strategy: the Encrypt Key and Verification Token there must be the ones this channel was created with (set an Encrypt Key if it is empty: Switchboard accepts only encrypted, signed events).",
      `Events & Callbacks → Event Configuration: choose "Send events to developer server" and set the Request URL to ${webhookUrl}. ${client} sends a challenge at once; Switchboard answers it, the URL is saved and this channel switches to running.`,
      `Still under Event Configuration: Add Events → Message received (${LARK_EVENT}).`,
      "Version Management & Release: create a version and publish it (an admin of your organisation may need to approve it). Permission and event changes take effect only once published.",
      `In ${client}, search for ${account.name} and send it a message. Under the pairing DM policy you get a code; approve it under Pairing Codes.`,
      `For a group: add ${account.name} to the group (Settings → Bots → Add Bot), allow groups in this channel's settings, and @mention it. The answer replies to the question.`,
    ],
  };
}
