// Sending for both address kinds. Channel addresses post to the channel. Interaction addresses
// complete the deferred answer: the first reply replaces the "thinking…" placeholder (@original),
// later ones are follow-ups. Which one a reply is, is read from Discord rather than remembered:
// the outbox may call sendText several times for one interaction (chunks, a pairing notice, the
// held question's answer), and asking `@original` whether it is still loading needs no state.
import { ProviderError } from "../errors";
import type { ChannelContext } from "../types";
import {
  channelMessageRef,
  interactionIsFresh,
  parseAddress,
  parseChannelMessageRef,
  snowflakeTime,
  type DiscordTarget,
} from "./address";
import { callDiscord, DiscordApiError, InteractionGoneError, UNKNOWN_MESSAGE } from "./api";

/** Message flags: EPHEMERAL (only the invoking user sees it), LOADING (the deferred placeholder). */
export const EPHEMERAL = 1 << 6;
const LOADING = 1 << 7;
/** Discord creates the placeholder when it reads our ack; a reply may race it by a moment. */
const PLACEHOLDER_GRACE_MS = 10_000;
/** Agent output must never ping @everyone, roles or users. */
const NO_MENTIONS = { parse: [] as string[] };

interface DiscordMessage {
  id: string;
  content?: string;
  flags?: number;
}

type Interaction = Extract<DiscordTarget, { kind: "interaction" }>;

/** Sends one message to an address; returns an id that editDiscordText understands. */
export async function sendDiscordText(channel: ChannelContext, address: string, text: string, replyTo?: string): Promise<string> {
  const target = parseAddress(address);
  if (target.kind === "channel") return (await postToChannel(channel, target.channelId, text, replyTo)).id;
  if (interactionIsFresh(target.interactionId)) {
    try {
      return (await replyToInteraction(channel, target, text)).id;
    } catch (error) {
      if (!(error instanceof InteractionGoneError)) throw error;
    }
  }
  return afterExpiry(channel, target, text);
}

/** Replaces a sent message's text (streamed previews); messages of an expired interaction cannot be edited. */
export async function editDiscordText(channel: ChannelContext, address: string, messageId: string, text: string): Promise<void> {
  const target = parseAddress(address);
  const ref = parseChannelMessageRef(messageId) ?? (target.kind === "channel" ? { channelId: target.channelId, messageId } : null);
  if (ref || target.kind === "channel") {
    await callDiscord(channel.env, {
      method: "PATCH",
      path: `/channels/${ref!.channelId}/messages/${ref!.messageId}`,
      botToken: channel.credentials.botToken,
      body: { content: text, allowed_mentions: NO_MENTIONS },
    });
    return;
  }
  const interaction = target;
  if (interactionIsFresh(interaction.interactionId)) {
    try {
      await callDiscord(channel.env, { method: "PATCH", path: `${webhookPath(channel, interaction)}/messages/${messageId}`, body: { content: text, allowed_mentions: NO_MENTIONS } });
      return;
    } catch (error) {
      if (!(error instanceof InteractionGoneError)) throw error;
    }
  }
  // Posting the text anew instead would repeat it once a second while a preview streams.
  throw new ProviderError("permanent", "Discord interaction expired: a message sent through it can no longer be edited");
}

/** Shows "typing…" in a channel; interactions already show "thinking…". */
export async function sendDiscordTyping(channel: ChannelContext, address: string): Promise<void> {
  const target = parseAddress(address);
  if (target.kind !== "channel") return;
  await callDiscord(channel.env, { method: "POST", path: `/channels/${target.channelId}/typing`, botToken: channel.credentials.botToken });
}

async function replyToInteraction(channel: ChannelContext, target: Interaction, text: string): Promise<DiscordMessage> {
  const hook = webhookPath(channel, target);
  if (await stillLoading(channel, target)) {
    return callDiscord<DiscordMessage>(channel.env, { method: "PATCH", path: `${hook}/messages/@original`, body: { content: text, allowed_mentions: NO_MENTIONS } });
  }
  return callDiscord<DiscordMessage>(channel.env, {
    method: "POST",
    path: hook,
    body: { content: text, allowed_mentions: NO_MENTIONS, ...(target.scope.kind === "private" ? { flags: EPHEMERAL } : {}) },
  });
}

/** True while the deferred answer still shows "thinking…" (no reply has replaced it yet). */
async function stillLoading(channel: ChannelContext, target: Interaction): Promise<boolean> {
  try {
    const original = await callDiscord<DiscordMessage>(channel.env, { method: "GET", path: `${webhookPath(channel, target)}/messages/@original` });
    // Discord marks the placeholder LOADING; its content is empty too, and replies never are.
    return ((original.flags ?? 0) & LOADING) !== 0 || !original.content;
  } catch (error) {
    if (!(error instanceof DiscordApiError) || error.code !== UNKNOWN_MESSAGE) throw error;
    if (Date.now() - snowflakeTime(target.interactionId) < PLACEHOLDER_GRACE_MS) {
      throw new ProviderError("transient", "Discord has not created the deferred answer yet");
    }
    // The placeholder is gone (the user dismissed it): answer with a follow-up.
    return false;
  }
}

/** Once the token is gone: a DM to the user, the server channel, or nothing for private answers. */
async function afterExpiry(channel: ChannelContext, target: Interaction, text: string): Promise<string> {
  const { scope } = target;
  if (scope.kind === "private") {
    throw new ProviderError("permanent", "Discord interaction expired: a private answer in a server can only be sent within 15 minutes of the slash command");
  }
  const channelId = scope.kind === "public" ? scope.channelId : await openDm(channel, scope.userId);
  const sent = await postToChannel(channel, channelId, text);
  return channelMessageRef(channelId, sent.id);
}

async function openDm(channel: ChannelContext, userId: string): Promise<string> {
  const dm = await callDiscord<{ id: string }>(channel.env, {
    method: "POST",
    path: "/users/@me/channels",
    botToken: channel.credentials.botToken,
    body: { recipient_id: userId },
  });
  return dm.id;
}

function postToChannel(channel: ChannelContext, channelId: string, text: string, replyTo?: string): Promise<DiscordMessage> {
  return callDiscord<DiscordMessage>(channel.env, {
    method: "POST",
    path: `/channels/${channelId}/messages`,
    botToken: channel.credentials.botToken,
    body: {
      content: text,
      allowed_mentions: NO_MENTIONS,
      ...(replyTo ? { message_reference: { message_id: replyTo, fail_if_not_exists: false } } : {}),
    },
  });
}

function webhookPath(channel: ChannelContext, target: Interaction): string {
  return `/webhooks/${channel.credentials.applicationId}/${target.token}`;
}
