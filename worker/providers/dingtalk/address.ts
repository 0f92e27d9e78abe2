// Where a DingTalk reply goes. The core treats it as opaque; only this adapter reads it.
// One address per conversation (so the outbox keeps a chat's replies in order), carrying what the
// robot send API needs once no session webhook is at hand: the user's staff id for a DM
// (oToMessages/batchSend), the conversation id for a group (groupMessages/send).
// `1:<conversationId>:<staffId>` or `2:<conversationId>`; conversation ids are base64 (no colon).

export type DingTalkTarget = { kind: "direct"; conversationId: string; staffId: string } | { kind: "group"; conversationId: string };

export function dingTalkAddress(target: DingTalkTarget): string {
  return target.kind === "direct" ? `1:${target.conversationId}:${target.staffId}` : `2:${target.conversationId}`;
}

export function readDingTalkAddress(address: string): DingTalkTarget {
  const [kind, conversationId = "", ...rest] = address.split(":");
  if (kind === "2") return { kind: "group", conversationId };
  return { kind: "direct", conversationId, staffId: rest.join(":") };
}
