// A provider that lives inside the test run: inbound requests are plain JSON signed with a shared
// secret, outbound messages are recorded in memory. It exercises the core through the same seam
// as real providers, without any provider's wire format, so core behaviour is tested once for all.
// Registered by the tests that use it (the Durable Objects run in the tests' own isolate).
import * as z from "zod";
import { timingSafeEqual } from "../../worker/crypto/encoding";
import { ProviderError } from "../../worker/providers/errors";
import { registerProvider } from "../../worker/providers/registry";
import { jsonAck, type ProviderAdapter } from "../../worker/providers/types";

export interface LoopbackSent {
  channelId: string;
  address: string;
  messageId: string;
  text: string;
  replyTo?: string;
  edits: number;
}

/** What every loopback channel sent, in order. */
export const loopbackSent: LoopbackSent[] = [];
/** Errors the next sends throw, in order (429s, 5xx). */
export const loopbackFaults: ProviderError[] = [];

const inboundSchema = z.object({
  events: z.array(
    z.object({
      id: z.string(),
      chat: z.object({ id: z.string(), type: z.enum(["direct", "group"]) }),
      sender: z.object({ id: z.string(), name: z.string().optional() }),
      text: z.string(),
      mentioned: z.boolean().optional(),
      /** Replies to a group message go under it (like a Slack thread). */
      threaded: z.boolean().optional(),
    }),
  ),
  /** Session events, as a bridge provider reports them. */
  login: z
    .discriminatedUnion("state", [
      z.object({ state: z.literal("qr"), qr: z.string(), expiresAt: z.number() }),
      z.object({ state: z.literal("connected"), account: z.object({ id: z.string(), name: z.string(), details: z.record(z.string(), z.unknown()) }) }),
      z.object({ state: z.literal("logged-out"), reason: z.string() }),
    ])
    .optional(),
  credentials: z.record(z.string(), z.string()).optional(),
});

let nextMessageId = 1;

export const loopbackAdapter: ProviderAdapter = {
  id: "loopback",
  label: "Loopback",
  connection: "token",
  credentialFields: [{ name: "secret", label: "Shared secret", type: "string", secret: true, required: true }],
  credentialsSchema: z.object({ secret: z.string().min(8), account: z.string().min(1) }),
  commandSyntax: "slash",
  limits: { maxTextLength: 500, editIntervalMs: 200 },
  threadedReplies: true,
  groupDirectory: false,

  async testCredentials(credentials) {
    return { id: credentials.account!, name: credentials.account!, details: {} };
  },
  async connect() {
    return { mode: "manual" };
  },
  async disconnect() {},
  inboundHeaders: ["x-loopback-secret"],
  async verify(channel, request) {
    const given = request.headers.get("x-loopback-secret");
    return request.method === "POST" && given !== null && timingSafeEqual(given, channel.credentials.secret!);
  },
  parse(_channel, request) {
    const body = inboundSchema.parse(JSON.parse(request.rawBody));
    const session = [
      ...(body.login ? [{ kind: "login" as const, login: body.login }] : []),
      ...(body.credentials ? [{ kind: "credentials" as const, credentials: body.credentials }] : []),
    ];
    return {
      ack: jsonAck({ received: body.events.length }),
      events: [...session, ...body.events.map((event) => ({
        kind: "message" as const,
        message: {
          eventId: event.id,
          chat: { id: event.chat.id, type: event.chat.type },
          sender: { id: event.sender.id, displayName: event.sender.name },
          address: event.threaded ? `${event.chat.id}/${event.id}` : event.chat.id,
          messageId: event.id,
          text: event.text,
          addressedToBot: event.chat.type === "direct" || Boolean(event.mentioned),
          sentAt: Date.now(),
        },
      }))],
    };
  },
  setupGuide(_channel, webhookUrl) {
    return { steps: [`Point the loopback sender at ${webhookUrl}`] };
  },
  async sendText(channel, message) {
    const fault = loopbackFaults.shift();
    if (fault) throw fault;
    const messageId = String(nextMessageId++);
    loopbackSent.push({ channelId: channel.channelId, address: message.address, messageId, text: message.text, replyTo: message.replyTo, edits: 0 });
    return { messageId };
  },
  async editText(channel, address, messageId, text) {
    const sent = loopbackSent.find((item) => item.channelId === channel.channelId && item.messageId === messageId && item.address === address);
    if (!sent) throw new ProviderError("permanent", "message to edit not found");
    sent.text = text;
    sent.edits += 1;
  },
};

registerProvider(loopbackAdapter);
