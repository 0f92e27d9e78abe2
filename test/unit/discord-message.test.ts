// Contract: gateway Message samples (worker/providers/discord/samples/message-*.json) → events,
// and the address, command and invite helpers both Discord paths share.
import { describe, expect, it } from "vitest";
import { channelAddress, interactionAddress, interactionIsFresh, parseAddress, snowflakeTime } from "../../worker/providers/discord/address";
import { commandDefinitions } from "../../worker/providers/discord/commands";
import { parseDiscordMessage } from "../../worker/providers/discord/message";
import { inviteUrl } from "../../worker/providers/discord/setup";
import dm from "../../worker/providers/discord/samples/message-dm.json";
import join from "../../worker/providers/discord/samples/message-guild-join.json";
import mention from "../../worker/providers/discord/samples/message-guild-mention.json";

const BOT = "1290412385551548416";

describe("Discord gateway messages", () => {
  it("a DM with a bang command becomes the command in slash form, replied to in its channel", () => {
    expect(parseDiscordMessage(dm.body, BOT)).toEqual({
      kind: "message",
      message: {
        eventId: dm.body.id,
        chat: { id: "1290498871216820254", type: "direct" },
        sender: { id: "812735629014581268", username: "ada.lovelace", displayName: "Ada" },
        address: "c:1290498871216820254",
        messageId: dm.body.id,
        text: "/new Release notes",
        addressedToBot: true,
        sentAt: Date.parse(dm.body.timestamp),
      },
    });
    expect(Date.parse(dm.body.timestamp)).toBe(snowflakeTime(dm.body.id));
  });

  it("a server message that mentions the bot is addressed to it, without the mention", () => {
    expect(parseDiscordMessage(mention.body, BOT)).toMatchObject({
      kind: "message",
      message: { chat: { id: "1101384957382049843", type: "group" }, sender: { displayName: "Grace (ops)" }, text: "what is on the deploy checklist?", addressedToBot: true },
    });
  });

  it("server messages: a reply to the bot or a !command is addressed, chatter is not", () => {
    const base = { ...mention.body, mentions: [], content: "lunch anyone?" };
    const addressed = (extra: Record<string, unknown>) => (parseDiscordMessage({ ...base, ...extra }, BOT) as { message: { addressedToBot: boolean } }).message.addressedToBot;
    expect(addressed({})).toBe(false);
    expect(addressed({ type: 19, referenced_message: { id: "1", author: { id: BOT } } })).toBe(true);
    expect(addressed({ content: "!threads" })).toBe(true);
    expect(addressed({ content: "<@!1290412385551548416> old-style mention", mentions: [{ id: BOT }] })).toBe(true);
  });

  it("ignores joins, bots and empty content, with a reason", () => {
    expect(parseDiscordMessage(join.body, BOT)).toEqual({ kind: "ignored", eventId: join.body.id, reason: "message type 7 is not a chat message" });
    expect(parseDiscordMessage({ ...dm.body, author: { ...dm.body.author, bot: true } }, BOT)).toMatchObject({ kind: "ignored", reason: "message from a bot" });
    expect(parseDiscordMessage({ ...mention.body, content: "" }, BOT)).toMatchObject({ kind: "ignored", reason: expect.stringContaining("Message Content intent") });
    expect(() => parseDiscordMessage({ id: "1" }, BOT)).toThrow();
  });
});

describe("Discord reply addresses", () => {
  it("round-trip both kinds, tokens with any characters included", () => {
    expect(parseAddress(channelAddress("42"))).toEqual({ kind: "channel", channelId: "42" });
    const token = "aW50ZXJhY3Rpb246MTI5:with.dots_and-dashes";
    for (const scope of [{ kind: "dm", userId: "7" }, { kind: "public", channelId: "8" }, { kind: "private" }] as const) {
      expect(parseAddress(interactionAddress("1290513402106843186", scope, token))).toEqual({ kind: "interaction", interactionId: "1290513402106843186", scope, token });
    }
    expect(() => parseAddress("12345")).toThrow();
  });

  it("knows when an interaction token can no longer be used (15 minutes, less a margin)", () => {
    const id = "1290513402106843186";
    const created = snowflakeTime(id);
    expect(interactionIsFresh(id, created + 60_000)).toBe(true);
    expect(interactionIsFresh(id, created + 14 * 60_000 + 1)).toBe(false);
  });
});

describe("Discord commands and invite", () => {
  it("registers seven commands with valid names and short descriptions", () => {
    const commands = commandDefinitions();
    expect(commands.map((command) => command.name)).toEqual(["ask", "start", "new", "threads", "switch", "more", "help"]);
    for (const command of commands) {
      expect(command.name).toMatch(/^[-_a-z0-9]{1,32}$/);
      expect(command.description.length).toBeLessThanOrEqual(100);
    }
    expect(commands.find((command) => command.name === "switch")!.options).toEqual([expect.objectContaining({ type: 4, name: "number", required: true })]);
  });

  it("invites the bot with both scopes and the permissions it needs", () => {
    const url = new URL(inviteUrl("1290412385551548416"));
    expect(url.origin + url.pathname).toBe("https://discord.com/oauth2/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: "1290412385551548416", scope: "bot applications.commands", permissions: "274877975552", integration_type: "0" });
    expect(url.search).toContain("scope=bot%20applications.commands");
  });
});
