// Lark's payload samples (worker/providers/lark/samples) replayed through the adapter: each is
// encrypted here with AES-256-CBC under a test Encrypt Key and signed as Lark signs it, must
// verify, must stop verifying when tampered with, stale, unsigned (all but the challenge), under
// another key or with another Verification Token, and must decrypt and parse into the expected
// events and acknowledgement.
import { describe, expect, it } from "vitest";
import { larkAdapter } from "../../worker/providers/lark/adapter";
import { decryptLarkPayload, encryptLarkPayload } from "../../worker/providers/lark/crypto";
import botAdded from "../../worker/providers/lark/samples/bot-added-to-chat.json";
import eventV1 from "../../worker/providers/lark/samples/event-v1.json";
import fromApp from "../../worker/providers/lark/samples/message-from-app.json";
import groupChatter from "../../worker/providers/lark/samples/message-group-chatter.json";
import groupMention from "../../worker/providers/lark/samples/message-group-mention.json";
import groupMentionsOthers from "../../worker/providers/lark/samples/message-group-mentions-others.json";
import image from "../../worker/providers/lark/samples/message-image.json";
import p2p from "../../worker/providers/lark/samples/message-p2p.json";
import post from "../../worker/providers/lark/samples/message-post.json";
import urlVerification from "../../worker/providers/lark/samples/url-verification.json";
import { OK_ACK, jsonAck, type ChannelContext, type InboundEvent, type InboundRequest, type ParsedInbound } from "../../worker/providers/types";
import { signLark } from "../support/lark";

const ENCRYPT_KEY = "kudryavka-encrypt-key-0042";
const TOKEN = "v3YdyGqTPQ1xkLPcHdkYQbBvNHGBzjxH";
const BOT = "ou_7d8a6e6df7621556ce0d21922b676706";

/** The channel the samples were sent to: app cli_a5f7d29e1ab8d00c, whose bot is BOT. */
const channel: ChannelContext = {
  channelId: "ch_contract",
  credentials: { domain: "open.larksuite.com", appId: "cli_a5f7d29e1ab8d00c", appSecret: "unused", verificationToken: TOKEN, encryptKey: ENCRYPT_KEY },
  webhookSecret: "unused",
  account: { id: "cli_a5f7d29e1ab8d00c", name: "Switchboard", details: { openId: BOT } },
  env: {},
};

interface Sample {
  description: string;
  headers: Record<string, string>;
  body: unknown;
}

interface Replay {
  ageSeconds?: number;
  tamper?: boolean;
  unsigned?: boolean;
  key?: string;
  token?: string;
}

/** The sample as Lark would send it now: encrypted, with a real timestamp, nonce and signature. */
async function replayed(sample: Sample, options: Replay = {}): Promise<InboundRequest> {
  let body = sample.body as Record<string, any>;
  if (options.token) body = body.header ? { ...body, header: { ...body.header, token: options.token } } : { ...body, token: options.token };
  const key = options.key ?? ENCRYPT_KEY;
  const rawBody = JSON.stringify({ encrypt: await encryptLarkPayload(JSON.stringify(body), key) });
  const headers = new Headers(Object.entries(sample.headers).filter(([name]) => !name.startsWith("x-lark-")));
  const timestamp = String(Math.floor(Date.now() / 1000) - (options.ageSeconds ?? 0));
  const nonce = "13c5f7a9e1b3d5f7";
  if (!options.unsigned) {
    headers.set("x-lark-request-timestamp", timestamp);
    headers.set("x-lark-request-nonce", nonce);
    headers.set("x-lark-signature", await signLark(timestamp, nonce, key, rawBody));
  }
  // Flipping one character of the ciphertext breaks the signature over the raw body.
  const tampered = options.tamper ? rawBody.replace(/"encrypt":"(.)/, (_match, first: string) => `"encrypt":"${first === "A" ? "B" : "A"}`) : rawBody;
  return { method: "POST", url: "https://switchboard.example/webhooks/lark/ch_contract", headers, rawBody: tampered };
}

async function parsed(sample: Sample): Promise<ParsedInbound> {
  return larkAdapter.parse(channel, await larkAdapter.decrypt!(channel, await replayed(sample)));
}

const message = (fields: Record<string, unknown>): InboundEvent => ({ kind: "message", message: fields as never });

const cases: [string, Sample, ParsedInbound][] = [
  ["url_verification", urlVerification, { ack: jsonAck({ challenge: "ajls384kdjx98XX" }), events: [] }],
  [
    "p2p text",
    p2p,
    {
      ack: OK_ACK,
      events: [
        message({
          eventId: "5e3702a84e847582be8db7fb73283c02",
          chat: { id: "oc_a0553eda9014c201e6969b478895c230", type: "direct" },
          sender: { id: "ou_84aad35d084aa403a838cf73ee18467" },
          address: "oc_a0553eda9014c201e6969b478895c230",
          messageId: "om_dc13264520392913993dd051dba21dcf",
          text: "What is on today? <at> is not a tag",
          addressedToBot: true,
          sentAt: 1712345678123,
        }),
      ],
    },
  ],
  [
    "group mention",
    groupMention,
    {
      ack: OK_ACK,
      events: [
        message({
          eventId: "8b1cd4a92f0e4d3c9a7b6e5f4d3c2b1a",
          chat: { id: "oc_5ad11d72b830411d72b836c20e5f7e3a", type: "group" },
          sender: { id: "ou_84aad35d084aa403a838cf73ee18467" },
          address: "oc_5ad11d72b830411d72b836c20e5f7e3a",
          messageId: "om_5ce6d572455d361153b7cb51da133945",
          text: "what is the deploy status?",
          addressedToBot: true,
          sentAt: 1712345700200,
        }),
      ],
    },
  ],
  ["group mention of the bot and a colleague", groupMentionsOthers, { ack: OK_ACK, events: [expect.objectContaining({ message: expect.objectContaining({ text: "can you help @Ben Li with the release notes?", addressedToBot: true }) })] }],
  ["group chatter without a mention", groupChatter, { ack: OK_ACK, events: [expect.objectContaining({ message: expect.objectContaining({ text: "lunch anyone?", addressedToBot: false }) })] }],
  ["rich text (post)", post, { ack: OK_ACK, events: [expect.objectContaining({ message: expect.objectContaining({ text: "Weekly report\nShipped the billing page\nDetails: report (https://example.com/r/42)" }) })] }],
  ["image", image, { ack: OK_ACK, events: [{ kind: "ignored", eventId: "f0e1d2c3b4a5968778695a4b3c2d1e0f", reason: 'message type "image" is not handled' }] }],
  ["another app's message", fromApp, { ack: OK_ACK, events: [{ kind: "ignored", eventId: "a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4", reason: "message from an app or bot" }] }],
  ["bot added to a group", botAdded, { ack: OK_ACK, events: [{ kind: "ignored", eventId: "b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2", reason: 'event type "im.chat.member.bot.added_v1" is not handled' }] }],
  ["schema 1.0 event", eventV1, { ack: OK_ACK, events: [{ kind: "ignored", eventId: "41b5f371157e3d5341b38b20396e77a3", reason: "schema 1.0 events are not handled (subscribe to the 2.0 event im.message.receive_v1)" }] }],
];

describe.each(cases)("Lark sample: %s", (name, sample, expected) => {
  const challenge = name === "url_verification";

  it("verifies when encrypted and signed, and not when tampered, stale, under another key or token", async () => {
    expect(await larkAdapter.verify(channel, await replayed(sample))).toBe(true);
    expect(await larkAdapter.verify(channel, await replayed(sample, { ageSeconds: 7 * 60 * 60 }))).toBe(true);
    expect(await larkAdapter.verify(channel, await replayed(sample, { tamper: true }))).toBe(false);
    expect(await larkAdapter.verify(channel, await replayed(sample, { ageSeconds: 9 * 60 * 60 }))).toBe(false);
    expect(await larkAdapter.verify(channel, await replayed(sample, { ageSeconds: -10 * 60 }))).toBe(false);
    expect(await larkAdapter.verify(channel, await replayed(sample, { key: "another-encrypt-key" }))).toBe(false);
    expect(await larkAdapter.verify(channel, await replayed(sample, { token: "not-the-verification-token" }))).toBe(false);
    // Lark sends only the challenge unsigned; an unsigned event is refused.
    expect(await larkAdapter.verify(channel, await replayed(sample, { unsigned: true }))).toBe(challenge);
  });

  it("decrypts and parses into the expected events and acknowledgement", async () => {
    expect(await parsed(sample)).toEqual(expected);
  });
});

describe("Lark request edge cases", () => {
  it("decrypts Lark's published example (Encrypt Key 'test key' → 'hello world')", async () => {
    expect(await decryptLarkPayload("P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=", "test key")).toBe("hello world");
  });

  it("refuses a GET, a plaintext body, a malformed signature and a non-numeric timestamp", async () => {
    const request = await replayed(p2p);
    expect(await larkAdapter.verify(channel, { ...request, method: "GET" })).toBe(false);
    expect(await larkAdapter.verify(channel, { ...request, rawBody: JSON.stringify(p2p.body) })).toBe(false);
    const bad = new Headers(request.headers);
    bad.set("x-lark-signature", "zz");
    expect(await larkAdapter.verify(channel, { ...request, headers: bad })).toBe(false);
    bad.set("x-lark-request-timestamp", "soon");
    expect(await larkAdapter.verify(channel, { ...request, headers: bad })).toBe(false);
  });

  it("throws on bodies that do not decrypt or are not Lark deliveries", async () => {
    const plain = (body: string) => larkAdapter.parse(channel, { method: "POST", url: "https://x/", headers: new Headers(), rawBody: body });
    await expect(larkAdapter.decrypt!(channel, { ...(await replayed(p2p)), rawBody: '{"encrypt":"AAAA"}' })).rejects.toThrow();
    await expect(larkAdapter.decrypt!(channel, { ...(await replayed(p2p)), rawBody: "{not json" })).rejects.toThrow();
    expect(() => plain("{not json")).toThrow();
    expect(() => plain(JSON.stringify({ type: "url_verification" }))).toThrow();
    expect(() => plain(JSON.stringify({ schema: "2.0", header: {} }))).toThrow();
  });

  it("keeps @_user_10 apart from @_user_1 and ignores a message that only mentions the bot", async () => {
    const body = structuredClone(groupMention.body) as any;
    const ben = { key: "@_user_10", id: { open_id: "ou_ben" }, name: "Ben" };
    body.event.message.mentions.push(ben);
    body.event.message.content = JSON.stringify({ text: "@_user_1 ask @_user_10" });
    expect((await parsed({ ...groupMention, body })).events[0]).toMatchObject({ message: { text: "ask @Ben" } });
    body.event.message.content = JSON.stringify({ text: "@_user_1 " });
    expect((await parsed({ ...groupMention, body })).events[0]).toEqual({ kind: "ignored", eventId: "8b1cd4a92f0e4d3c9a7b6e5f4d3c2b1a", reason: "message has no text besides the mention" });
  });
});
