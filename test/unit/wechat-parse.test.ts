// Reading an iLink message: the conversation turn it is (a DM at the user's id, de-duplicated by
// message id), text and voice transcripts joined, and what is not a turn (the bot's own
// messages, groups, media without text), and a malformed message refused.
import { describe, expect, it } from "vitest";
import { readWeChatMessage } from "../../worker/providers/wechat/parse";

const base = { message_id: 7001, from_user_id: "alice@im.wechat", to_user_id: "b1@im.bot", create_time_ms: 1_790_000_000_000, message_type: 1 };

describe("iLink messages", () => {
  it("reads a text DM: replies go to the user's id, the event id is the message id", () => {
    expect(readWeChatMessage(null, { ...base, item_list: [{ type: 1, text_item: { text: "ni hao" } }], context_token: "not-for-the-worker" })).toEqual({
      eventId: "wx:7001",
      chat: { id: "alice@im.wechat", type: "direct" },
      sender: { id: "alice@im.wechat" },
      address: "alice@im.wechat",
      messageId: "7001",
      text: "ni hao",
      addressedToBot: true,
      sentAt: 1_790_000_000_000,
    });
  });

  it("joins text items and voice transcripts, and takes a string message id as it is", () => {
    const read = readWeChatMessage(null, {
      ...base,
      message_id: "m-9",
      item_list: [{ type: 1, text_item: { text: "look:" } }, { type: 2, image_item: {} }, { type: 3, voice_item: { text: "spoken" } }],
    });
    expect(read).toMatchObject({ eventId: "wx:m-9", text: "look:\nspoken" });
  });

  it("ignores the bot's own messages, group messages and media without text", () => {
    expect(readWeChatMessage(null, { ...base, message_type: 2, item_list: [{ type: 1, text_item: { text: "mine" } }] })).toEqual({ ignored: "sent by the bot itself" });
    expect(readWeChatMessage(null, { ...base, group_id: "g1", item_list: [{ type: 1, text_item: { text: "hi all" } }] })).toMatchObject({ ignored: expect.stringContaining("group") });
    expect(readWeChatMessage(null, { ...base, item_list: [{ type: 4, file_item: {} }, { type: 3, voice_item: {} }] })).toMatchObject({ ignored: expect.stringContaining("no text") });
  });

  it("refuses a message without an id or a sender", () => {
    expect(() => readWeChatMessage(null, { from_user_id: "alice@im.wechat", item_list: [] })).toThrow(/not an iLink message/);
    expect(() => readWeChatMessage(null, { message_id: 1, item_list: [] })).toThrow(/not an iLink message/);
  });
});
