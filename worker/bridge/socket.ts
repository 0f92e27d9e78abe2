// What token providers whose socket the bridge may hold share (Discord's gateway, Slack's Socket
// Mode): one channel, two inbound paths. A request signed by the bridge (x-bridge-signature) is a
// batch of the socket's events; anything else is the provider calling the webhook as before. Both
// end in the same parser, so policies, de-duplication and sending are the same either way.
import { ProviderError } from "../providers/errors";
import { usesBridgeSocket, type ChannelContext, type InboundEvent, type InboundRequest, type ParsedInbound, type ProviderAdapter } from "../providers/types";
import { parseBridgeBatch, verifyBridgeRequest } from "./inbound";
import { probeBridgeSession, startBridgeSession, stopBridgeSession } from "./link";
import { BRIDGE_SIGNATURE_HEADER, type BridgeProvider } from "./protocol";

/** True when the request claims to come from the bridge (it is then verified as a batch only). */
export function fromBridge(request: InboundRequest): boolean {
  return request.headers.has(BRIDGE_SIGNATURE_HEADER);
}

export { verifyBridgeRequest as verifySocketBatch };

/** Reads one of the socket's payloads (a MESSAGE_CREATE, an events_api payload) like a webhook delivery. */
export type SocketReader = (channel: ChannelContext, payload: Record<string, unknown>) => InboundEvent;

/**
 * Reads a verified batch of the socket's events. The session's `connected` carries no account of
 * its own: the channel's (tested when it was created) is kept; a token channel is never logged out
 * by its socket, so `logged-out` reads as a connection that will not come back by itself.
 */
export function parseSocketBatch(provider: BridgeProvider, channel: ChannelContext, request: InboundRequest, read: SocketReader): ParsedInbound {
  const parsed = parseBridgeBatch(provider, channel, request, (context, message) => {
    const event = read(context, message);
    if (event.kind === "message") return event.message;
    return { ignored: event.kind === "ignored" ? event.reason : `${event.kind} event in a socket batch` };
  });
  const events = parsed.events.map((event): InboundEvent => {
    if (event.kind !== "login") return event;
    const { login } = event;
    if (login.state === "connected") return { kind: "login", login: { state: "connected", account: channel.account } };
    if (login.state === "logged-out") return { kind: "login", login: { state: "disconnected", reason: login.reason, reconnecting: false } };
    if (login.state === "qr") return { kind: "ignored", reason: "a QR from a token provider's socket" };
    return event;
  });
  return { ack: parsed.ack, events };
}

/** Opens the channel's socket in the bridge with only what it needs (`credentials`). */
export async function startSocketSession(channel: ChannelContext, provider: BridgeProvider, webhookUrl: string, credentials: Record<string, string>): Promise<void> {
  await startBridgeSession(channel, provider, webhookUrl, credentials);
}

/**
 * Closes the channel's socket in the bridge, best effort: also when the setting is off now (it may
 * have been on when the channel started), and without failing where no bridge is deployed.
 */
export async function stopSocketSession(channel: ChannelContext): Promise<void> {
  await stopBridgeSession(channel, "stop").catch((error: unknown) => {
    if (!(error instanceof ProviderError)) throw error;
  });
}

/** The bridge's view of the socket, for a channel whose setting is on; null otherwise. */
export async function probeSocket(adapter: ProviderAdapter, channel: ChannelContext) {
  if (!usesBridgeSocket(adapter, channel.settings)) return null;
  return probeBridgeSession(channel);
}
