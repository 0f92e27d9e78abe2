// The slash commands the application registers: the core's chat commands (worker/core/commands.ts) plus `ask`,
// so a user can talk to the agent without the gateway (plain messages arrive only through it).
import { COMMAND_HELP, type CommandName } from "../../core/commands";
import type { ChannelContext } from "../types";
import { callDiscord } from "./api";

/** Application command option types. */
const STRING = 3;
const INTEGER = 4;
/** Interaction contexts: a server, the bot's DM. Installation type 0: installed to a server. */
const GUILD = 0;
const BOT_DM = 1;
const GUILD_INSTALL = 0;

interface CommandOption {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  min_value?: number;
  max_length?: number;
}

interface CommandDefinition {
  name: string;
  description: string;
  options?: CommandOption[];
}

const OPTIONS: Partial<Record<CommandName, CommandOption>> = {
  start: { type: STRING, name: "code", description: "an invite code from an admin", max_length: 32 },
  new: { type: STRING, name: "title", description: "a title for the new thread", max_length: 80 },
  switch: { type: INTEGER, name: "number", description: "the thread's number in /threads", required: true, min_value: 1 },
};

/** The option that carries `ask`'s question. */
export const ASK_OPTION = "question";

/** The seven commands, in the order Discord lists them. */
export function commandDefinitions(): CommandDefinition[] {
  const core = (Object.keys(COMMAND_HELP) as CommandName[]).map((name) => ({
    name,
    description: COMMAND_HELP[name].description,
    ...(OPTIONS[name] ? { options: [OPTIONS[name]] } : {}),
  }));
  return [
    { name: "ask", description: "ask the assistant", options: [{ type: STRING, name: ASK_OPTION, description: "your question", required: true, max_length: 4000 }] },
    ...core,
  ];
}

/**
 * Registers the commands (a PUT replaces the whole set, so this is idempotent). With a server id,
 * the commands are registered in that server, where updates are instant, and globally only for
 * the bot's DMs, so server members do not see every command twice.
 */
export async function registerCommands(channel: ChannelContext): Promise<void> {
  const { applicationId, botToken, guildId } = channel.credentials;
  const commands = commandDefinitions();
  if (guildId) {
    await callDiscord(channel.env, { method: "PUT", path: `/applications/${applicationId}/guilds/${guildId}/commands`, botToken, body: commands });
  }
  const contexts = guildId ? [BOT_DM] : [GUILD, BOT_DM];
  await callDiscord(channel.env, {
    method: "PUT",
    path: `/applications/${applicationId}/commands`,
    botToken,
    body: commands.map((command) => ({ ...command, contexts, integration_types: [GUILD_INSTALL] })),
  });
}
