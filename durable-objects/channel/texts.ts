// Everything the bot says in chat, in one place so the voice stays consistent.
import { formatCommand, type CommandSyntax } from "../../worker/core/commands";

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
