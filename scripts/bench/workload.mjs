// The Telegram job: private-chat text updates (the shape of dmUpdate() in
// test/support/harness.ts), most chats with one message and some "busy" chats with several, in
// a seeded random order. Every text is unique, so a reply ("Echo: <text>") names its update.

import { random } from "../../test/support/seeded-random.ts";

let updateId = 700_000_000;

/**
 * `updates` updates for `prefix`: `busyChats` chats get `perBusyChat` messages each, every
 * other update is the only message of its chat. Chat ids start at `chatIdBase` (keep phases
 * apart so every phase meets new users, the path a first message takes).
 */
export function makeWorkload({ prefix, updates, busyChats = 0, perBusyChat = 1, chatIdBase, seed = 1 }) {
  const busyTotal = Math.min(updates, busyChats * perBusyChat);
  const chats = [];
  for (let chat = 0; chat < busyChats; chat++) for (let n = 0; n < perBusyChat && chats.length < busyTotal; n++) chats.push(chat);
  for (let single = busyChats; chats.length < updates; single++) chats.push(single);
  const next = random(seed);
  for (let i = chats.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [chats[i], chats[j]] = [chats[j], chats[i]];
  }
  const seen = new Map();
  return chats.map((chat, index) => {
    const chatId = chatIdBase + chat;
    const seq = seen.get(chatId) ?? 0;
    seen.set(chatId, seq + 1);
    const text = `${prefix}-${index} hello`;
    return { text, chatId, seq, body: JSON.stringify(telegramUpdate(chatId, text, seq + 1)) };
  });
}

/** The same chat ids again, one new message each: users the Worker already knows. */
export function followUps(workload, { prefix }) {
  const counts = new Map();
  for (const item of workload) counts.set(item.chatId, (counts.get(item.chatId) ?? 0) + 1);
  return [...counts].map(([chatId, seq], index) => {
    const text = `${prefix}-${index} again`;
    return { text, chatId, seq: 0, body: JSON.stringify(telegramUpdate(chatId, text, seq + 1)) };
  });
}

/** A private-chat text update from the user whose id is `chatId`. */
export function telegramUpdate(chatId, text, messageId) {
  updateId += 1;
  const user = { id: chatId, first_name: "Bench", username: `bench${chatId}` };
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { ...user, type: "private" },
      from: { ...user, is_bot: false },
      text,
    },
  };
}

/**
 * The same job spread over several channels (`{ webhookUrl, headers, bot }` each): chat i of the
 * job goes to channel i mod N, so every channel gets its share of busy and single chats. Each
 * item carries its channel's webhook, secret header and bot token (a reply from another bot is
 * misrouted). Without `channels` (a target with one webhook) the job is returned as it is.
 */
export function spreadOverChannels(workload, channels, chatIdBase) {
  if (!channels) return workload;
  return workload.map((item) => {
    const channel = (item.chatId - chatIdBase) % channels.length;
    const { webhookUrl, headers, bot } = channels[channel];
    return { ...item, channel, url: webhookUrl, headers, token: bot.token };
  });
}
