// Reading Baileys' WAMessage: JIDs normalised (device suffixes, @c.us, LID and phone forms),
// the wrappers WhatsApp puts around content, what is not a conversation turn, mentions.
import { describe, expect, it } from "vitest";
import { readSettings } from "../../worker/core/settings";
import { normalizeJid, personId } from "../../worker/providers/whatsapp/jid";
import { readWhatsAppMessage } from "../../worker/providers/whatsapp/parse";
import type { ChannelContext } from "../../worker/providers/types";

const channel = (settings: Record<string, unknown> = {}): ChannelContext => ({
  channelId: "ch_test",
  credentials: {},
  webhookSecret: "x",
  account: { id: "15550001111", name: "+15550001111", details: { jid: "15550001111@s.whatsapp.net", lid: "777@lid" } },
  settings: readSettings(settings),
  env: {},
});

const base = { messageTimestamp: 1_790_000_000, pushName: "Ada", upsertType: "notify" };

describe("WhatsApp JIDs", () => {
  it("drops device and agent parts and spells phone JIDs one way", () => {
    expect(normalizeJid("15551234567:12@s.whatsapp.net")).toBe("15551234567@s.whatsapp.net");
    expect(normalizeJid("15551234567@c.us")).toBe("15551234567@s.whatsapp.net");
    expect(normalizeJid("123456789_1:3@lid")).toBe("123456789@lid");
    expect(normalizeJid("nonsense")).toBeNull();
  });

  it("prefers the phone form of a person when WhatsApp gives both", () => {
    expect(personId("123456789@lid", "15551234567:2@s.whatsapp.net")).toBe("15551234567@s.whatsapp.net");
    expect(personId("15551234567@s.whatsapp.net", "123456789@lid")).toBe("15551234567@s.whatsapp.net");
    expect(personId("123456789@lid", null)).toBe("123456789@lid");
  });
});

describe("readWhatsAppMessage", () => {
  it("reads a DM from a LID chat with its phone alternate", () => {
    const read = readWhatsAppMessage(channel(), { ...base, key: { remoteJid: "123456789@lid", remoteJidAlt: "15551234567@s.whatsapp.net", fromMe: false, id: "A1" }, message: { conversation: "hi" } });
    expect(read).toEqual({
      eventId: "wa:123456789@lid:A1",
      chat: { id: "123456789@lid", type: "direct" },
      sender: { id: "15551234567@s.whatsapp.net", username: "+15551234567", displayName: "Ada" },
      address: "123456789@lid",
      messageId: "A1",
      text: "hi",
      addressedToBot: true,
      sentAt: 1_790_000_000_000,
    });
  });

  it("unwraps disappearing and view-once messages and reads captions", () => {
    const ephemeral = readWhatsAppMessage(channel(), { ...base, key: { remoteJid: "1555@s.whatsapp.net", id: "A2" }, message: { ephemeralMessage: { message: { extendedTextMessage: { text: "secret" } } } } });
    expect(ephemeral).toMatchObject({ text: "secret" });
    const caption = readWhatsAppMessage(channel(), { ...base, key: { remoteJid: "1555@s.whatsapp.net", id: "A3" }, message: { viewOnceMessageV2: { message: { imageMessage: { caption: "look" } } } } });
    expect(caption).toMatchObject({ text: "look" });
  });

  it("ignores what is not a conversation turn", () => {
    const ignored = (raw: Record<string, unknown>) => (readWhatsAppMessage(channel(), { ...base, ...raw }) as { ignored: string }).ignored;
    expect(ignored({ key: { remoteJid: "status@broadcast", id: "B1" }, message: { conversation: "story" } })).toMatch(/not a chat/);
    expect(ignored({ key: { remoteJid: "1555@s.whatsapp.net", id: "B2" }, message: { conversation: "old" }, upsertType: "append" })).toMatch(/history/);
    expect(ignored({ key: { remoteJid: "1555@s.whatsapp.net", id: "B3", fromMe: true }, message: { conversation: "mine" } })).toMatch(/linked account itself/);
    expect(ignored({ key: { remoteJid: "1555@s.whatsapp.net", id: "B4" }, message: { audioMessage: { ptt: true } } })).toMatch(/no text/);
    expect(ignored({ key: { remoteJid: "15550001111@s.whatsapp.net", id: "B5", fromMe: true }, message: { conversation: "note" } })).toMatch(/self-chat mode is off/);
  });

  it("answers the own chat in self-chat mode, as a DM from the account", () => {
    const read = readWhatsAppMessage(channel({ selfChat: true }), { ...base, key: { remoteJid: "777@lid", id: "C1", fromMe: true }, message: { conversation: "test" } });
    expect(read).toMatchObject({ chat: { id: "777@lid", type: "direct" }, sender: { id: "15550001111@s.whatsapp.net" }, text: "test" });
  });

  it("knows when a group message is addressed to the account: mention by phone or LID, a reply to it, @number", () => {
    const group = (message: Record<string, unknown>) =>
      readWhatsAppMessage(channel(), { ...base, key: { remoteJid: "1203@g.us", id: `G${Math.random()}`, participant: "1555999:4@s.whatsapp.net" }, message }) as { addressedToBot: boolean; sender: { id: string } };
    expect(group({ conversation: "chatter" }).addressedToBot).toBe(false);
    expect(group({ conversation: "chatter" }).sender.id).toBe("1555999@s.whatsapp.net");
    expect(group({ extendedTextMessage: { text: "@bot", contextInfo: { mentionedJid: ["777@lid"] } } }).addressedToBot).toBe(true);
    expect(group({ extendedTextMessage: { text: "yes", contextInfo: { participant: "15550001111:2@s.whatsapp.net", stanzaId: "X" } } }).addressedToBot).toBe(true);
    expect(group({ conversation: "hey @15550001111" }).addressedToBot).toBe(true);
  });
});
