// Per-user threads and the chat commands, including catch-up for replies that arrived elsewhere.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, approvedUser, deliver, dmUpdate, eventually, groupUpdate, newUser, sentTexts, startTelegramChannel, waitForTexts } from "../support/harness";

async function lastText(channel: Awaited<ReturnType<typeof startTelegramChannel>>, chatId: number, count: number): Promise<string> {
  return (await waitForTexts(channel.bot, chatId, count)).at(-1)!;
}

describe("chat commands", () => {
  it("/help lists the commands; /start re-shows the workspace for an approved user", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    await deliver(channel, dmUpdate(user, "/help"));
    const help = await lastText(channel, user.id, 2);
    expect(help).toContain("/new [title] — start a fresh thread");
    expect(help).toContain("/switch <n>");
    await deliver(channel, dmUpdate(user, "/start"));
    expect(await lastText(channel, user.id, 3)).toBe("You are connected to Default (echo). Send a message to start; /help lists the commands.");
  });

  it("/new, /threads and /switch keep each user's conversations apart", async () => {
    const channel = await startTelegramChannel();
    const ada = await approvedUser(channel, "Ada");
    const bob = await approvedUser(channel, "Bob");

    await deliver(channel, dmUpdate(ada, "Draft the launch email"));
    await waitForTexts(channel.bot, ada.id, 2);
    await deliver(channel, dmUpdate(ada, "/new Budget"));
    expect(await lastText(channel, ada.id, 3)).toBe("Started a new thread: Budget");
    await deliver(channel, dmUpdate(ada, "Q3 numbers"));
    await waitForTexts(channel.bot, ada.id, 4);
    await deliver(channel, dmUpdate(ada, "/threads"));
    expect(await lastText(channel, ada.id, 5)).toBe(
      ["Your threads:", "1. Budget (active)", "2. Draft the launch email", "", "Use /switch <n> to change thread."].join("\n"),
    );

    await deliver(channel, dmUpdate(bob, "/threads"));
    expect(await lastText(channel, bob.id, 2)).toBe("No threads yet. Send a message or use /new to start one.");

    await deliver(channel, dmUpdate(ada, "/switch 2"));
    expect(await lastText(channel, ada.id, 6)).toBe("Switched to: Draft the launch email");
    await deliver(channel, dmUpdate(ada, "and a subject line"));
    await waitForTexts(channel.bot, ada.id, 7);

    // The messages landed in the right threads.
    const rows = await env.DB.prepare(
      "SELECT t.title, m.role, m.text FROM messages m JOIN threads t ON t.id = m.thread_id WHERE m.channel_id = ? ORDER BY m.created_at, m.role DESC",
    )
      .bind(channel.id)
      .all<{ title: string; role: string; text: string }>();
    const byThread = (title: string) => rows.results.filter((row) => row.title === title && row.role === "user").map((row) => row.text);
    expect(byThread("Draft the launch email")).toEqual(["Draft the launch email", "and a subject line"]);
    expect(byThread("Budget")).toEqual(["Q3 numbers"]);

    // A number that is not on the list is named as missing, not answered with the usage line.
    await deliver(channel, dmUpdate(ada, "/switch 9"));
    expect(await lastText(channel, ada.id, 8)).toBe("There is no thread 9: the list has threads 1 to 2. Use /threads to see them.");
    await deliver(channel, dmUpdate(ada, "/switch next"));
    expect(await lastText(channel, ada.id, 9)).toBe("Use /switch <n> with a number from /threads.");
  });

  it("holds a slow reply when the user moved on, announces it on /switch and delivers it on /more", async () => {
    const slow = await api("POST", "/workspaces", { name: "Slow echo", backend: "echo", config: { delayMs: 1500 } });
    const channel = await startTelegramChannel({ workspaceId: slow.body.workspace.id });
    const user = await approvedUser(channel);

    await deliver(channel, dmUpdate(user, "Summarise the incident"));
    await deliver(channel, dmUpdate(user, "/new Other topic"));
    // The command is answered while the agent is still thinking about the first message.
    expect(await lastText(channel, user.id, 2)).toBe("Started a new thread: Other topic");

    await eventually(async () => {
      const held = await env.DB.prepare("SELECT text FROM missed_replies WHERE channel_id = ?").bind(channel.id).all();
      expect(held.results).toEqual([{ text: "Echo: Summarise the incident" }]);
    });
    expect(await sentTexts(channel.bot, user.id)).not.toContain("Echo: Summarise the incident");

    await deliver(channel, dmUpdate(user, "/threads"));
    // Most recent activity first: the held reply made the first thread the most recent one.
    expect(await lastText(channel, user.id, 3)).toContain("1. Summarise the incident (1 unread)\n2. Other topic (active)");
    await deliver(channel, dmUpdate(user, "/switch 1"));
    expect(await lastText(channel, user.id, 4)).toBe("Switched to: Summarise the incident\n1 reply while you were away. Use /more to read all.");
    await deliver(channel, dmUpdate(user, "/more"));
    expect(await lastText(channel, user.id, 5)).toBe("Echo: Summarise the incident");
    await deliver(channel, dmUpdate(user, "/more"));
    expect(await lastText(channel, user.id, 6)).toBe("No missed replies in this thread.");
  });

  it("answers in order per chat", async () => {
    const slow = await api("POST", "/workspaces", { name: "Thinking echo", backend: "echo", config: { delayMs: 300 } });
    const channel = await startTelegramChannel({ workspaceId: slow.body.workspace.id, settings: { dmPolicy: "open" } });
    const user = newUser();
    for (const text of ["one", "two", "three"]) await deliver(channel, dmUpdate(user, text));
    expect(await waitForTexts(channel.bot, user.id, 3)).toEqual(["Echo: one", "Echo: two", "Echo: three"]);
  });

  it("shows typing while a slow agent works, and not for an instant answer", async () => {
    const slow = await api("POST", "/workspaces", { name: "Pondering echo", backend: "echo", config: { delayMs: 1800 } });
    const channel = await startTelegramChannel({ workspaceId: slow.body.workspace.id, settings: { dmPolicy: "open" } });
    const user = newUser();
    await deliver(channel, dmUpdate(user, "think hard"));
    await waitForTexts(channel.bot, user.id, 1);
    const { telegramCalls } = await import("../support/harness");
    const typing = await telegramCalls(channel.bot, "sendChatAction");
    expect(typing).toHaveLength(1);
    expect(typing[0]!.params).toEqual({ chat_id: String(user.id), action: "typing" });

    const instant = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    await deliver(instant, dmUpdate(user, "quick"));
    await waitForTexts(instant.bot, user.id, 1);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await telegramCalls(instant.bot, "sendChatAction")).toEqual([]);
  });
});

describe("a bound default thread", () => {
  it("collects everyone's messages until a user starts their own with /new", async () => {
    const created = await api("POST", "/workspaces/ws_default/threads", { title: "Team inbox" });
    const channel = await startTelegramChannel({ threadId: created.body.thread.id, settings: { dmPolicy: "open" } });
    const ada = newUser("Ada");
    const bob = newUser("Bob");
    await deliver(channel, dmUpdate(ada, "from ada"));
    await deliver(channel, dmUpdate(bob, "from bob"));
    await waitForTexts(channel.bot, ada.id, 1);
    await waitForTexts(channel.bot, bob.id, 1);
    const shared = await env.DB.prepare("SELECT text FROM messages WHERE thread_id = ? AND role = 'user' ORDER BY text").bind(created.body.thread.id).all();
    expect(shared.results.map((row) => row.text)).toEqual(["from ada", "from bob"]);

    await deliver(channel, dmUpdate(ada, "/new Mine"));
    await deliver(channel, dmUpdate(ada, "private note"));
    await waitForTexts(channel.bot, ada.id, 3);
    await deliver(channel, dmUpdate(ada, "/threads"));
    expect((await waitForTexts(channel.bot, ada.id, 4))[3]).toContain("1. Mine (active)\n2. Team inbox (shared)");
    const stillShared = await env.DB.prepare("SELECT count(*) AS n FROM messages WHERE thread_id = ? AND role = 'user'").bind(created.body.thread.id).first<{ n: number }>();
    expect(stillShared!.n).toBe(2);
  });
});

describe("groups", () => {
  it("ignores (and logs) group messages without a mention, answers mentions in reply to the question", async () => {
    const channel = await startTelegramChannel({ settings: { groupPolicy: "open" } });
    const user = newUser();
    const groupId = -1_001_234_567;
    await deliver(channel, groupUpdate(groupId, user, "just chatting among humans"));
    const mention = `@${channel.bot.username} what time is it?`;
    const addressed = groupUpdate(groupId, user, mention, { entities: [{ type: "mention", offset: 0, length: channel.bot.username.length + 1 }] });
    await deliver(channel, addressed);

    expect(await waitForTexts(channel.bot, groupId, 1)).toEqual(["Echo: what time is it?"]);
    const { telegramCalls, channelLogs } = await import("../support/harness");
    const [sent] = await telegramCalls(channel.bot, "sendMessage");
    expect(sent!.params.reply_parameters).toEqual({ message_id: addressed.message.message_id, allow_sending_without_reply: true });
    const logs = await channelLogs(channel.id);
    expect(logs).toContainEqual(
      expect.objectContaining({ event: "inbound.dropped", message: "Dropped: group message does not mention the bot (require mention is on)" }),
    );
  });

  it("answers only allow-listed groups, and gives each group its own threads", async () => {
    const allowed = -1_005_550_001;
    const other = -1_005_550_002;
    const channel = await startTelegramChannel({ settings: { groupPolicy: "allowlist", allowedGroups: [String(allowed)], requireMention: false } });
    const [ada, bob] = [newUser("Ada"), newUser("Bob")];
    await deliver(channel, groupUpdate(allowed, ada, "first from ada"));
    await deliver(channel, groupUpdate(allowed, bob, "then bob"));
    await deliver(channel, groupUpdate(other, ada, "elsewhere"));
    expect(await waitForTexts(channel.bot, allowed, 2)).toEqual(["Echo: first from ada", "Echo: then bob"]);
    const { channelLogs } = await import("../support/harness");
    await eventually(async () =>
      expect(await channelLogs(channel.id)).toContainEqual(expect.objectContaining({ message: `Dropped: group ${other} is not on the allowlist` })),
    );
    expect(await sentTexts(channel.bot, other)).toEqual([]);
    // One thread for the group, shared by its members; no DM users were created.
    const threads = await env.DB.prepare("SELECT owner_key FROM threads WHERE owner_key LIKE ?").bind(`${channel.id}:%`).all<{ owner_key: string }>();
    expect(threads.results.map((row) => row.owner_key)).toEqual([`${channel.id}:group:${allowed}`]);
    const users = await env.DB.prepare("SELECT count(*) AS n FROM channel_users WHERE channel_id = ?").bind(channel.id).first<{ n: number }>();
    expect(users!.n).toBe(0);
  });

  it("drops group messages by default (group policy disabled)", async () => {
    const channel = await startTelegramChannel();
    const groupId = -1_009_999;
    const update = groupUpdate(groupId, newUser(), `@${channel.bot.username} hi`, { entities: [{ type: "mention", offset: 0, length: channel.bot.username.length + 1 }] });
    await deliver(channel, update);
    const { channelLogs } = await import("../support/harness");
    await eventually(async () =>
      expect(await channelLogs(channel.id)).toContainEqual(expect.objectContaining({ message: "Dropped: group messages are disabled for this channel" })),
    );
    expect(await sentTexts(channel.bot, groupId)).toEqual([]);
  });
});
