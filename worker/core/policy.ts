// Access-control decisions, pure so they are tested without storage.
import * as z from "zod";
import type { InboundMessage } from "./types";

export const accessSettingsSchema = z.object({
  dmPolicy: z.enum(["pairing", "allowlist", "open", "disabled"]).default("pairing"),
  groupPolicy: z.enum(["disabled", "allowlist", "open"]).default("disabled"),
  /** Provider chat ids of the groups allowed under the `allowlist` group policy. */
  allowedGroups: z.array(z.string().trim().min(1).max(200)).max(500).default([]),
  requireMention: z.boolean().default(true),
  /** Provider user ids let in under the `allowlist` DM policy besides approved users (picked from a directory). */
  allowedUsers: z.array(z.string()).default([]),
  /** Per-group overrides of `requireMention`, by provider chat id (providers with a group directory). */
  groupRequireMention: z.record(z.string(), z.boolean()).default({}),
});
export type AccessSettings = z.infer<typeof accessSettingsSchema>;

export type UserState = "pending" | "approved" | "disabled";

export type AccessDecision =
  | { action: "allow" }
  /** Unknown user under the pairing policy: create or re-show a pairing request. */
  | { action: "pair" }
  /** Refused, and the user is told why. */
  | { action: "refuse"; reason: string; notice: "disabled" | "not-allowed" }
  /** Dropped silently towards the chat, logged with the reason. */
  | { action: "drop"; reason: string };

/** Decides what happens to a message from a user in `userState` (undefined: never seen). */
export function decideAccess(settings: AccessSettings, message: InboundMessage, userState: UserState | undefined): AccessDecision {
  const direct = message.chat.type === "direct";
  if (!direct) {
    if (settings.groupPolicy === "disabled") return { action: "drop", reason: "group messages are disabled for this channel" };
    if (settings.groupPolicy === "allowlist" && !settings.allowedGroups.includes(message.chat.id)) {
      return { action: "drop", reason: `group ${message.chat.id} is not on the allowlist` };
    }
    if ((settings.groupRequireMention[message.chat.id] ?? settings.requireMention) && !message.addressedToBot) {
      return { action: "drop", reason: "group message does not mention the bot (require mention is on)" };
    }
    if (userState === "disabled") return { action: "refuse", reason: "user is disabled", notice: "disabled" };
    return { action: "allow" };
  }

  if (settings.dmPolicy === "disabled") return { action: "drop", reason: "direct messages are disabled for this channel" };
  if (userState === "disabled") return { action: "refuse", reason: "user is disabled", notice: "disabled" };
  if (userState === "approved" || settings.dmPolicy === "open") return { action: "allow" };
  if (settings.dmPolicy === "allowlist" && settings.allowedUsers.includes(message.sender.id)) return { action: "allow" };
  if (settings.dmPolicy === "allowlist") return { action: "refuse", reason: "user is not on the allowlist", notice: "not-allowed" };
  return { action: "pair" };
}
