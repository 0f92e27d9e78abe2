// Where a Discord reply goes, encoded in the opaque reply address the core carries around:
//
//   c:<channelId>                        a channel message (gateway DMs and server messages)
//   i:<interactionId>:<scope>:<token>    the answer to a slash command, through its webhook
//
// An interaction token works for 15 minutes, but the core may answer much later (a pairing
// approved after an hour, a push to a user). The scope says what to do then, and how to answer
// before: `dm.<userId>` (a DM: later replies go to a DM with the user), `pub.<channelId>` (public in
// a server: later replies are posted in the channel), `eph` (private in a server, flags 64: nothing
// can be sent once the token is gone). The token comes last because it is the longest part.

/** Discord's epoch (2015-01-01) for the timestamp inside snowflake ids. */
const DISCORD_EPOCH_MS = 1_420_070_400_000;
/** Interaction tokens live 15 minutes; stop using one a minute early rather than fail mid-reply. */
export const INTERACTION_TOKEN_LIFETIME_MS = 14 * 60_000;

export type InteractionScope = { kind: "dm"; userId: string } | { kind: "public"; channelId: string } | { kind: "private" };

export type DiscordTarget =
  | { kind: "channel"; channelId: string }
  | { kind: "interaction"; interactionId: string; scope: InteractionScope; token: string };

export function channelAddress(channelId: string): string {
  return `c:${channelId}`;
}

export function interactionAddress(interactionId: string, scope: InteractionScope, token: string): string {
  const encoded = scope.kind === "dm" ? `dm.${scope.userId}` : scope.kind === "public" ? `pub.${scope.channelId}` : "eph";
  return `i:${interactionId}:${encoded}:${token}`;
}

/** Reads an address this adapter wrote; throws on anything else (a permanent send error). */
export function parseAddress(address: string): DiscordTarget {
  const channel = /^c:(\d+)$/.exec(address);
  if (channel) return { kind: "channel", channelId: channel[1]! };
  const interaction = /^i:(\d+):(dm\.\d+|pub\.\d+|eph):(.+)$/.exec(address);
  if (!interaction) throw new Error(`not a Discord reply address: ${address.slice(0, 24)}`);
  const [, interactionId, scope, token] = interaction as unknown as [string, string, string, string];
  return {
    kind: "interaction",
    interactionId,
    token,
    scope: scope.startsWith("dm.") ? { kind: "dm", userId: scope.slice(3) } : scope.startsWith("pub.") ? { kind: "public", channelId: scope.slice(4) } : { kind: "private" },
  };
}

/** When Discord created the object with this snowflake id (Unix ms). */
export function snowflakeTime(id: string): number {
  return Number(BigInt(id) >> 22n) + DISCORD_EPOCH_MS;
}

/** The interaction's token can still be used at `now`. */
export function interactionIsFresh(interactionId: string, now = Date.now()): boolean {
  return now - snowflakeTime(interactionId) < INTERACTION_TOKEN_LIFETIME_MS;
}

/**
 * Messages posted outside the interaction's webhook (after it expired) are edited through their
 * channel, so their id carries it: `<channelId>/<messageId>`. The core treats ids as opaque.
 */
export function channelMessageRef(channelId: string, messageId: string): string {
  return `${channelId}/${messageId}`;
}

export function parseChannelMessageRef(ref: string): { channelId: string; messageId: string } | null {
  const match = /^(\d+)\/(\d+)$/.exec(ref);
  return match ? { channelId: match[1]!, messageId: match[2]! } : null;
}
