// What every provider held by the bridge does alike: a QR login instead of a credential test, the
// session started, stopped and probed through the hub, signed event batches in, and replies,
// typing and the account's directory as bridge commands. A bridge provider's adapter adds only
// its own: id, label, limits, what it can edit or speak, how it reads a message.
import * as z from "zod";
import { CredentialError } from "../providers/errors";
import type { ProviderAdapter } from "../providers/types";
import { parseBridgeBatch, verifyBridgeRequest, type MessageReader } from "./inbound";
import { bridgeCommand, probeBridgeSession, startBridgeSession, stopBridgeSession } from "./link";
import { BRIDGE_SIGNATURE_HEADER, type BridgeProvider, type Directory } from "./protocol";

type SharedMembers = Pick<
  ProviderAdapter,
  | "connection"
  | "credentialFields"
  | "credentialsSchema"
  | "commandSyntax"
  | "threadedReplies"
  | "testCredentials"
  | "connect"
  | "disconnect"
  | "inboundHeaders"
  | "verify"
  | "parse"
  | "sendText"
  | "sendTyping"
  | "probe"
  | "listDirectory"
>;

export function bridgeAdapterMembers(provider: BridgeProvider, label: string, read: MessageReader): SharedMembers {
  return {
    connection: "qr",
    credentialFields: [],
    // The session state the bridge saves arrives as entries (`credentials` events), never typed in.
    credentialsSchema: z.record(z.string(), z.string()),
    commandSyntax: "slash",
    threadedReplies: false,

    async testCredentials() {
      throw new CredentialError(`${label} connects with a QR login in the wizard, not with a credential`);
    },
    async connect(channel, webhookUrl) {
      return { mode: await startBridgeSession(channel, provider, webhookUrl) };
    },
    async disconnect(channel, how = "stop") {
      await stopBridgeSession(channel, how);
    },
    inboundHeaders: [BRIDGE_SIGNATURE_HEADER],
    verify: verifyBridgeRequest,
    parse(channel, request) {
      return parseBridgeBatch(provider, channel, request, read);
    },
    async sendText(channel, message) {
      const sent = await bridgeCommand<{ messageId: string }>(channel, { op: "send", to: message.address, text: message.text, quote: message.replyTo });
      return { messageId: sent.messageId };
    },
    async sendTyping(channel, address) {
      await bridgeCommand(channel, { op: "typing", to: address });
    },
    probe: probeBridgeSession,
    listDirectory(channel) {
      return bridgeCommand<Directory>(channel, { op: "directory" });
    },
  };
}
