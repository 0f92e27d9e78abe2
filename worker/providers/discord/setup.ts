// What the admin does in the Discord developer portal: paste the Interactions Endpoint URL, and
// invite the bot with the invite URL.
import type { ChannelContext, SetupGuide } from "../types";

/**
 * View Channels, Send Messages, Send Messages in Threads, Read Message History: what posting
 * answers in a server needs (slash-command answers themselves need none).
 */
export const BOT_PERMISSIONS = (1024n + 2048n + 65_536n + 274_877_906_944n).toString();

/** The OAuth2 URL that adds the bot and its slash commands to a server. */
export function inviteUrl(applicationId: string): string {
  const query = new URLSearchParams({ client_id: applicationId, scope: "bot applications.commands", permissions: BOT_PERMISSIONS, integration_type: "0" });
  return `https://discord.com/oauth2/authorize?${query.toString().replaceAll("+", "%20")}`;
}

export function discordSetupGuide(channel: ChannelContext, webhookUrl: string): SetupGuide {
  const applicationId = channel.credentials.applicationId!;
  const guildId = channel.credentials.guildId;
  const gateway = channel.settings?.gateway === true;
  return {
    steps: [
      ...(gateway
        ? [
            "Gateway is on: Bot → Privileged Gateway Intents → turn on Message Content Intent and save (without it Discord closes the gateway with 4014 and the channel shows the error). The bridge connects to the gateway when the channel starts; the channel turns running once Discord says READY.",
            `Plain messages then work without slash commands: DM the bot, or mention @${channel.account.name} (or reply to it) in a server; commands are typed !new, !threads, !switch 2, !more, !help.`,
          ]
        : []),
      `Open the Discord developer portal (discord.com/developers/applications) and choose the application ${applicationId}.`,
      gateway
        ? `For slash commands as well (optional with the gateway): General Information → Interactions Endpoint URL: paste ${webhookUrl} and save. Discord checks it with a signed PING.`
        : `General Information → Interactions Endpoint URL: paste ${webhookUrl} and save. Discord checks it with a signed PING; the channel turns running when it arrives.`,
      "Invite the bot to your server with the invite URL below (scopes bot and applications.commands; it asks for View Channels, Send Messages, Send Messages in Threads and Read Message History).",
      guildId
        ? `Start registered /ask, /start, /new, /threads, /switch, /more and /help in server ${guildId} (instant) and for DMs with the bot.`
        : "Start registered /ask, /start, /new, /threads, /switch, /more and /help for every server and for DMs with the bot (Discord may take a few minutes to show them).",
      "Try it: in a DM with the bot, type /start. Under the pairing policy you get a code to approve under Pairing Codes; then /ask your question.",
      "For servers, set the group policy under Settings (disabled by default: commands used in a server then stay unanswered); a server channel's id is its chat id for the allowlist.",
    ],
    artifact: { label: "Invite URL", format: "text", content: inviteUrl(applicationId) },
  };
}
