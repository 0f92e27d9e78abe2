import { describe, expect, it } from "vitest";
import { parseTelegramUpdate } from "../../worker/providers/telegram/parse";

const bot = { id: 999, username: "switch_bot" };
const from = { id: 42, is_bot: false, first_name: "Ada", last_name: "Lovelace", username: "ada" };

function update(message: Record<string, unknown>) {
  return { update_id: 10, message: { message_id: 5, date: 1_700_000_000, from, ...message } };
}

describe("Telegram update parsing", () => {
  it("normalises a private message", () => {
    const parsed = parseTelegramUpdate(update({ chat: { id: 42, type: "private" }, text: "hello" }), bot);
    expect(parsed).toEqual({
      kind: "message",
      message: {
        eventId: "10",
        chat: { id: "42", type: "direct", title: undefined },
        sender: { id: "42", username: "ada", displayName: "Ada Lovelace" },
        address: "42",
        messageId: "5",
        text: "hello",
        addressedToBot: true,
        sentAt: 1_700_000_000_000,
      },
    });
  });

  it("detects a mention of the bot in a group and strips it from the text", () => {
    const text = "hey @Switch_Bot what's up";
    const parsed = parseTelegramUpdate(
      update({ chat: { id: -100, type: "supergroup", title: "Team" }, text, entities: [{ type: "mention", offset: 4, length: 11 }] }),
      bot,
    );
    expect(parsed).toMatchObject({ kind: "message", message: { addressedToBot: true, text: "hey what's up", chat: { type: "group", title: "Team" } } });
  });

  it("counts entity offsets in UTF-16 units (emoji before the mention)", () => {
    const text = "😀 @switch_bot hi";
    const parsed = parseTelegramUpdate(
      update({ chat: { id: -100, type: "group" }, text, entities: [{ type: "mention", offset: 3, length: 11 }] }),
      bot,
    );
    expect(parsed).toMatchObject({ message: { addressedToBot: true, text: "😀 hi" } });
  });

  it("treats replies to the bot, text mentions and /cmd@bot as addressed; other mentions not", () => {
    const group = { chat: { id: -100, type: "group" } };
    const addressed = (extra: Record<string, unknown>) =>
      (parseTelegramUpdate(update({ ...group, ...extra }), bot) as { message: { addressedToBot: boolean } }).message.addressedToBot;
    expect(addressed({ text: "sure", reply_to_message: { from: { id: 999, is_bot: true, first_name: "B" } } })).toBe(true);
    expect(addressed({ text: "Bot hi", entities: [{ type: "text_mention", offset: 0, length: 3, user: { id: 999, is_bot: true, first_name: "B" } }] })).toBe(true);
    expect(addressed({ text: "/threads@switch_bot", entities: [{ type: "bot_command", offset: 0, length: 19 }] })).toBe(true);
    expect(addressed({ text: "/threads@other_bot", entities: [{ type: "bot_command", offset: 0, length: 18 }] })).toBe(false);
    expect(addressed({ text: "hi @someone", entities: [{ type: "mention", offset: 3, length: 8 }] })).toBe(false);
    expect(addressed({ text: "just chatting" })).toBe(false);
  });

  it("ignores what is not a user's text message, with a reason", () => {
    expect(parseTelegramUpdate({ update_id: 1, edited_message: {} }, bot)).toMatchObject({ kind: "ignored", eventId: "1", reason: expect.stringContaining("edited_message") });
    expect(parseTelegramUpdate(update({ chat: { id: 1, type: "private" }, sticker: {} }), bot)).toMatchObject({ kind: "ignored" });
    expect(parseTelegramUpdate(update({ chat: { id: 1, type: "private" }, text: "x", from: { ...from, is_bot: true } }), bot)).toMatchObject({ kind: "ignored", reason: "message from a bot" });
    expect(parseTelegramUpdate(update({ chat: { id: -1, type: "channel" }, text: "x" }), bot)).toMatchObject({ kind: "ignored" });
  });

  it("uses a caption as the text of a photo", () => {
    expect(parseTelegramUpdate(update({ chat: { id: 42, type: "private" }, photo: [], caption: "look" }), bot)).toMatchObject({ message: { text: "look" } });
  });

  it("rejects a body that is not an Update", () => {
    expect(() => parseTelegramUpdate({ hello: "world" }, bot)).toThrow();
  });
});
