// Slack's payload samples (worker/providers/slack/samples) replayed through the adapter: each is
// signed here with a test secret as Slack signs it, must verify, must stop verifying when
// tampered with, stale or unsigned, and must parse into the expected events and acknowledgement.
import { describe, expect, it } from "vitest";
import { slackAdapter } from "../../worker/providers/slack/adapter";
import appMention from "../../worker/providers/slack/samples/app-mention.json";
import botMessage from "../../worker/providers/slack/samples/bot-message.json";
import messageChanged from "../../worker/providers/slack/samples/message-changed.json";
import messageChannelsMention from "../../worker/providers/slack/samples/message-channels-mention.json";
import messageChannels from "../../worker/providers/slack/samples/message-channels.json";
import messageImRetry from "../../worker/providers/slack/samples/message-im-retry.json";
import messageIm from "../../worker/providers/slack/samples/message-im.json";
import ownMessage from "../../worker/providers/slack/samples/own-message.json";
import urlVerification from "../../worker/providers/slack/samples/url-verification.json";
import { OK_ACK, jsonAck, type ChannelContext, type InboundEvent, type ParsedInbound } from "../../worker/providers/types";
import { nowSeconds, signSlack } from "../support/slack";

const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

/** The channel the samples were sent to: the bot user U0BOTUSER1 (bot B0BOTID001) in team T0ACME0001. */
const channel: ChannelContext = {
  channelId: "ch_contract",
  credentials: { botToken: "xoxb-1-contract", signingSecret: SECRET },
  webhookSecret: "unused",
  account: { id: "T0ACME0001:U0BOTUSER1", name: "switchboard", details: { team: "Acme", team_id: "T0ACME0001", user_id: "U0BOTUSER1", bot_id: "B0BOTID001" } },
  env: {},
};

interface Sample {
  description: string;
  headers: Record<string, string>;
  body: unknown;
}

/** The sample as Slack would send it now: real timestamp and v0 signature in place of the placeholders. */
async function signed(sample: Sample, options: { ageSeconds?: number; tamper?: boolean; drop?: string } = {}) {
  const rawBody = JSON.stringify(sample.body);
  const timestamp = nowSeconds(-(options.ageSeconds ?? 0));
  const headers = new Headers({ ...sample.headers, "x-slack-request-timestamp": timestamp, "x-slack-signature": await signSlack(SECRET, timestamp, rawBody) });
  if (options.drop) headers.delete(options.drop);
  return { method: "POST", url: "https://switchboard.example/webhooks/slack/ch_contract", headers, rawBody: options.tamper ? rawBody.replace("}", ',"x":1}') : rawBody };
}

const dmMessage = (): InboundEvent => ({
  kind: "message",
  message: {
    eventId: "D0ADADM001:1712345678.123456",
    chat: { id: "D0ADADM001", type: "direct" },
    sender: { id: "U0ADA00001" },
    address: "D0ADADM001",
    messageId: "1712345678.123456",
    text: "What is on today? a < b & c",
    addressedToBot: true,
    sentAt: 1712345678123,
  },
});

const deployQuestion = (): InboundEvent => ({
  kind: "message",
  message: {
    eventId: "C0GENERAL1:1712345700.000200",
    chat: { id: "C0GENERAL1", type: "group" },
    sender: { id: "U0ADA00001" },
    address: "C0GENERAL1:1712345700.000200",
    messageId: "1712345700.000200",
    text: "what is the deploy status?",
    addressedToBot: true,
    sentAt: 1712345700000,
  },
});

const cases: [string, Sample, ParsedInbound][] = [
  ["url_verification", urlVerification, { ack: jsonAck({ challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" }), events: [] }],
  ["message.im", messageIm, { ack: OK_ACK, events: [dmMessage()] }],
  ["message.im retried (X-Slack-Retry-Num)", messageImRetry, { ack: OK_ACK, events: [dmMessage()] }],
  ["app_mention", appMention, { ack: OK_ACK, events: [deployQuestion()] }],
  ["message.channels of the same mention", messageChannelsMention, { ack: OK_ACK, events: [deployQuestion()] }],
  [
    "message.channels without a mention",
    messageChannels,
    {
      ack: OK_ACK,
      events: [
        {
          kind: "message",
          message: {
            eventId: "C0GENERAL1:1712345800.000300",
            chat: { id: "C0GENERAL1", type: "group" },
            sender: { id: "U0ADA00001" },
            address: "C0GENERAL1:1712345800.000300",
            messageId: "1712345800.000300",
            text: "lunch anyone?",
            addressedToBot: false,
            sentAt: 1712345800000,
          },
        },
      ],
    },
  ],
  ["bot_message", botMessage, { ack: OK_ACK, events: [{ kind: "ignored", eventId: "C0GENERAL1:1712345900.000400", reason: "message from another bot" }] }],
  ["message_changed", messageChanged, { ack: OK_ACK, events: [{ kind: "ignored", eventId: "C0GENERAL1:1712345810.000500", reason: "edits and deletions are not conversation turns" }] }],
  ["own message", ownMessage, { ack: OK_ACK, events: [{ kind: "ignored", eventId: "D0ADADM001:1712345679.000100", reason: "our own message" }] }],
];

describe.each(cases)("Slack sample: %s", (_name, sample, expected) => {
  it("verifies with a fresh v0 signature, and not when tampered, stale, from the future or unsigned", async () => {
    expect(await slackAdapter.verify(channel, await signed(sample))).toBe(true);
    expect(await slackAdapter.verify(channel, await signed(sample, { ageSeconds: 4 * 60 }))).toBe(true);
    expect(await slackAdapter.verify(channel, await signed(sample, { tamper: true }))).toBe(false);
    expect(await slackAdapter.verify(channel, await signed(sample, { ageSeconds: 6 * 60 }))).toBe(false);
    expect(await slackAdapter.verify(channel, await signed(sample, { ageSeconds: -6 * 60 }))).toBe(false);
    expect(await slackAdapter.verify(channel, await signed(sample, { drop: "x-slack-signature" }))).toBe(false);
    expect(await slackAdapter.verify(channel, await signed(sample, { drop: "x-slack-request-timestamp" }))).toBe(false);
    const otherSecret = { ...channel, credentials: { ...channel.credentials, signingSecret: "0000000000000000aaaaaaaaaaaaaaaa" } };
    expect(await slackAdapter.verify(otherSecret, await signed(sample))).toBe(false);
  });

  it("parses into the expected events and acknowledgement", async () => {
    expect(slackAdapter.parse(channel, await signed(sample))).toEqual(expected);
  });
});

describe("Slack request edge cases", () => {
  it("refuses a GET, a malformed signature and a non-numeric timestamp", async () => {
    const request = await signed(messageIm);
    expect(await slackAdapter.verify(channel, { ...request, method: "GET" })).toBe(false);
    const bad = new Headers(request.headers);
    bad.set("x-slack-signature", "v0=zz");
    expect(await slackAdapter.verify(channel, { ...request, headers: bad })).toBe(false);
    bad.set("x-slack-request-timestamp", "soon");
    expect(await slackAdapter.verify(channel, { ...request, headers: bad })).toBe(false);
  });

  it("throws on a body that is not a Slack delivery, and ignores unknown envelopes and events", async () => {
    const parse = (body: string) => slackAdapter.parse(channel, { method: "POST", url: "https://x/", headers: new Headers(), rawBody: body });
    expect(() => parse("{not json")).toThrow();
    expect(() => parse(JSON.stringify({ type: "url_verification" }))).toThrow();
    expect(parse(JSON.stringify({ type: "app_rate_limited", minute_rate_limited: 1518467820 })).events[0]).toMatchObject({ kind: "ignored" });
    const reaction = { ...messageIm.body, event: { type: "reaction_added", user: "U1", reaction: "thumbsup" } };
    expect(parse(JSON.stringify(reaction)).events).toEqual([{ kind: "ignored", eventId: "Ev0ADA0DM01", reason: 'event type "reaction_added" is not handled' }]);
    const threaded = { ...appMention.body, event: { ...appMention.body.event, thread_ts: "1712345600.000100" } };
    expect(parse(JSON.stringify(threaded)).events[0]).toMatchObject({ message: { address: "C0GENERAL1:1712345600.000100" } });
  });
});
