// Discord from the operator's side, against the fake Discord API: credential test, start
// (command registration), the portal's PING, signature checks, setup guide, probe, stop.
import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { discordAdapter } from "../../worker/providers/discord/adapter";
import type { ChannelContext } from "../../worker/providers/types";
import { api, channelLogs, eventually, inChannelStore } from "../support/harness";
import {
  command,
  createDiscordApp,
  discordCalls,
  dmMessages,
  discordCredentials,
  discordUser,
  interact,
  pasteEndpointUrl,
  registeredCommands,
  shown,
  snowflake,
  startDiscordChannel,
} from "../support/discord";

const COMMANDS = ["ask", "start", "new", "threads", "switch", "more", "help"];

async function inboxSize(channelId: string): Promise<number> {
  return runInDurableObject(env.CHANNEL.getByName(channelId), (_instance, state) =>
    state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM inbox").one().n,
  );
}

describe("Discord credentials", () => {
  it("Test checks the bot token, that the application id is the bot's, and the public key", async () => {
    const app = await createDiscordApp();
    const good = await api("POST", "/channels/test", { provider: "discord", credentials: discordCredentials(app) });
    expect(good).toEqual({ status: 200, body: { ok: true, account: { id: app.botUserId, name: app.username } } });

    const otherApp = await api("POST", "/channels/test", { provider: "discord", credentials: discordCredentials(app, { applicationId: snowflake() }) });
    expect(otherApp.status).toBe(400);
    expect(otherApp.body.error).toBe(`credential rejected: the application id does not match this bot's application (${app.applicationId})`);

    const otherKey = await api("POST", "/channels/test", { provider: "discord", credentials: discordCredentials(app, { publicKey: "cd".repeat(32) }) });
    expect(otherKey.body.error).toMatch(/public key does not match/);

    const revoked = await api("POST", "/channels/test", { provider: "discord", credentials: discordCredentials(app, { botToken: `${app.botToken}x` }) });
    expect(revoked).toEqual({ status: 400, body: { error: "credential rejected: Discord GET /users/@me: 401: Unauthorized" } });

    const malformed = await api("POST", "/channels/test", { provider: "discord", credentials: discordCredentials(app, { publicKey: "not-hex" }) });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error).toMatch(/^Public key: /);
  });

  it("is in the catalog with its fields and capabilities, and no longer 'coming soon'", async () => {
    const { body } = await api("GET", "/providers");
    const discord = body.providers.find((provider: { id: string }) => provider.id === "discord");
    expect(discord).toMatchObject({ available: true, label: "Discord", connection: "token" });
    expect(discord.credentialFields.map((field: { name: string }) => field.name)).toEqual(["botToken", "applicationId", "publicKey", "guildId"]);
    expect(discord.capabilities).toMatchObject({ commandSyntax: "slash", limits: { maxTextLength: 2000, editIntervalMs: 1000 }, edits: true, typing: true, probe: true, manualSetup: true, threadedReplies: false, voice: false });
  });
});

describe("Discord start", () => {
  it("registers the seven commands globally, waits for the portal's PING, then runs", async () => {
    const app = await createDiscordApp();
    const created = await api("POST", "/channels", { provider: "discord", workspaceId: "ws_default", credentials: discordCredentials(app) });
    const channel = { id: created.body.channel.id as string, app };
    const started = await api("POST", `/channels/${channel.id}/start`);
    expect(started.body).toEqual({ status: "starting", reason: "waiting for Discord to call the webhook URL (see the setup steps)" });
    const global = await registeredCommands(app);
    expect(global!.map((item) => item.name)).toEqual(COMMANDS);
    expect(global!.every((item) => JSON.stringify(item.contexts) === "[0,1]")).toBe(true);
    expect(await registeredCommands(app, "guild:1101384956610297906")).toBeNull();

    const setup = await api("GET", `/channels/${channel.id}/setup`);
    const url = `https://switchboard.example/webhooks/discord/${channel.id}`;
    expect(setup.body.webhookUrl).toBe(url);
    expect(setup.body.guide.steps.join("\n")).toContain(`Interactions Endpoint URL: paste ${url}`);
    expect(setup.body.guide.artifact).toEqual({
      label: "Invite URL",
      format: "text",
      content: `https://discord.com/oauth2/authorize?client_id=${app.applicationId}&scope=bot%20applications.commands&permissions=274877975552&integration_type=0`,
    });

    await pasteEndpointUrl(channel);
    expect((await api("GET", `/channels/${channel.id}`)).body.channel).toMatchObject({ status: "running", statusReason: null });
  });

  it("with a server id, registers the commands in that server and globally for DMs only", async () => {
    const guildId = snowflake();
    const channel = await startDiscordChannel({ guildId });
    expect((await registeredCommands(channel.app, `guild:${guildId}`))!.map((item) => item.name)).toEqual(COMMANDS);
    const global = (await registeredCommands(channel.app))!;
    expect(global.map((item) => item.name)).toEqual(COMMANDS);
    expect(global.every((item) => JSON.stringify(item.contexts) === "[1]")).toBe(true);
  });
});

describe("Discord interactions endpoint", () => {
  it("401s a wrong or missing signature and stores nothing", async () => {
    const channel = await startDiscordChannel({ settings: { dmPolicy: "open" } });
    const ask = command(channel.app, discordUser(), "ask", { question: "hi" });
    expect(await interact(channel, ask, "wrong")).toEqual({ status: 401, ack: { error: "unauthorized" } });
    expect(await interact(channel, ask, "none")).toEqual({ status: 401, ack: { error: "unauthorized" } });
    expect(await inboxSize(channel.id)).toBe(0);
    expect((await channelLogs(channel.id, "warn")).filter((log) => log.event === "inbound.rejected")).toHaveLength(1); // repeats within a minute are counted, not written again;
    expect((await discordCalls(channel.app)).filter((call) => call.route.includes("/webhooks/"))).toEqual([]);
  });

  it("a probe reports an Interactions Endpoint URL that points elsewhere", async () => {
    const channel = await startDiscordChannel();
    await fetch(`${env.FAKES_BASE}/discord/__control/endpoint`, { method: "POST", body: JSON.stringify({ applicationId: channel.app.applicationId, url: "https://elsewhere.example/interactions" }) });
    // The start helper's read probed already; reads probe at most every 30 s.
    await inChannelStore(channel.id, (store) => store.put("lastProbeAt", 0));
    expect((await api("GET", `/channels/${channel.id}`)).body.channel).toMatchObject({
      status: "error",
      statusReason: "Discord sends interactions to another URL: https://elsewhere.example/interactions",
    });
    // Pasted back, the next interaction shows that deliveries arrive again.
    await pasteEndpointUrl(channel);
    expect((await interact(channel, command(channel.app, discordUser(), "help"))).status).toBe(200);
    await eventually(async () => expect((await api("GET", "/channels")).body.channels.find((item: { id: string }) => item.id === channel.id).status).toBe("running"));
  });

  it("stopped: interactions get a polite private 'not available', and nothing is processed", async () => {
    const channel = await startDiscordChannel({ settings: { dmPolicy: "open" } });
    expect((await api("POST", `/channels/${channel.id}/stop`)).body.status).toBe("stopped");
    const ask = command(channel.app, discordUser(), "ask", { question: "anyone there?" });
    const { status, ack } = await interact(channel, ask);
    expect(status).toBe(200);
    expect(ack).toEqual({ type: 4, data: { content: "This assistant is not available right now. Please try again later.", flags: 64 } });
    expect(await inboxSize(channel.id)).toBe(0);
    expect(await channelLogs(channel.id)).toContainEqual(expect.objectContaining({ event: "inbound.dropped", message: "Dropped: the channel is stopped" }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await shown(ask.token)).followups).toEqual([]);
    // The portal's PING is still answered, so the endpoint URL stays valid.
    expect((await interact(channel, { id: snowflake(), application_id: channel.app.applicationId, type: 1, token: "ping", version: 1 })).ack).toEqual({ type: 1 });
  });
});

describe("Discord channel addresses (the gateway path)", () => {
  it("post to the channel with a reply reference, edit there, and show typing", async () => {
    const app = await createDiscordApp();
    const user = discordUser();
    const context: ChannelContext = {
      channelId: "ch_gateway",
      credentials: discordCredentials(app),
      webhookSecret: "unused",
      account: { id: app.botUserId, name: app.username, details: {} },
      env,
    };
    const dm = await fetch(`${env.DISCORD_API_BASE}/users/@me/channels`, {
      method: "POST",
      headers: { authorization: `Bot ${app.botToken}`, "content-type": "application/json" },
      body: JSON.stringify({ recipient_id: user.id }),
    });
    const { id: channelId } = (await dm.json()) as { id: string };

    const { messageId } = await discordAdapter.sendText(context, { address: `c:${channelId}`, text: "first draft", replyTo: "1290516383457919017" });
    await discordAdapter.editText!(context, `c:${channelId}`, messageId, "final text");
    await discordAdapter.sendTyping!(context, `c:${channelId}`);
    expect((await dmMessages(app, user)).messages).toEqual([expect.objectContaining({ id: messageId, content: "final text", edits: 1 })]);
    const [post] = await discordCalls(app, "POST /channels/:channel/messages");
    expect(post!.body).toEqual({ content: "first draft", allowed_mentions: { parse: [] }, message_reference: { message_id: "1290516383457919017", fail_if_not_exists: false } });
    expect(await discordCalls(app, "POST /channels/:channel/typing")).toHaveLength(1);
  });
});
