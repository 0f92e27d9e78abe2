// The inbound half every bridge provider shares: a batch the bridge signed with BRIDGE_SECRET,
// verified and read into the seam's events. Each adapter supplies only how to read one of its
// library's messages.
import type { InboundMessage } from "../core/types";
import { jsonAck, type ChannelContext, type InboundEvent, type InboundRequest, type ParsedInbound } from "../providers/types";
import { BRIDGE_SIGNATURE_HEADER, bridgeBatchSchema, verifyBatch, type BridgeProvider } from "./protocol";

/** Reads one library message: a conversation turn, or the reason it is ignored. */
export type MessageReader = (channel: ChannelContext, message: Record<string, unknown>, itemId: string) => InboundMessage | { ignored: string };

/** True when the request is a batch the bridge signed for this channel. */
export async function verifyBridgeRequest(channel: ChannelContext, request: InboundRequest): Promise<boolean> {
  const secret = channel.env.BRIDGE_SECRET;
  const signature = request.headers.get(BRIDGE_SIGNATURE_HEADER);
  if (!secret || !signature || request.method !== "POST") return false;
  return verifyBatch(secret, request.rawBody, signature);
}

/** Reads a verified batch; throws on a malformed one or one meant for another channel or provider. */
export function parseBridgeBatch(provider: BridgeProvider, channel: ChannelContext, request: InboundRequest, read: MessageReader): ParsedInbound {
  const batch = bridgeBatchSchema.parse(JSON.parse(request.rawBody));
  if (batch.channelId !== channel.channelId || batch.provider !== provider) throw new Error("the batch belongs to another channel");
  const events: InboundEvent[] = batch.items.map(({ id, event }): InboundEvent => {
    switch (event.type) {
      case "login":
        return { kind: "login", login: event.login };
      case "credentials":
        return event.replace
          ? { kind: "credentials", credentials: event.set }
          : { kind: "credentials", credentials: event.set, merge: true, removed: event.removed };
      case "message": {
        const read_ = read(channel, event.message, id);
        return "ignored" in read_ ? { kind: "ignored", eventId: id, reason: read_.ignored } : { kind: "message", message: read_ };
      }
    }
  });
  return { ack: jsonAck({ received: batch.items.length }), events };
}
