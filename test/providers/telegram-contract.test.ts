// Telegram's payload samples (worker/providers/telegram/samples) replayed through the adapter:
// the secret-token header verifies only with the channel's secret, and each sample parses into
// the expected event.
import { describe, expect, it } from "vitest";
import editedMessage from "../../worker/providers/telegram/samples/edited-message.json";
import otherBotCommand from "../../worker/providers/telegram/samples/group-command-for-other-bot.json";
import groupMention from "../../worker/providers/telegram/samples/group-mention.json";
import photo from "../../worker/providers/telegram/samples/photo-without-caption.json";
import privateCommand from "../../worker/providers/telegram/samples/private-command.json";
import privateMessage from "../../worker/providers/telegram/samples/private-message.json";
import { telegramAdapter } from "../../worker/providers/telegram/adapter";
import { OK_ACK, type ChannelContext, type InboundRequest } from "../../worker/providers/types";

const SECRET = "s3cr3t-token_for-contract-tests";
const channel: ChannelContext = {
  channelId: "ch_contract",
  credentials: { botToken: "123456789:AAcontractcontractcontractcontract" },
  webhookSecret: SECRET,
  account: { id: "7000001", name: "switch_test_bot", details: {} },
  env: {},
};

interface Sample {
  headers: Record<string, string>;
  body: unknown;
}

function request(sample: Sample, secret: string | null = SECRET, method = "POST"): InboundRequest {
  const headers = new Headers(sample.headers);
  if (secret === null) headers.delete("x-telegram-bot-api-secret-token");
  else headers.set("x-telegram-bot-api-secret-token", secret);
  return { method, url: "https://switchboard.example/webhooks/telegram/ch_contract", headers, rawBody: JSON.stringify(sample.body) };
}

describe("Telegram contract", () => {
  const all = [privateMessage, privateCommand, groupMention, otherBotCommand, editedMessage, photo];

  it("verifies only the channel's own secret token, on POST", async () => {
    for (const sample of all) {
      expect(await telegramAdapter.verify(channel, request(sample))).toBe(true);
      expect(await telegramAdapter.verify(channel, request(sample, `${SECRET}x`))).toBe(false);
      expect(await telegramAdapter.verify(channel, request(sample, null))).toBe(false);
      expect(await telegramAdapter.verify(channel, request(sample, SECRET, "GET"))).toBe(false);
    }
  });

  it("parses a private message and a command into events addressed to the chat", () => {
    const parsed = telegramAdapter.parse(channel, request(privateMessage));
    expect(parsed.ack).toEqual(OK_ACK);
    expect(parsed.events).toEqual([
      {
        kind: "message",
        message: {
          eventId: "731992501",
          chat: { id: "421337001", type: "direct", title: undefined },
          sender: { id: "421337001", username: "ada_l", displayName: "Ada Lovelace" },
          address: "421337001",
          messageId: "1201",
          text: "What is on today?",
          addressedToBot: true,
          sentAt: 1712345678000,
        },
      },
    ]);
    expect(telegramAdapter.parse(channel, request(privateCommand)).events[0]).toMatchObject({ kind: "message", message: { text: "/start K7PQ2MXZ" } });
  });

  it("sees a mention in a group, and not a command for another bot", () => {
    expect(telegramAdapter.parse(channel, request(groupMention)).events[0]).toMatchObject({
      kind: "message",
      message: { chat: { id: "-1001234567890", type: "group", title: "Team room" }, text: "status of the deploy?", addressedToBot: true, address: "-1001234567890" },
    });
    expect(telegramAdapter.parse(channel, request(otherBotCommand)).events[0]).toMatchObject({ kind: "message", message: { addressedToBot: false } });
  });

  it("acknowledges and ignores edits and media without text", () => {
    expect(telegramAdapter.parse(channel, request(editedMessage)).events).toEqual([{ kind: "ignored", eventId: "731992505", reason: 'update type "edited_message" is not handled' }]);
    expect(telegramAdapter.parse(channel, request(photo)).events[0]).toMatchObject({ kind: "ignored", eventId: "731992506" });
  });
});
