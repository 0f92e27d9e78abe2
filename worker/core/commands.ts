// The chat commands, parsed in one place for every provider's syntax:
// slash (`/new`, Telegram `/new@bot`), plain words (Slack DMs: `new`), bang (Discord DMs: `!new`).

export type CommandSyntax = "slash" | "plain" | "bang";
export type CommandName = "start" | "new" | "threads" | "switch" | "more" | "help";

export interface ParsedCommand {
  name: CommandName;
  /** Everything after the command word, trimmed. */
  args: string;
}

const COMMANDS: readonly CommandName[] = ["start", "new", "threads", "switch", "more", "help"];

export const COMMAND_HELP: Record<CommandName, { args?: string; description: string }> = {
  start: { args: "[CODE]", description: "pair with this bot, or redeem an invite code" },
  new: { args: "[title]", description: "start a fresh thread" },
  threads: { description: "list your recent threads" },
  switch: { args: "<n>", description: "switch to thread n of the last list" },
  more: { description: "read replies that arrived while you were away" },
  help: { description: "show this help" },
};

/**
 * Recognises a command. `botUsername` lets `/cmd@OtherBot` in a group be told apart from ours:
 * a command addressed to another bot is not a command for us.
 */
export function parseCommand(text: string, syntax: CommandSyntax, botUsername?: string): ParsedCommand | null {
  const trimmed = text.trim();
  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  if (!match) return null;
  let word = match[1]!;
  const args = (match[2] ?? "").trim();

  if (syntax === "slash" || syntax === "bang") {
    const prefix = syntax === "slash" ? "/" : "!";
    if (!word.startsWith(prefix)) return null;
    word = word.slice(1);
    const at = word.indexOf("@");
    if (at >= 0) {
      const target = word.slice(at + 1);
      if (!botUsername || target.toLowerCase() !== botUsername.toLowerCase()) return null;
      word = word.slice(0, at);
    }
  }
  const name = word.toLowerCase() as CommandName;
  if (!COMMANDS.includes(name)) return null;
  // Plain-word syntax: only a bare command word (plus arguments where the command takes them),
  // so that "help me draft an email" reaches the agent instead of printing the help.
  if (syntax === "plain" && args && !["start", "switch", "new"].includes(name)) return null;
  return { name, args };
}

/** Formats a command the way this provider's users type it. */
export function formatCommand(name: CommandName, syntax: CommandSyntax): string {
  return syntax === "slash" ? `/${name}` : syntax === "bang" ? `!${name}` : name;
}

/** The `/help` text, in the provider's syntax. */
export function helpText(syntax: CommandSyntax): string {
  const lines = COMMANDS.map((name) => {
    const { args, description } = COMMAND_HELP[name];
    return `${formatCommand(name, syntax)}${args ? ` ${args}` : ""} — ${description}`;
  });
  return ["Commands:", ...lines].join("\n");
}

/**
 * The command of a stored message: recognised at ingest (with the bot's name) and kept on the
 * message, so every later reader agrees; messages stored before that are parsed here.
 */
export function commandOf(message: { text: string; command?: ParsedCommand | null }, syntax: CommandSyntax, botUsername?: string): ParsedCommand | null {
  return message.command !== undefined ? message.command : parseCommand(message.text, syntax, botUsername);
}
