// Discord from the user's side, against the fake Discord API: slash commands acknowledged at once
// and completed through the interaction's webhook — pairing, answers, long answers, private
// answers in a server, redelivery, rate limits, and what happens once a token has expired.
import { describe, expect, it } from "vitest";
import { fakeOpenAi } from "../support/backend-fakes";
import { api, channelLogs, eventually } from "../support/harness";
import {
  answered,
  approvedDiscordUser,
  command,
  discordCalls,
  discordUser,
  dmMessages,
  expireInteraction,
  injectDiscordFaults,
  interact,
  shown,
  snowflake,
  startDiscordChannel,
} from "../support/discord";

const CODE = /pairing code is ([2-9A-HJ-NP-Z]{8})/;
const EPHEMERAL = 64;

describe("Discord pairing", () => {
  it("/start from an unknown user: a deferred answer that becomes the pairing code; approval is told as a follow-up", async () => {
    const channel = await startDiscordChannel();
    const start = command(channel.app, discordUser("Grace"), "start");
    expect(await interact(channel, start)).toEqual({ status: 200, ack: { type: 5 } });
    const { original } = await answered(start.token);
    expect(original).toMatchObject({ content: expect.stringMatching(CODE), flags: 0, edits: 1 });

    const [request] = (await api("GET", `/channels/${channel.id}/pairing`)).body.requests;
    expect(request).toMatchObject({ code: CODE.exec(original!.content)![1], heldMessage: false });
    await api("POST", `/channels/${channel.id}/pairing/${request.id}/approve`);
    const view = await answered(start.token, 1);
    expect(view.followups.map((message) => message.content)).toEqual(["You're approved! You are now connected to Default (echo)."]);
  });

  it("approved after the token expired: told in a DM, and the held question answered there", async () => {
    const channel = await startDiscordChannel();
    const user = discordUser("Ada");
    const ask = command(channel.app, user, "ask", { question: "What is our refund policy?" });
    await interact(channel, ask);
    expect((await answered(ask.token)).original!.content).toMatch(CODE);

    await expireInteraction(ask.token);
    const [request] = (await api("GET", `/channels/${channel.id}/pairing`)).body.requests;
    expect(request.heldMessage).toBe(true);
    await api("POST", `/channels/${channel.id}/pairing/${request.id}/approve`);
    const dm = await eventually(async () => {
      const found = await dmMessages(channel.app, user);
      expect(found.messages).toHaveLength(2);
      return found;
    });
    expect(dm.channelId).toBe(ask.channel_id);
    expect(dm.messages.map((message) => message.content)).toEqual(["You're approved! You are now connected to Default (echo).", "Echo: What is our refund policy?"]);
    expect((await discordCalls(channel.app, "POST /users/@me/channels"))[0]!.body).toEqual({ recipient_id: user.id });
    // The expired token was tried once, then never again; the bot token was never blamed.
    expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("running");
  });
});

describe("Discord answers", () => {
  it("/ask: deferred, then the placeholder edited into the answer; no typing calls, no follow-ups", async () => {
    const channel = await startDiscordChannel();
    const user = await approvedDiscordUser(channel);
    const ask = command(channel.app, user, "ask", { question: "hello there" });
    expect((await interact(channel, ask)).ack).toEqual({ type: 5 });
    const view = await answered(ask.token);
    expect(view.original).toMatchObject({ content: "Echo: hello there", flags: 0 });
    expect(view.followups).toEqual([]);
    expect(await discordCalls(channel.app, "POST /channels/:channel/typing")).toEqual([]);
    const edit = (await discordCalls(channel.app, "PATCH /webhooks/:app/:token/messages/:message")).at(-1)!;
    expect(edit.body).toEqual({ content: "Echo: hello there", allowed_mentions: { parse: [] } });
  });

  it("a long answer: the first 2,000 characters replace the placeholder, the rest are follow-ups", async () => {
    const verbose = await api("POST", "/workspaces", { name: "Verbose echo", backend: "echo", config: { prefix: `${"lorem ipsum ".repeat(300)}\n\n` } });
    const channel = await startDiscordChannel({ workspaceId: verbose.body.workspace.id, settings: { dmPolicy: "open" } });
    const question = "dolor sit amet ".repeat(120).trim();
    const ask = command(channel.app, discordUser(), "ask", { question });
    await interact(channel, ask);
    const view = await answered(ask.token, 2);
    const parts = [view.original!, ...view.followups];
    expect(parts).toHaveLength(3);
    for (const part of parts) expect(part.content.length).toBeLessThanOrEqual(2000);
    expect(parts.at(-1)!.content).toBe(question);
  });

  it("streams: the placeholder shows the answer as it grows and ends as exactly the answer", async () => {
    const answer = Array.from({ length: 16 }, (_, i) => `word${i}`).join(" ");
    const fake = await fakeOpenAi({ reply: answer, chunkDelayMs: 400 });
    const created = await api("POST", "/workspaces", { name: "streaming", backend: "openai", config: { baseUrl: fake.baseUrl, model: "gpt-test" }, secrets: { apiKey: fake.apiKey! } });
    const channel = await startDiscordChannel({ workspaceId: created.body.workspace.id, settings: { dmPolicy: "open" } });
    const ask = command(channel.app, discordUser(), "ask", { question: "a long story" });
    await interact(channel, ask);
    const view = await eventually(async () => {
      const current = await shown(ask.token);
      expect(current.original?.content).toBe(answer);
      return current;
    }, 15_000);
    expect(view.original!.edits).toBeGreaterThanOrEqual(2);
    expect(view.followups).toEqual([]);
  });

  it("in a server, commands are private (ephemeral) and /ask is public", async () => {
    const channel = await startDiscordChannel({ settings: { groupPolicy: "open" } });
    const guild = { guildId: snowflake(), channelId: snowflake() };
    const user = discordUser("Grace");
    const created = command(channel.app, user, "new", { title: "Launch" }, { guild });
    expect((await interact(channel, created)).ack).toEqual({ type: 5, data: { flags: EPHEMERAL } });
    expect((await answered(created.token)).original).toMatchObject({ content: "Started a new thread: Launch", flags: EPHEMERAL });

    const ask = command(channel.app, user, "ask", { question: "status?" }, { guild });
    expect((await interact(channel, ask)).ack).toEqual({ type: 5 });
    expect((await answered(ask.token)).original).toMatchObject({ content: "Echo: status?", flags: 0 });

    const help = command(channel.app, user, "help", {}, { guild });
    await interact(channel, help);
    expect((await answered(help.token)).original!.content).toContain("/switch <n>");
  });

  it("the same interaction delivered twice gets one answer", async () => {
    const channel = await startDiscordChannel();
    const user = await approvedDiscordUser(channel);
    const ask = command(channel.app, user, "ask", { question: "only once" });
    expect((await interact(channel, ask)).status).toBe(200);
    expect((await interact(channel, ask)).status).toBe(200);
    await answered(ask.token);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const view = await shown(ask.token);
    expect(view.original).toMatchObject({ content: "Echo: only once", edits: 1 });
    expect(view.followups).toEqual([]);
    expect((await channelLogs(channel.id)).filter((log) => log.event === "inbound.duplicate")).toHaveLength(1);
  });

  it("waits out a 429's retry_after, then answers", async () => {
    const channel = await startDiscordChannel({ settings: { dmPolicy: "open" } });
    await injectDiscordFaults(channel.app, "PATCH /webhooks/:app/:token/messages/:message", [
      { status: 429, body: { message: "You are being rate limited.", retry_after: 1.2, global: false }, headers: { "retry-after": "2", "x-ratelimit-scope": "user" } },
    ]);
    const ask = command(channel.app, discordUser(), "ask", { question: "rate me" });
    await interact(channel, ask);
    expect((await answered(ask.token)).original!.content).toBe("Echo: rate me");
    const edits = await discordCalls(channel.app, "PATCH /webhooks/:app/:token/messages/:message");
    expect(edits).toHaveLength(2);
    expect(edits[1]!.at - edits[0]!.at).toBeGreaterThanOrEqual(1200);
    expect(await channelLogs(channel.id, "warn")).toContainEqual(expect.objectContaining({ event: "outbound.retry", message: expect.stringContaining("Send failed (rate-limited), retrying in 2 s") }));
  });
});

describe("Discord after 15 minutes", () => {
  it("a DM answer goes to the DM channel; a private server answer fails permanently with a clear reason", async () => {
    const channel = await startDiscordChannel({ settings: { dmPolicy: "open", groupPolicy: "open" } });
    const user = discordUser();
    const late = command(channel.app, user, "ask", { question: "late" }, { agoMs: 15 * 60_000 });
    await interact(channel, late);
    await eventually(async () => expect((await dmMessages(channel.app, user)).messages.map((message) => message.content)).toEqual(["Echo: late"]));
    expect((await shown(late.token)).original).toMatchObject({ content: "", edits: 0 });

    const guild = { guildId: snowflake(), channelId: snowflake() };
    const threads = command(channel.app, user, "threads", {}, { guild, agoMs: 15 * 60_000 });
    await interact(channel, threads);
    await eventually(async () =>
      expect(await channelLogs(channel.id, "error")).toContainEqual(
        expect.objectContaining({
          event: "outbound.failed",
          message: "Not sent, refused by the provider: Discord interaction expired: a private answer in a server can only be sent within 15 minutes of the slash command",
        }),
      ),
    );
    expect((await api("GET", `/channels/${channel.id}`)).body.channel.status).toBe("running");
  });
});
