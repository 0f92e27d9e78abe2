// Everything the bot says in chat, in one place so the voice stays consistent.
import { formatCommand, type CommandSyntax } from "../../worker/core/commands";

/**
 * The name users see for what they are connected to: the channel's display name (set in the
 * admin UI), else the workspace's name.
 */
export function publicName(runtime: { row: { displayName: string | null }; workspace: { name: string } }): string {
  return runtime.row.displayName?.trim() || runtime.workspace.name;
}

export const texts = {
  pairingRequested: (code: string) =>
    `Hi! This assistant answers approved users only. Your pairing code is ${code} (valid for 1 hour). ` +
    `An admin has been asked to approve it; you'll get a message here when they do.`,
  pairingStillPending: (code: string) => `Still waiting for an admin to approve your pairing code ${code}.`,
  pairingRateLimited: "Too many pairing requests. Please try again later.",
  pairingApproved: (workspace: string) => `You're approved! You are now connected to ${workspace}.`,
  pairingRejected: "Your pairing request was declined by an admin.",
  inviteRedeemed: (workspace: string) => `Invite code accepted. You are now connected to ${workspace}.`,
  inviteInvalid: "That invite code is not valid or has expired.",
  inviteInvalidTryPairing:
    "That invite code is not valid or has expired. You don't need one: simply write a message here to get a pairing code that an admin can approve.",
  inviteLockedOut: (minutes: number) => `Too many wrong codes. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  userDisabled: "Your access to this assistant has been disabled by an admin.",
  notAllowed: "This assistant only answers users an admin has added. Ask an admin for an invite code.",
  connected: (workspace: string, syntax: CommandSyntax) =>
    `You are connected to ${workspace}. Send a message to start; ${formatCommand("help", syntax)} lists the commands.`,
  newThread: (title: string) => `Started a new thread: ${title}`,
  noThreads: (syntax: CommandSyntax) => `No threads yet. Send a message or use ${formatCommand("new", syntax)} to start one.`,
  threadsFooter: (syntax: CommandSyntax) => `Use ${formatCommand("switch", syntax)} <n> to change thread.`,
  switched: (title: string) => `Switched to: ${title}`,
  tooManyThreads: (max: number, syntax: CommandSyntax) =>
    `You have ${max} threads, the most one chat can have. Use ${formatCommand("threads", syntax)} and ${formatCommand("switch", syntax)} to go back to one.`,
  noSuchThread: (number: number, listed: number, syntax: CommandSyntax) =>
    listed > 0
      ? `There is no thread ${number}: the list has ${listed === 1 ? "only thread 1" : `threads 1 to ${listed}`}. Use ${formatCommand("threads", syntax)} to see them.`
      : `There is no thread ${number}. Use ${formatCommand("threads", syntax)} to see your threads first.`,
  switchUsage: (syntax: CommandSyntax) =>
    `Use ${formatCommand("switch", syntax)} <n> with a number from ${formatCommand("threads", syntax)}.`,
  missedWhileAway: (count: number, syntax: CommandSyntax) =>
    `${count} ${count === 1 ? "reply" : "replies"} while you were away. Use ${formatCommand("more", syntax)} to read all.`,
  noMissed: "No missed replies in this thread.",
  slowDown: "You are sending messages faster than I can answer. Please wait a moment; messages sent meanwhile are skipped.",
  agentUnavailable: "The assistant is unavailable right now. Please try again in a moment.",
  previewMoved: (title: string) => `(This answer was kept in the thread "${title}" because you switched threads. Switch back to read it.)`,
  processingFailed: "Sorry, something went wrong while handling your message. Please send it again.",
} as const;
