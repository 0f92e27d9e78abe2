// Contract: the Zalo Bot Platform samples kept beside the adapter (worker/providers/zalo-oa/samples)
// verified with their secret header and parsed the way the webhook does.
import { describe, expect, it } from "vitest";
import { zaloOaAdapter } from "../../worker/providers/zalo-oa/adapter";
import type { ChannelContext, InboundRequest } from "../../worker/providers/types";
import groupMention from "../../worker/providers/zalo-oa/samples/text-group-mention.json";
import groupPlain from "../../worker/providers/zalo-oa/samples/text-group-plain.json";
import image from "../../worker/providers/zalo-oa/samples/image-private.json";
import sticker from "../../worker/providers/zalo-oa/samples/sticker-private.json";
import privateText from "../../worker/providers/zalo-oa/samples/text-private.json";
import wrapped from "../../worker/providers/zalo-oa/samples/text-private-wrapped.json";

const SECRET = "s3cret-token-for-the-contract-test";
const channel: ChannelContext = {
  channelId: "ch_contract",
  credentials: { botToken: "1459232241454765289:abc-xyz" },
  webhookSecret: SECRET,
  account: { id: "1459232241454765289", name: "bot.VDKyGxQvc", details: {} },
  env: {},
};

function request(sample: { headers: Record<string, string>; body: unknown }, secret: string | null = SECRET): InboundRequest {
  const headers = new Headers(sample.headers);
  if (secret === null) headers.delete("x-bot-api-secret-token");
  else headers.set("x-bot-api-secret-token", secret);
  return { method: "POST", url: "https://switchboard.example/webhooks/zalo-oa/ch_contract", headers, rawBody: JSON.stringify(sample.body) };
}

async function parse(sample: { headers: Record<string, string>; body: unknown }) {
  expect(await zaloOaAdapter.verify(channel, request(sample))).toBe(true);
  const parsed = zaloOaAdapter.parse(channel, request(sample));
  expect(parsed.ack).toEqual({ status: 200, contentType: "application/json", body: '{"ok":true}' });
  expect(parsed.events).toHaveLength(1);
  return parsed.events[0];
}

describe("Zalo OA webhook verification", () => {
  it("accepts the channel's secret and refuses another or none", async () => {
    expect(await zaloOaAdapter.verify(channel, request(privateText))).toBe(true);
    expect(await zaloOaAdapter.verify(channel, request(privateText, `${SECRET}x`))).toBe(false);
    expect(await zaloOaAdapter.verify(channel, request(privateText, null))).toBe(false);
    // Telegram's header name is not Zalo's.
    const telegramStyle = request(privateText, null);
    telegramStyle.headers.set("x-telegram-bot-api-secret-token", SECRET);
    expect(await zaloOaAdapter.verify(channel, telegramStyle)).toBe(false);
  });
});

describe("Zalo OA update parsing", () => {
  it("normalises a private text message; the event id is chat id plus message id", async () => {
    expect(await parse(privateText)).toEqual({
      kind: "message",
      message: {
        eventId: "e4ea2cd5189df1c3a88c:16f6366b3f02645a3d15",
        chat: { id: "e4ea2cd5189df1c3a88c", type: "direct" },
        address: "e4ea2cd5189df1c3a88c",
        sender: { id: "e4ea2cd5189df1c3a88c", displayName: "Nguyen Van A" },
        messageId: "16f6366b3f02645a3d15",
        text: "Xin chào",
        addressedToBot: true,
        sentAt: 1766619597466,
      },
    });
  });

  it("a group message that mentions the bot's account name is addressed to it, without the mention", async () => {
    expect(await parse(groupMention)).toMatchObject({
      kind: "message",
      message: { chat: { id: "g7d3b91a0c5e2f4d6b8a", type: "group" }, text: "lịch họp tuần này?", addressedToBot: true },
    });
    expect(await parse(groupPlain)).toMatchObject({ kind: "message", message: { text: "ai đi ăn trưa không?", addressedToBot: false } });
  });

  it("a command in a group counts as addressed; a mention of someone else does not", async () => {
    const text = (value: string) => ({ ...groupPlain, body: { ...groupPlain.body, message: { ...groupPlain.body.message, text: value } } });
    expect(await parse(text("/threads"))).toMatchObject({ message: { addressedToBot: true } });
    expect(await parse(text("@bot.VDKyGxQvcX hi"))).toMatchObject({ message: { addressedToBot: false } });
    expect(await parse(text("hỏi @Bot.vdkygxqvc, giúp với"))).toMatchObject({ message: { addressedToBot: true, text: "hỏi , giúp với" } });
  });

  it("accepts the getUpdates envelope too", async () => {
    expect(await parse(wrapped)).toMatchObject({ kind: "message", message: { text: "/threads", eventId: "e4ea2cd5189df1c3a88c:61b9c0f92666511e8279" } });
  });

  it("ignores images, stickers and bots with a reason", async () => {
    expect(await parse(image)).toEqual({ kind: "ignored", eventId: "e4ea2cd5189df1c3a88c:4f97aed70444399c6057", reason: 'event "message.image.received" is not handled (only text messages are)' });
    expect(await parse(sticker)).toMatchObject({ kind: "ignored", reason: expect.stringContaining("message.sticker.received") });
    const fromBot = { ...privateText, body: { ...privateText.body, message: { ...privateText.body.message, from: { id: "b1", is_bot: true } } } };
    expect(await parse(fromBot)).toMatchObject({ kind: "ignored", reason: "message from a bot" });
  });

  it("throws on a body that is not an update (the webhook answers 400)", () => {
    expect(() => zaloOaAdapter.parse(channel, { ...request(privateText), rawBody: '{"hello":1}' })).toThrow();
  });
});
