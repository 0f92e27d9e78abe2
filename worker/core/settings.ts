// Channel settings: access control plus per-channel options. Stored as JSON on the channel.
import * as z from "zod";
import { accessSettingsSchema } from "./policy";

const channelOptions = {
  /** Agents of the workspace users of this channel may address with `@name` (empty: none). */
  agentWhitelist: z.array(z.string().min(1).max(100)).max(100),
  /** After the text reply, a voice note spoken by the workspace's voice engine (Telegram). */
  voiceReplies: z.boolean(),
  /** WhatsApp: the linked account's own chat ("Message yourself") is answered like a DM. */
  selfChat: z.boolean(),
  /** Discord: plain DMs and server messages through the gateway, which the bridge holds. */
  gateway: z.boolean(),
  /** Slack: events through Socket Mode (app-level token, held by the bridge) instead of the Request URL. */
  socketMode: z.boolean(),
};

export const channelSettingsSchema = accessSettingsSchema.extend({
  agentWhitelist: channelOptions.agentWhitelist.default([]),
  voiceReplies: channelOptions.voiceReplies.default(false),
  selfChat: channelOptions.selfChat.default(false),
  gateway: channelOptions.gateway.default(false),
  socketMode: channelOptions.socketMode.default(false),
});
export type ChannelSettings = z.infer<typeof channelSettingsSchema>;

/** The access fields without their defaults: zod applies a default even inside `.partial()`. */
const access = accessSettingsSchema.shape;
const accessPatchFields = {
  dmPolicy: access.dmPolicy.unwrap(),
  groupPolicy: access.groupPolicy.unwrap(),
  allowedGroups: access.allowedGroups.unwrap(),
  requireMention: access.requireMention.unwrap(),
  allowedUsers: access.allowedUsers.unwrap(),
  groupRequireMention: access.groupRequireMention.unwrap(),
};

/** A PATCH body: every field optional, nothing defaulted (a field left out keeps its value), unknown fields refused. */
export const channelSettingsPatchSchema = z.object({ ...accessPatchFields, ...channelOptions }).partial().strict();

export function readSettings(stored: unknown): ChannelSettings {
  return channelSettingsSchema.parse(stored ?? {});
}
