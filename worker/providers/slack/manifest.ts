// The Slack app manifest for a channel, and the steps to apply it in Slack's app console.
// Pasting one manifest sets the Request URL, events, scopes and the Messages tab at once, instead
// of clicking through five settings pages.
import type { AccountInfo, SetupGuide } from "../types";

/**
 * What the bot must read and write: DMs, mentions, and the channels it was invited to. `users:read`
 * is granted now so that showing senders' names later needs no reinstall.
 */
export const BOT_SCOPES = ["chat:write", "im:history", "app_mentions:read", "channels:history", "groups:history", "mpim:history", "users:read"];
/** DMs and mentions; plain channel messages too, so require-mention can be turned off per channel. */
export const BOT_EVENTS = ["message.im", "app_mention", "message.channels", "message.groups", "message.mpim"];

/** Slack caps the app name at 35 characters. */
const MAX_APP_NAME = 35;

/**
 * The app manifest (Slack's JSON format): with the channel's webhook as Events API Request URL, or
 * in Socket Mode without any URL (events come over the socket the bridge opens).
 */
export function slackManifest(name: string, requestUrl: string, socketMode = false) {
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: name.slice(0, MAX_APP_NAME),
      description: "An AI workspace in Slack, connected by Switchboard",
    },
    features: {
      // The Messages tab is where people DM the app; without it they cannot write to it.
      app_home: { home_tab_enabled: false, messages_tab_enabled: true, messages_tab_read_only_enabled: false },
      bot_user: { display_name: name, always_online: true },
    },
    oauth_config: { scopes: { bot: BOT_SCOPES } },
    settings: {
      event_subscriptions: socketMode ? { bot_events: BOT_EVENTS } : { request_url: requestUrl, bot_events: BOT_EVENTS },
      org_deploy_enabled: false,
      // Over HTTP events come to the Worker's URL; in Socket Mode the bridge holds the socket.
      socket_mode_enabled: socketMode,
      token_rotation_enabled: false,
    },
  };
}

/** The steps shown on the channel page: the app exists (its token made this channel); connect it. */
export function slackSetupGuide(account: AccountInfo, webhookUrl: string, socketMode = false): SetupGuide {
  const bot = `@${account.name}`;
  const team = typeof account.details.team === "string" ? ` in ${account.details.team}` : "";
  if (socketMode) {
    return {
      steps: [
        `At https://api.slack.com/apps, open the app this channel's bot token belongs to (bot ${bot}${team}).`,
        "Go to Features → App Manifest, replace the manifest with the one below and click Save Changes. It turns Socket Mode on (no Request URL: Slack needs no way to reach this Worker) and sets the bot events, the scopes and the Messages tab.",
        "Basic Information → App-Level Tokens: the token this channel uses (scope connections:write) must stay there; revoking it closes the socket.",
        "When the channel starts, the bridge opens the Socket Mode connection and the channel switches to running once Slack says hello. Each event is acknowledged as soon as the bridge has it on disk.",
        "If Slack asks you to reinstall (the scopes changed): Install App → Reinstall to Workspace → Allow. The bot token stays the same.",
        `In Slack, open ${bot} under Apps in the sidebar and message the app in its Messages tab. Under the pairing DM policy you get a code; approve it under Pairing Codes.`,
        `For a channel: invite the bot there (/invite ${bot}), allow groups in this channel's settings, and mention ${bot}. The answer comes in a thread under the question.`,
      ],
      artifact: { label: "App manifest (JSON)", format: "json", content: JSON.stringify(slackManifest(account.name, webhookUrl, true), null, 2) },
    };
  }
  return {
    steps: [
      `At https://api.slack.com/apps, open the app this channel's bot token belongs to (bot ${bot}${team}): the one you made with Create New App → From a manifest and installed with Install to Workspace.`,
      `Go to Features → App Manifest, replace the manifest with the one below and click Save Changes. It sets the Events API Request URL to ${webhookUrl}, the bot events, the scopes and the Messages tab.`,
      "Slack sends a signed challenge to the Request URL; Switchboard answers it and this channel switches to running. If Event Subscriptions shows the URL as not verified, click Retry there.",
      "If Slack asks you to reinstall (the scopes changed): Install App → Reinstall to Workspace → Allow. The bot token stays the same.",
      `In Slack, open ${bot} under Apps in the sidebar and message the app in its Messages tab. Under the pairing DM policy you get a code; approve it under Pairing Codes.`,
      `For a channel: invite the bot there (/invite ${bot}), allow groups in this channel's settings, and mention ${bot}. The answer comes in a thread under the question.`,
    ],
    artifact: { label: "App manifest (JSON)", format: "json", content: JSON.stringify(slackManifest(account.name, webhookUrl), null, 2) },
  };
}
