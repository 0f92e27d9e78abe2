// A Discord channel with the gateway on, through the bridge link (a test bridge in place of
// bridge/, the real hub, ChannelDO and adapter): the bridge is asked to open the gateway with the
// bot token alone, READY makes the channel run with its own account, MESSAGE_CREATE batches and
// signed interactions feed one channel, a batch not signed by the bridge is refused, a stop
// closes the gateway, and a bridge that comes back is asked to open it again.
import { afterEach, describe, expect, it } from "vitest";
import type { BridgeEvent } from "../../worker/bridge/protocol";
import { command, createDiscordApp, discordCredentials, discordUser, interact, snowflake, answered, type TestApp } from "../support/discord";
import { api, eventually } from "../support/harness";
import { connectTestBridge, type TestBridge } from "../support/test-bridge";

let bridge: TestBridge | null = null;
afterEach(() => {
  bridge?.close();
  bridge = null;
});

const ready: BridgeEvent = { type: "login", login: { state: "connected", account: { id: "ignored", name: "ignored", details: {} } } };

function gatewayMessage(app: TestApp, content: string, options: { channelId?: string; guildId?: string; mention?: boolean; id?: string } = {}): BridgeEvent {
  return {
    type: "message",
    message: {
      id: options.id ?? snowflake(),
      channel_id: options.channelId ?? "5550000000000000001",
      ...(options.guildId ? { guild_id: options.guildId } : {}),
      author: { id: "7770000000000000001", username: "ada", global_name: "Ada" },
      content: options.mention ? `<@${app.botUserId}> ${content}` : content,
      timestamp: new Date().toISOString(),
      type: 0,
      mentions: options.mention ? [{ id: app.botUserId }] : [],
    },
  };
}

async function gatewayChannel(settings: Record<string, unknown> = {}) {
  const app = await createDiscordApp();
  const created = await api("POST", "/channels", { provider: "discord", workspaceId: "ws_default", credentials: discordCredentials(app), settings: { gateway: true, ...settings } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.channel.id as string;
  bridge ??= await connectTestBridge();
  const started = await api("POST", `/channels/${id}/start`);
  expect(started.body).toEqual({ status: "starting", reason: "the bridge is connecting to Discord" });
  return { id, app };
}

describe("a Discord channel with the gateway", () => {
  it("opens the gateway with the bot token alone and runs once READY, keeping its own account", async () => {
    const { id, app } = await gatewayChannel();
    const [start] = bridge!.commandsFor(id, "start");
    expect(start).toEqual({ op: "start", provider: "discord", credentials: { botToken: app.botToken }, options: { selfChat: false } });
    expect((await bridge!.deliver(id, "discord", [ready]))?.outcome).toBe("stored");
    const channel = (await api("GET", `/channels/${id}`)).body.channel;
    expect(channel).toMatchObject({ status: "running", account: { id: app.botUserId, name: app.username } });
    expect(channel.capabilities.bridgeSocket).toMatchObject({ setting: "gateway", replacesWebhook: false });
  });

  it("takes gateway messages and signed interactions on one channel, and refuses a batch the bridge did not sign", async () => {
    const { id, app } = await gatewayChannel({ dmPolicy: "open" });
    await bridge!.deliver(id, "discord", [ready]);
    const messageId = snowflake();
    expect((await bridge!.deliver(id, "discord", [gatewayMessage(app, "!threads", { id: messageId })]))?.outcome).toBe("stored");
    // The same message again (a replay after a Resume) is stored once.
    await bridge!.deliver(id, "discord", [gatewayMessage(app, "!threads", { id: messageId })]);
    await eventually(async () => {
      const logs = (await api("GET", `/channels/${id}/logs`)).body.logs as { event: string }[];
      expect(logs.some((log) => log.event === "inbound.duplicate")).toBe(true);
    });

    const ask = command(app, discordUser("Grace"), "ask", { question: "slash still works?" });
    const response = await interact({ id, app }, ask);
    expect(response.status).toBe(200);
    const { original } = await answered(ask.token);
    expect(original!.content).toBe("Echo: slash still works?");

    const forged = await bridge!.deliver(id, "discord", [gatewayMessage(app, "hello")], { secret: "not-the-bridge-secret-at-all" });
    expect(forged?.outcome).toBe("rejected");
    expect(forged?.status).toBe(401);
  });

  it("closes the gateway on stop, and asks a returning bridge to open it again", async () => {
    const { id } = await gatewayChannel();
    await bridge!.deliver(id, "discord", [ready]);
    await api("POST", `/channels/${id}/stop`);
    expect(bridge!.commandsFor(id, "stop")).toHaveLength(1);
    await api("POST", `/channels/${id}/start`);
    await bridge!.deliver(id, "discord", [ready]);
    bridge!.close();
    bridge = await connectTestBridge();
    await eventually(async () => expect(bridge!.commandsFor(id, "start")[0]).toMatchObject({ provider: "discord" }));
  });

  it("shows the gateway's own refusal (the Message Content intent) as the channel's error", async () => {
    const { id } = await gatewayChannel();
    await bridge!.deliver(id, "discord", [{ type: "login", login: { state: "disconnected", reason: "Discord refused the Message Content intent (4014)", reconnecting: false } }]);
    expect((await api("GET", `/channels/${id}`)).body.channel).toMatchObject({ status: "error", statusReason: "Discord refused the Message Content intent (4014)" });
  });
});
