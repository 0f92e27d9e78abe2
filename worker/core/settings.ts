// Channel settings: access control (SPEC §5) plus per-channel options. Stored as JSON on the channel.
import * as z from "zod";
import { accessSettingsSchema } from "./policy";

const channelOptions = {
  /** Agents of the workspace users of this channel may address with `@name` (empty: none). */
  agentWhitelist: z.array(z.string().min(1).max(100)).max(100),
  /** After the text reply, a voice note spoken by the workspace's voice engine (Telegram). */
  voiceReplies: z.boolean(),
};

export const channelSettingsSchema = accessSettingsSchema.extend({
  agentWhitelist: channelOptions.agentWhitelist.default([]),
  voiceReplies: channelOptions.voiceReplies.default(false),
});
export type ChannelSettings = z.infer<typeof channelSettingsSchema>;

/** A PATCH body: every field optional, nothing defaulted, unknown fields refused. */
export const channelSettingsPatchSchema = accessSettingsSchema.extend(channelOptions).partial().strict();

export function readSettings(stored: unknown): ChannelSettings {
  return channelSettingsSchema.parse(stored ?? {});
}
