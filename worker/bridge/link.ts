// How bridge providers' adapters reach their session: through the BridgeHubDO, which holds the
// bridge's WebSocket. Failures come back as ProviderErrors, so the outbox and the status machine
// treat a bridge provider like any other (an absent bridge is transient: the outbox retries).
import type { BridgeHubDO, CommandOutcome } from "../../durable-objects/bridge-hub";
import { ProviderError } from "../providers/errors";
import type { ChannelContext, ProbeResult } from "../providers/types";
import type { BridgeCommand, BridgeProvider } from "./protocol";

interface BridgeEnv {
  BRIDGE_HUB?: DurableObjectNamespace<BridgeHubDO>;
}

function hub(channel: ChannelContext) {
  const namespace = (channel.env as BridgeEnv).BRIDGE_HUB;
  if (!namespace) throw new ProviderError("permanent", "this deployment has no bridge hub (BRIDGE_HUB binding)");
  return namespace.getByName("hub");
}

/** The Worker's public base URL, as the webhook URL the core computed shows it. */
function workerUrlOf(webhookUrl: string): string {
  return webhookUrl.replace(/\/webhooks\/.*$/, "");
}

/**
 * Starts (or resumes, with saved credentials) the channel's session in the bridge. Token
 * providers hand over only what their socket needs (`credentials`), not the whole credential.
 */
export async function startBridgeSession(
  channel: ChannelContext,
  provider: BridgeProvider,
  webhookUrl: string,
  credentials: Record<string, string> = channel.credentials,
): Promise<"login" | "resume"> {
  const resuming = Object.keys(credentials).length > 0;
  const outcome = await hub(channel).startSession(
    channel.channelId,
    provider,
    { op: "start", provider, credentials, options: { selfChat: channel.settings?.selfChat ?? false } },
    workerUrlOf(webhookUrl),
  );
  if (!outcome.ok) throw new ProviderError(outcome.kind, outcome.error);
  return resuming ? "resume" : "login";
}

/** Ends the session in the bridge; `logout` unlinks the device too. */
export async function stopBridgeSession(channel: ChannelContext, how: "stop" | "logout"): Promise<void> {
  const outcome = await hub(channel).stopSession(channel.channelId, how === "logout");
  if (!outcome.ok && outcome.kind !== "transient") throw new ProviderError(outcome.kind, outcome.error);
}

/** Runs one command on the channel's session and returns its value. */
export async function bridgeCommand<T = unknown>(channel: ChannelContext, command: BridgeCommand): Promise<T> {
  const outcome = (await hub(channel).command(channel.channelId, command)) as CommandOutcome;
  if (!outcome.ok) throw new ProviderError(outcome.kind, outcome.error);
  return outcome.value as T;
}

/** Honest status for a bridge channel: is the bridge connected, and is the session up? */
export async function probeBridgeSession(channel: ChannelContext): Promise<ProbeResult> {
  const link = await hub(channel).status();
  if (!link.connected) {
    const since = link.disconnectedAt ? ` since ${new Date(link.disconnectedAt).toISOString()}` : "";
    return { ok: false, reason: `the bridge is not connected${since}` };
  }
  const outcome = (await hub(channel).command(channel.channelId, { op: "status" })) as CommandOutcome;
  if (!outcome.ok) return { ok: false, reason: `the bridge did not report the session: ${outcome.error}` };
  const status = outcome.value as { state: string; reason: string | null };
  if (status.state === "running") return { ok: true };
  return { ok: false, reason: `the session is ${status.state}${status.reason ? `: ${status.reason}` : ""}` };
}
