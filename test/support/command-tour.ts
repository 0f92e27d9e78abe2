// The slash-command tour every slash-syntax provider's story takes, with the answers a user sees:
// an invite code, help, a first message, a new thread, the list, a switch and the catch-up.
import { helpText } from "../../worker/core/commands";

export function slashCommandTour(inviteCode: string): [said: string, answer: string][] {
  return [
    [`/start ${inviteCode}`, "Invite code accepted. You are now connected to Default (echo)."],
    ["/help", helpText("slash")],
    ["help me draft an email", "Echo: help me draft an email"],
    ["/new Plans", "Started a new thread: Plans"],
    ["/threads", ["Your threads:", "1. Plans (active)", "2. help me draft an email", "", "Use /switch <n> to change thread."].join("\n")],
    ["/switch 2", "Switched to: help me draft an email"],
    ["/more", "No missed replies in this thread."],
  ];
}
