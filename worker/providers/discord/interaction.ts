// A verified interaction → Discord's answer (within its 3-second window) plus the events for the
// core. A slash command becomes one InboundMessage whose text is the command as the core reads
// it (`/new Title`, `/switch 2`, `/start CODE`) or, for `ask`, the question itself.
import * as z from "zod";
import { jsonAck, type ParsedInbound, type ProviderAck } from "../types";
import { interactionAddress, snowflakeTime, type InteractionScope } from "./address";
import { ASK_OPTION } from "./commands";
import { EPHEMERAL } from "./send";

/** Interaction types and the callback types we answer with. */
const PING = 1;
const APPLICATION_COMMAND = 2;
const MESSAGE_COMPONENT = 3;
const AUTOCOMPLETE = 4;
const PONG = 1;
const CHANNEL_MESSAGE = 4;
const DEFERRED_CHANNEL_MESSAGE = 5;
const DEFERRED_UPDATE_MESSAGE = 6;
const AUTOCOMPLETE_RESULT = 8;

const userSchema = z.object({ id: z.string(), username: z.string(), global_name: z.string().nullish(), bot: z.boolean().optional() });

const optionSchema = z.object({ name: z.string(), type: z.number(), value: z.union([z.string(), z.number(), z.boolean()]).optional() });

const interactionSchema = z.object({
  id: z.string().regex(/^\d+$/),
  type: z.number(),
  application_id: z.string(),
  token: z.string().optional(),
  guild_id: z.string().optional(),
  channel_id: z.string().optional(),
  channel: z.object({ name: z.string().nullish() }).passthrough().optional(),
  member: z.object({ nick: z.string().nullish(), user: userSchema }).passthrough().optional(),
  user: userSchema.optional(),
  // Commands carry `name` and `options`; components and modals carry other fields.
  data: z.object({ name: z.string().optional(), options: z.array(optionSchema).optional() }).passthrough().optional(),
});

type Interaction = z.infer<typeof interactionSchema>;

/** What a stopped channel answers instead of deferring: the user is told, nothing is processed. */
export const NOT_AVAILABLE_ACK = ephemeralMessage("This assistant is not available right now. Please try again later.");

/** Reads one interaction body; throws on a body that is not an interaction. */
export function parseInteraction(raw: unknown): ParsedInbound {
  const interaction = interactionSchema.parse(raw);
  const eventId = interaction.id;
  switch (interaction.type) {
    case PING:
      return { ack: jsonAck({ type: PONG }), events: [] };
    case APPLICATION_COMMAND:
      return parseCommandInteraction(interaction);
    case MESSAGE_COMPONENT:
      // Switchboard sends no buttons; an old one is acknowledged without changing anything.
      return { ack: jsonAck({ type: DEFERRED_UPDATE_MESSAGE }), events: [{ kind: "ignored", eventId, reason: "component interactions are not handled" }] };
    case AUTOCOMPLETE:
      return { ack: jsonAck({ type: AUTOCOMPLETE_RESULT, data: { choices: [] } }), events: [{ kind: "ignored", eventId, reason: "autocomplete is not handled" }] };
    default:
      return { ack: ephemeralMessage("This action is not supported."), events: [{ kind: "ignored", eventId, reason: `interaction type ${interaction.type} is not handled` }] };
  }
}

function parseCommandInteraction(interaction: Interaction): ParsedInbound {
  const eventId = interaction.id;
  const user = interaction.member?.user ?? interaction.user;
  const name = interaction.data?.name;
  if (!user || !interaction.token || !interaction.channel_id || !name) return notAvailable(eventId, "command without a user, token or channel");
  const text = commandText(name, interaction.data?.options ?? []);
  if (text === null) return notAvailable(eventId, name === "ask" ? "ask without a question" : `command "${name}" is not one of Switchboard's`);
  const inGuild = interaction.guild_id !== undefined;
  // In a server, commands are a user's private business; an `ask` is a public question.
  const isPrivate = inGuild && name !== "ask";
  const scope: InteractionScope = !inGuild ? { kind: "dm", userId: user.id } : isPrivate ? { kind: "private" } : { kind: "public", channelId: interaction.channel_id };
  return {
    ack: jsonAck(isPrivate ? { type: DEFERRED_CHANNEL_MESSAGE, data: { flags: EPHEMERAL } } : { type: DEFERRED_CHANNEL_MESSAGE }),
    stoppedAck: NOT_AVAILABLE_ACK,
    events: [
      {
        kind: "message",
        message: {
          eventId,
          chat: { id: interaction.channel_id, type: inGuild ? "group" : "direct", title: interaction.channel?.name ?? undefined },
          sender: { id: user.id, username: user.username, displayName: interaction.member?.nick ?? user.global_name ?? user.username },
          address: interactionAddress(interaction.id, scope, interaction.token),
          text,
          // A slash command is always meant for this application.
          addressedToBot: true,
          sentAt: snowflakeTime(interaction.id),
        },
      },
    ],
  };
}

/** The command as the core reads it, or null for a command Switchboard did not register. */
function commandText(name: string, options: z.infer<typeof optionSchema>[]): string | null {
  const value = (option: string) => {
    const found = options.find((item) => item.name === option)?.value;
    return found === undefined ? "" : String(found).trim();
  };
  switch (name) {
    case "ask":
      return value(ASK_OPTION) || null;
    case "start":
      return joinArgs("/start", value("code"));
    case "new":
      return joinArgs("/new", value("title"));
    case "switch":
      return joinArgs("/switch", value("number"));
    case "threads":
    case "more":
    case "help":
      return `/${name}`;
    default:
      return null;
  }
}

function joinArgs(command: string, args: string): string {
  return args ? `${command} ${args}` : command;
}

function notAvailable(eventId: string, reason: string): ParsedInbound {
  return { ack: ephemeralMessage("This command is not available."), events: [{ kind: "ignored", eventId, reason }] };
}

function ephemeralMessage(content: string): ProviderAck {
  return jsonAck({ type: CHANNEL_MESSAGE, data: { content, flags: EPHEMERAL } });
}
