// Channel settings: access control (SPEC §5) plus per-channel options. Stored as JSON on the channel.
import * as z from "zod";
import { accessSettingsSchema } from "./policy";

const channelOptions = {
  /** Agents of the workspace users of this channel may address with `@name` (empty: none). */
  agentWhitelist: z.array(z.string().min(1).max(100)).max(100),
  /** After the text reply, a voice note spoken by the workspace's voice engine (Telegram). */
  voiceReplies: z.boolean(),
  /** WhatsApp: the linked account's own chat ("Message yourself") is answered like a DM. */
  selfChat: z.boolean(),
};

export const channelSettingsSchema = accessSettingsSchema.extend({
  agentWhitelist: channelOptions.agentWhitelist.default([]),
  voiceReplies: channelOptions.voiceReplies.default(false),
  selfChat: channelOptions.selfChat.default(false),
});
export type ChannelSettings = z.infer<typeof channelSettingsSchema>;

/** The fields of a schema without their defaults (zod applies a default even inside `.partial()`). */
function withoutDefaults(shape: Record<string, z.ZodType>): Record<string, z.ZodType> {
  return Object.fromEntries(Object.entries(shape).map(([key, schema]) => [key, schema instanceof z.ZodDefault ? (schema.unwrap() as z.ZodType) : schema]));
}

/** A PATCH body: every field optional, nothing defaulted (a field left out keeps its value), unknown fields refused. */
export const channelSettingsPatchSchema = z.object({ ...withoutDefaults(accessSettingsSchema.shape), ...channelOptions }).partial().strict();

export function readSettings(stored: unknown): ChannelSettings {
  return channelSettingsSchema.parse(stored ?? {});
}
