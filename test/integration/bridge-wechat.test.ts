// WeChat through the bridge link (a test bridge in place of bridge/, the real hub, ChannelDO and
// adapter): the catalog entry, the QR login and the bot token sealed in D1, the poll cursor and
// context tokens kept as sealed entries and handed back on resume, DMs answered once however
// often a batch comes, long replies split, what is ignored (groups, the bot's own, media), and an
// expired session shown as "relogin needed".
import { env, runInDurableObject } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { BridgeEvent } from "../../worker/bridge/protocol";
import { api, channelLogs, eventually } from "../support/harness";
import { connectTestBridge, type TestBridge } from "../support/test-bridge";

let bridge: TestBridge | null = null;
afterEach(() => {
  bridge?.close();
  bridge = null;
});

let counter = 0;
const newBotId = () => `${Date.now().toString(16)}${(counter += 1)}@im.bot`;
const connected = (botId: string): BridgeEvent => ({ type: "login", login: { state: "connected", account: { id: botId, name: botId, details: { botId } } } });

function wxText(from: string, text: string, extra: Record<string, unknown> = {}): BridgeEvent {
  return {
    type: "message",
    message: { message_id: 9_000_000 + (counter += 1), from_user_id: from, to_user_id: "bot@im.bot", create_time_ms: Date.now(), message_type: 1, item_list: [{ type: 1, text_item: { text } }], ...extra },
  };
}

async function runningWeChat(settings: Record<string, unknown> = { dmPolicy: "open" }, workspaceId = "ws_default"): Promise<string> {
  const created = await api("POST", "/channels", { provider: "wechat", workspaceId, credentials: {}, settings });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.channel.id as string;
  bridge ??= await connectTestBridge();
  expect((await api("POST", `/channels/${id}/start`)).body.status).toBe("awaiting-login");
  await bridge.deliver(id, "wechat", [connected(newBotId())]);
  expect((await api("GET", `/channels/${id}`)).body.channel.status).toBe("running");
  return id;
}

const sentTo = (id: string, to: string) => bridge!.commandsFor(id, "send").flatMap((command) => (command.op === "send" && command.to === to ? [command.text] : []));
const entryNames = (id: string) =>
  runInDurableObject(env.CHANNEL.getByName(id), async (_instance, state) =>
    state.storage.sql.exec<{ name: string; sealed: string }>("SELECT name, sealed FROM credential_entries ORDER BY name").toArray(),
  );

describe("a WeChat channel", () => {
  it("is in the catalog as a QR provider, text only, one-to-one chats", async () => {
    const catalog = await api("GET", "/providers");
    const wechat = catalog.body.providers.find((provider: { id: string }) => provider.id === "wechat");
    expect(wechat).toMatchObject({ label: "WeChat", connection: "qr", available: true, credentialFields: [] });
    expect(wechat.capabilities).toMatchObject({ relogin: true, edits: false, voice: false, typing: false, groupDirectory: false, limits: { maxTextLength: 4000 }, loginHint: expect.stringContaining("Scan") });
  });

  it("logs in with iLink's QR, keeps the bot token sealed, and resumes with it, the cursor and the context tokens", async () => {
    const created = await api("POST", "/channels", { provider: "wechat", workspaceId: "ws_default", credentials: {} });
    const id = created.body.channel.id as string;
    bridge = await connectTestBridge();
    await api("POST", `/channels/${id}/start`);
    await eventually(async () => expect(bridge!.commandsFor(id, "start")[0]).toEqual({ op: "start", provider: "wechat", credentials: {}, options: { selfChat: false } }));
    const qr = "https://liteapp.weixin.qq.com/q/7GiQu1?qrcode=abc&bot_type=3";
    await bridge.deliver(id, "wechat", [{ type: "login", login: { state: "qr", qr, expiresAt: Date.now() + 60_000 } }]);
    expect((await api("GET", `/channels/${id}/qr`)).body).toMatchObject({ qr: { qr }, status: "awaiting-login" });

    const botId = newBotId();
    await bridge.deliver(id, "wechat", [{ type: "credentials", set: { token: "bot-secret-token-1", botId, userId: "owner@im.wechat" }, removed: [], replace: true }, connected(botId)]);
    expect((await api("GET", `/channels/${id}`)).body.channel).toMatchObject({ status: "running", account: { id: botId } });
    const row = await env.DB.prepare("SELECT credentials_enc FROM channels WHERE id = ?").bind(id).first<{ credentials_enc: string }>();
    expect(row!.credentials_enc).toMatch(/^v1\./);
    expect(row!.credentials_enc).not.toContain("bot-secret-token-1");

    await bridge.deliver(id, "wechat", [{ type: "credentials", set: { cursor: "CURSOR-1", "ctx:alice@im.wechat": "CTX-A" }, removed: [], replace: false }]);
    await bridge.deliver(id, "wechat", [{ type: "credentials", set: { cursor: "CURSOR-2" }, removed: [], replace: false }]);
    const entries = await entryNames(id);
    expect(entries.map((entry) => entry.name)).toEqual(["ctx:alice@im.wechat", "cursor"]);
    for (const entry of entries) expect(entry.sealed).not.toMatch(/CURSOR|CTX/);

    bridge.close();
    bridge = await connectTestBridge();
    await eventually(async () => expect(bridge!.commandsFor(id, "start")).toHaveLength(1));
    expect(bridge.commandsFor(id, "start")[0]).toMatchObject({
      credentials: { token: "bot-secret-token-1", botId, userId: "owner@im.wechat", cursor: "CURSOR-2", "ctx:alice@im.wechat": "CTX-A" },
    });
  });

  it("answers a DM at the user's id, once however often the batch is delivered", async () => {
    const id = await runningWeChat();
    const message = wxText("alice@im.wechat", "ni hao");
    const [first, again] = [await bridge!.deliver(id, "wechat", [message]), await bridge!.deliver(id, "wechat", [message])];
    expect([first?.outcome, again?.outcome]).toEqual(["stored", "stored"]);
    await eventually(async () => expect(sentTo(id, "alice@im.wechat")).toEqual(["Echo: ni hao"]));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sentTo(id, "alice@im.wechat")).toHaveLength(1);
    expect((await channelLogs(id)).some((log) => log.event === "inbound.duplicate")).toBe(true);
  });

  it("splits a long reply at 4,000 characters", async () => {
    const id = await runningWeChat();
    const long = "word ".repeat(1800).trim();
    await bridge!.deliver(id, "wechat", [wxText("bob@im.wechat", long)]);
    const chunks = await eventually(async () => {
      const texts = sentTo(id, "bob@im.wechat");
      expect(texts.join("").replace(/\s+/g, " ").length).toBeGreaterThanOrEqual(`Echo: ${long}`.length - 5);
      return texts;
    }, 10_000);
    expect(chunks.length).toBe(3);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(4000);
  });

  it("ignores group messages, the bot's own messages and media without text, and reads voice transcripts", async () => {
    const id = await runningWeChat();
    await bridge!.deliver(id, "wechat", [
      wxText("carol@im.wechat", "in a group", { group_id: "g-1" }),
      wxText("carol@im.wechat", "my own reply", { message_type: 2 }),
      wxText("carol@im.wechat", "", { item_list: [{ type: 2, image_item: { media: {} } }] }),
      wxText("carol@im.wechat", "", { item_list: [{ type: 3, voice_item: { text: "spoken words" } }] }),
    ]);
    await eventually(async () => expect(sentTo(id, "carol@im.wechat")).toEqual(["Echo: spoken words"]));
    const ignored = (await channelLogs(id)).filter((log) => log.event === "inbound.ignored").map((log) => log.message);
    expect(ignored).toEqual(
      expect.arrayContaining([expect.stringContaining("group message"), expect.stringContaining("sent by the bot itself"), expect.stringContaining("no text")]),
    );
  });

  it("rejects a malformed message batch and stores nothing", async () => {
    const id = await runningWeChat();
    const answer = await bridge!.deliver(id, "wechat", [{ type: "message", message: { from_user_id: "dave@im.wechat" } }]);
    expect(answer).toMatchObject({ outcome: "rejected", status: 400 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(bridge!.commandsFor(id, "send")).toEqual([]);
  });

  it("shows an expired session as relogin needed, forgets the token, and Relogin starts a new QR login with the settings kept", async () => {
    const id = await runningWeChat({ dmPolicy: "open", requireMention: false });
    await bridge!.deliver(id, "wechat", [{ type: "credentials", set: { cursor: "C-9" }, removed: [], replace: false }]);
    await bridge!.deliver(id, "wechat", [{ type: "login", login: { state: "logged-out", reason: "the WeChat bot session expired; scan a new QR code" } }]);
    const channel = (await api("GET", `/channels/${id}`)).body.channel;
    expect(channel.status).toBe("error");
    expect(channel.statusReason).toBe("logged out — relogin needed (the WeChat bot session expired; scan a new QR code)");
    expect(await entryNames(id)).toEqual([]);

    expect((await api("POST", `/channels/${id}/relogin`)).body.status).toBe("awaiting-login");
    expect(bridge!.commandsFor(id, "start").at(-1)).toMatchObject({ credentials: {} });
    expect((await api("GET", `/channels/${id}`)).body.channel.settings).toMatchObject({ dmPolicy: "open" });
  });
});
