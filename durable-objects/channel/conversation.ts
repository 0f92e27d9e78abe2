// Handles one inbound chat message: who is it (access control, pairing, invites), is it a
// command, otherwise an agent turn. Provider-neutral: it sees only InboundMessage.
import { commandOf } from "../../worker/core/commands";
import { decideAccess } from "../../worker/core/policy";
import { chatRefOf, type InboundMessage } from "../../worker/core/types";
import { countRequestsSince, createPairingRequest, findPendingRequest, redeemInviteCode } from "../../worker/db/pairing";
import { approveUser, findUserByProviderId, type ChannelUserRow } from "../../worker/db/users";
import { runAgentTurn } from "./agent-turn";
import { runCommand } from "./chat-commands";
import { ReplySink, type ChannelDeps } from "./deps";
import { holdMessage as holdAnother, MAX_HELD_MESSAGES } from "./held-messages";
import { publicName, texts } from "./texts";

/** New pairing requests allowed per user per hour. */
const PAIRING_REQUESTS_PER_HOUR = 3;
/** Wrong invite codes allowed within the window before the sender is locked out. */
const INVITE_ATTEMPTS = 5;
const INVITE_WINDOW_MS = 15 * 60 * 1000;
const INVITE_LOCKOUT_MS = 15 * 60 * 1000;

export interface HandleResult {
  /** An agent turn still running; the message is finished when it settles. */
  background?: Promise<void>;
}

export async function handleInbound(deps: ChannelDeps, message: InboundMessage): Promise<HandleResult> {
  const { runtime, db } = deps;
  const channelId = runtime.row.id;
  const reply = ReplySink.forMessage(deps, message);
  const command = commandOf(message, runtime.adapter.commandSyntax, runtime.context.account.name);
  const direct = message.chat.type === "direct";
  // An invite code is a credential: the log keeps that one was sent, never the code itself.
  const logged = command?.name === "start" && command.args ? message.text.replace(command.args, "••••••••") : message.text;
  const detail = { eventId: message.eventId, chat: message.chat.id, sender: message.sender.id, text: preview(logged) };

  const initialState = runtime.settings.dmPolicy === "open" ? "approved" : "pending";
  const user = direct
    ? await deps.cache.sender(message.sender, initialState, message.address)
    : await findUserByProviderId(db, channelId, message.sender.id);
  const decision = decideAccess(runtime.settings, message, user?.state);

  // An invite code approves a not-yet-approved DM user under the pairing and allowlist policies.
  const mayRedeem = decision.action === "pair" || (decision.action === "refuse" && decision.notice === "not-allowed");
  if (direct && user && mayRedeem && command?.name === "start" && command.args) {
    await redeemInvite(deps, user, command.args, reply, detail);
    return {};
  }

  switch (decision.action) {
    case "drop":
      deps.log("info", "inbound.dropped", `Dropped: ${decision.reason}`, detail);
      return {};
    case "refuse":
      deps.log("info", "inbound.refused", `Refused: ${decision.reason}`, detail);
      if (deps.limits.mayNotify(message.sender.id, "refused")) reply.send(decision.notice === "disabled" ? texts.userDisabled : texts.notAllowed);
      return {};
    case "pair":
      await requestPairing(deps, user!, message, command === null, reply, detail);
      return {};
  }

  if (!deps.limits.take(message.sender.id)) {
    deps.log("warn", "inbound.rate_limited", `Dropped: ${message.sender.id} sends faster than the channel answers`, detail);
    if (deps.limits.mayNotify(message.sender.id, "slow-down")) reply.send(texts.slowDown);
    return {};
  }
  // Under the open policy a user who first wrote under "pairing" is approved now.
  if (direct && user && user.state === "pending") {
    await approveUser(db, user.id);
    deps.cache.forgetSender(user.providerUserId);
  }
  deps.log("info", "inbound.accepted", command ? `Command ${command.name}` : "Message accepted", detail);
  if (command) {
    await runCommand(deps, message, command, reply);
    return {};
  }
  return runAgentTurn(deps, message, chatRefOf(message), reply);
}

async function requestPairing(
  deps: ChannelDeps,
  user: ChannelUserRow,
  message: InboundMessage,
  holdMessage: boolean,
  reply: ReplySink,
  detail: Record<string, unknown>,
): Promise<void> {
  const now = Date.now();
  const pending = await findPendingRequest(deps.db, user.id, now);
  if (pending) {
    // Every message sent while waiting is answered on approval, not only the first (up to a bound).
    const held = holdMessage ? await holdAnother(deps.db, pending, message) : false;
    // One wording, so a flood collapses into one line; whether it was held is in the details.
    deps.log("info", "pairing.pending", `Message from ${userLabel(user)} while pairing code ${pending.code} awaits approval`, {
      ...detail,
      held: held ? "answered on approval" : holdMessage ? `not held: ${MAX_HELD_MESSAGES} messages already wait` : "a command: not held",
    });
    if (deps.limits.mayNotify(user.providerUserId, "pairing-pending")) reply.send(texts.pairingStillPending(pending.code));
    return;
  }
  if ((await countRequestsSince(deps.db, user.id, now - 60 * 60 * 1000)) >= PAIRING_REQUESTS_PER_HOUR) {
    deps.log("warn", "pairing.rate_limited", `Pairing request from ${userLabel(user)} refused: too many requests this hour`, detail);
    if (deps.limits.mayNotify(user.providerUserId, "pairing-rate-limited")) reply.send(texts.pairingRateLimited);
    return;
  }
  const request = await createPairingRequest(deps.db, {
    channelId: deps.runtime.row.id,
    userId: user.id,
    address: message.address,
    heldMessage: holdMessage ? message : null,
  });
  deps.log("info", "pairing.requested", `Pairing requested by ${userLabel(user)}: code ${request.code}`, { ...detail, requestId: request.id });
  reply.send(texts.pairingRequested(request.code));
}

async function redeemInvite(
  deps: ChannelDeps,
  user: ChannelUserRow,
  code: string,
  reply: ReplySink,
  detail: Record<string, unknown>,
): Promise<void> {
  const key = `invite-failures:${user.providerUserId}`;
  const now = Date.now();
  const failures = deps.store.get<{ count: number; since: number; lockedUntil?: number }>(key);
  if (failures?.lockedUntil && failures.lockedUntil > now) {
    deps.log("warn", "invite.locked_out", `Invite code from ${userLabel(user)} refused: locked out`, detail);
    reply.send(texts.inviteLockedOut(Math.ceil((failures.lockedUntil - now) / 60_000)));
    return;
  }
  if (await redeemInviteCode(deps.db, deps.runtime.row.id, code.trim(), user.id)) {
    await approveUser(deps.db, user.id);
    deps.cache.forgetSender(user.providerUserId);
    deps.store.delete(key);
    deps.log("info", "invite.redeemed", `${userLabel(user)} redeemed an invite code and is approved`, detail);
    reply.send(texts.inviteRedeemed(publicName(deps.runtime)));
    return;
  }
  const windowOpen = failures && now - failures.since < INVITE_WINDOW_MS && !failures.lockedUntil;
  const count = windowOpen ? failures.count + 1 : 1;
  const lockedUntil = count >= INVITE_ATTEMPTS ? now + INVITE_LOCKOUT_MS : undefined;
  deps.store.put(key, { count, since: windowOpen ? failures.since : now, lockedUntil });
  deps.log("warn", "invite.invalid", `Wrong invite code from ${userLabel(user)} (${count}/${INVITE_ATTEMPTS})`, detail);
  // Under the pairing policy the user need not have a code at all: writing asks an admin.
  const canPair = deps.runtime.settings.dmPolicy === "pairing";
  reply.send(lockedUntil ? texts.inviteLockedOut(INVITE_LOCKOUT_MS / 60_000) : canPair ? texts.inviteInvalidTryPairing : texts.inviteInvalid);
}

function userLabel(user: ChannelUserRow): string {
  return user.username ? `@${user.username}` : (user.displayName ?? user.providerUserId);
}

function preview(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}
