// DingTalk's callback samples (worker/providers/dingtalk/samples) replayed through the adapter:
// each is signed here as DingTalk signs it, must verify, must stop verifying when the sign is
// wrong, stale, from the future or missing, and must parse into the expected events; the session
// webhook is remembered only on DingTalk's hosts.
import { describe, expect, it } from "vitest";
import { dingTalkAdapter } from "../../worker/providers/dingtalk/adapter";
import groupMention from "../../worker/providers/dingtalk/samples/message-group-mention.json";
import groupNotAt from "../../worker/providers/dingtalk/samples/message-group-not-at.json";
import dm from "../../worker/providers/dingtalk/samples/message-dm.json";
import picture from "../../worker/providers/dingtalk/samples/message-picture.json";
import richText from "../../worker/providers/dingtalk/samples/message-rich-text.json";
import { sessionWebhookFor } from "../../worker/providers/dingtalk/session-webhooks";
import { jsonAck, type ChannelContext, type InboundRequest, type ParsedInbound } from "../../worker/providers/types";
import { signDingTalk } from "../support/dingtalk";

const SECRET = "G3CsonOxr853FnDiEd3k0PaJOHBj6qCs-d9ILKsrVApZbyHE2Opp4E-yN-ljgrhT";
const ACK = jsonAck({});

const channel: ChannelContext = {
  channelId: "ch_contract",
  credentials: { appKey: "dingxqgsf5ekiwuqbyal", appSecret: SECRET, robotCode: "" },
  webhookSecret: "unused",
  account: { id: "dingxqgsf5ekiwuqbyal", name: "dingxqgsf5ekiwuqbyal", details: { robotCode: "dingxqgsf5ekiwuqbyal" } },
  env: {},
};

interface Sample {
  description: string;
  headers: Record<string, string>;
  body: Record<string, any>;
}

/** The sample as DingTalk would send it now: a real timestamp and sign in place of the placeholders. */
async function signed(sample: Sample, options: { ageMs?: number; secret?: string; drop?: string; body?: unknown } = {}): Promise<InboundRequest> {
  const timestamp = String(Date.now() - (options.ageMs ?? 0));
  const headers = new Headers({ ...sample.headers, timestamp, sign: await signDingTalk(options.secret ?? SECRET, timestamp) });
  if (options.drop) headers.delete(options.drop);
  return { method: "POST", url: "https://switchboard.example/webhooks/dingtalk/ch_contract", headers, rawBody: JSON.stringify(options.body ?? sample.body) };
}

const ada = { id: "0144230356841234", displayName: "Ada Lovelace" };
const dmAddress = "1:cidBNbL9Q2AuJqtbqU1kXGmVw==:0144230356841234";
const groupAddress = "2:cidQh3e7KzR4cGKXqp7kLaMJw==";

const cases: [string, Sample, ParsedInbound][] = [
  [
    "one-to-one text",
    dm,
    {
      ack: ACK,
      events: [
        {
          kind: "message",
          message: { eventId: "msgnj5Fj4k3tK7WcW8cZb2L7w==", chat: { id: "cidBNbL9Q2AuJqtbqU1kXGmVw==", type: "direct" }, sender: ada, address: dmAddress, messageId: "msgnj5Fj4k3tK7WcW8cZb2L7w==", text: "What is on today?", addressedToBot: true, sentAt: 1712345678123 },
        },
      ],
    },
  ],
  [
    "group @mention",
    groupMention,
    {
      ack: ACK,
      events: [
        {
          kind: "message",
          message: {
            eventId: "msgA3lNs0tGdS8m2Ik1ZQ8vZkQ==",
            chat: { id: "cidQh3e7KzR4cGKXqp7kLaMJw==", type: "group", title: "Release room" },
            sender: ada,
            address: groupAddress,
            messageId: "msgA3lNs0tGdS8m2Ik1ZQ8vZkQ==",
            text: "what is the deploy status?",
            addressedToBot: true,
            sentAt: 1712345700200,
          },
        },
      ],
    },
  ],
  ["group without @", groupNotAt, { ack: ACK, events: [expect.objectContaining({ message: expect.objectContaining({ text: "lunch anyone?", addressedToBot: false }) })] }],
  ["rich text", richText, { ack: ACK, events: [expect.objectContaining({ message: expect.objectContaining({ text: "Here is the chart — what do you see?", address: dmAddress }) })] }],
  ["picture", picture, { ack: ACK, events: [{ kind: "ignored", eventId: "msgP7xK2mQ9wE4rT1yU6iO3pA==", reason: 'message type "picture" is not handled' }] }],
];

describe.each(cases)("DingTalk sample: %s", (_name, sample, expected) => {
  it("verifies with a fresh sign, and not with another secret, stale, from the future or unsigned", async () => {
    expect(await dingTalkAdapter.verify(channel, await signed(sample))).toBe(true);
    expect(await dingTalkAdapter.verify(channel, await signed(sample, { ageMs: 59 * 60_000 }))).toBe(true);
    expect(await dingTalkAdapter.verify(channel, await signed(sample, { secret: "another-app-secret-0000000000" }))).toBe(false);
    expect(await dingTalkAdapter.verify(channel, await signed(sample, { ageMs: 61 * 60_000 }))).toBe(false);
    expect(await dingTalkAdapter.verify(channel, await signed(sample, { ageMs: -61 * 60_000 }))).toBe(false);
    expect(await dingTalkAdapter.verify(channel, await signed(sample, { drop: "sign" }))).toBe(false);
    expect(await dingTalkAdapter.verify(channel, await signed(sample, { drop: "timestamp" }))).toBe(false);
  });

  it("parses into the expected events and acknowledgement", async () => {
    expect(dingTalkAdapter.parse(channel, await signed(sample))).toEqual(expected);
  });
});

describe("DingTalk callback edge cases", () => {
  it("refuses a GET, a sign that is not base64 of 32 bytes, and a non-numeric timestamp", async () => {
    const request = await signed(dm);
    expect(await dingTalkAdapter.verify(channel, { ...request, method: "GET" })).toBe(false);
    const bad = new Headers(request.headers);
    bad.set("sign", "not base64!");
    expect(await dingTalkAdapter.verify(channel, { ...request, headers: bad })).toBe(false);
    bad.set("sign", btoa("short"));
    expect(await dingTalkAdapter.verify(channel, { ...request, headers: bad })).toBe(false);
    bad.set("sign", request.headers.get("sign")!);
    bad.set("timestamp", "soon");
    expect(await dingTalkAdapter.verify(channel, { ...request, headers: bad })).toBe(false);
  });

  it("remembers the session webhook on DingTalk's hosts only, until it expires", async () => {
    const fresh = (webhook: string, conversationId: string) => ({ ...dm.body, conversationId, sessionWebhook: webhook, sessionWebhookExpiredTime: Date.now() + 60 * 60_000 });
    dingTalkAdapter.parse(channel, await signed(dm, { body: fresh("https://oapi.dingtalk.com/robot/sendBySession?session=abc", "cidOwn==") }));
    dingTalkAdapter.parse(channel, await signed(dm, { body: fresh("https://attacker.example/robot/sendBySession?session=abc", "cidElsewhere==") }));
    dingTalkAdapter.parse(channel, await signed(dm, { body: fresh("https://oapi.dingtalk.com.attacker.example/x", "cidLookalike==") }));
    expect(sessionWebhookFor("ch_contract", "cidOwn==")).toBe("https://oapi.dingtalk.com/robot/sendBySession?session=abc");
    expect(sessionWebhookFor("ch_contract", "cidElsewhere==")).toBeNull();
    expect(sessionWebhookFor("ch_contract", "cidLookalike==")).toBeNull();
    expect(sessionWebhookFor("ch_contract", "cidOwn==", Date.now() + 60 * 60_000)).toBeNull();
    // The samples' own webhooks expired long ago.
    expect(sessionWebhookFor("ch_contract", dm.body.conversationId)).toBeNull();
  });

  it("throws on a body that is not a robot callback; ignores unknown conversation types and empty text", async () => {
    const parse = (body: unknown) => dingTalkAdapter.parse(channel, { method: "POST", url: "https://x/", headers: new Headers(), rawBody: typeof body === "string" ? body : JSON.stringify(body) });
    expect(() => parse("{not json")).toThrow();
    expect(() => parse({ msgtype: "text" })).toThrow();
    expect(parse({ ...dm.body, conversationType: "3" }).events[0]).toMatchObject({ kind: "ignored", reason: 'conversation type "3" is not handled' });
    expect(parse({ ...dm.body, text: { content: "   " } }).events[0]).toMatchObject({ kind: "ignored", reason: "message has no text" });
    const { senderStaffId: _staff, ...external } = dm.body;
    expect(parse(external).events[0]).toMatchObject({ message: { sender: { id: dm.body.senderId }, address: "1:cidBNbL9Q2AuJqtbqU1kXGmVw==:" } });
  });
});
