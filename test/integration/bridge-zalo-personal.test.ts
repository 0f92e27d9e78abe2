// Zalo Personal through the bridge link (a test bridge in place of bridge/, the real hub,
// ChannelDO and adapter): the image QR, the saved login sealed in D1 and handed back, the
// friends/groups directory for the allowlist pickers, the DM allowlist, per-group mentions.
import { env } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import type { BridgeEvent } from "../../worker/bridge/protocol";
import { api, eventually } from "../support/harness";
import "../support/loopback-provider";
import { connectTestBridge, type TestBridge } from "../support/test-bridge";

let bridge: TestBridge | null = null;
afterEach(() => {
  bridge?.close();
  bridge = null;
});

let counter = 0;
const newUid = () => `50${Date.now() % 1e6}${(counter += 1)}`;
const connected = (uid: string): BridgeEvent => ({ type: "login", login: { state: "connected", account: { id: uid, name: "Lan", details: { uid } } } });

function zaloText(options: { from: string; text: string; group?: string; mentions?: string[] }): BridgeEvent {
  return {
    type: "message",
    message: {
      type: options.group ? 1 : 0,
      threadId: options.group ?? options.from,
      isSelf: false,
      data: { msgId: `${Date.now()}${(counter += 1)}`, uidFrom: options.from, dName: "An", ts: String(Date.now()), content: options.text, ...(options.mentions ? { mentions: options.mentions.map((uid) => ({ uid, pos: 0, len: 3, type: 0 })) } : {}) },
    },
  };
}

async function runningZalo(settings: Record<string, unknown> = {}, uid = newUid()): Promise<string> {
  const created = await api("POST", "/channels", { provider: "zalo-personal", workspaceId: "ws_default", credentials: {}, settings });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const id = created.body.channel.id as string;
  bridge ??= await connectTestBridge();
  await api("POST", `/channels/${id}/start`);
  await bridge.deliver(id, "zalo-personal", [connected(uid)]);
  expect((await api("GET", `/channels/${id}`)).body.channel.status).toBe("running");
  return id;
}

const sentTo = (id: string, to: string) => bridge!.commandsFor(id, "send").flatMap((command) => (command.op === "send" && command.to === to ? [command.text] : []));

describe("a Zalo Personal channel", () => {
  it("shows the image QR, keeps the saved login sealed in D1, and resumes with it", async () => {
    const created = await api("POST", "/channels", { provider: "zalo-personal", workspaceId: "ws_default", credentials: {} });
    const id = created.body.channel.id as string;
    bridge = await connectTestBridge();
    await api("POST", `/channels/${id}/start`);
    const image = "data:image/png;base64,iVBORw0KGgo=";
    await bridge.deliver(id, "zalo-personal", [{ type: "login", login: { state: "qr", qr: "code-1", expiresAt: Date.now() + 60_000, image } }]);
    expect((await api("GET", `/channels/${id}/qr`)).body.qr).toMatchObject({ qr: "code-1", image });

    const uid = newUid();
    await bridge.deliver(id, "zalo-personal", [{ type: "credentials", set: { cookie: '[{"key":"zpw_sek"}]', imei: "imei-9", userAgent: "UA" }, removed: [], replace: true }, connected(uid)]);
    expect((await api("GET", `/channels/${id}`)).body.channel).toMatchObject({ status: "running", account: { id: uid, name: "Lan" } });
    const row = await env.DB.prepare("SELECT credentials_enc FROM channels WHERE id = ?").bind(id).first<{ credentials_enc: string }>();
    expect(row!.credentials_enc).toMatch(/^v1\./);
    expect(row!.credentials_enc).not.toContain("zpw_sek");

    bridge.close();
    bridge = await connectTestBridge();
    await eventually(async () => expect(bridge!.commandsFor(id, "start")).toHaveLength(1));
    expect(bridge.commandsFor(id, "start")[0]).toMatchObject({ provider: "zalo-personal", credentials: { cookie: '[{"key":"zpw_sek"}]', imei: "imei-9", userAgent: "UA" } });
  });

  it("serves the account's friends and groups as a directory", async () => {
    const id = await runningZalo();
    bridge!.handler = (_channel, command) =>
      command.op === "directory" ? { ok: true, value: { users: [{ id: "7001", name: "An" }], groups: [{ id: "9001", name: "Ops team" }] } } : undefined;
    expect((await api("GET", `/channels/${id}/directory`)).body).toEqual({ directory: { users: [{ id: "7001", name: "An" }], groups: [{ id: "9001", name: "Ops team" }] } });
    bridge!.close();
    bridge = null;
    await eventually(async () => expect((await api("GET", `/channels/${id}/directory`)).status).toBe(503));
    const catalog = await api("GET", "/providers");
    expect(catalog.body.providers.find((provider: { id: string }) => provider.id === "zalo-personal").capabilities).toMatchObject({ groupDirectory: true, relogin: true, edits: false });
  });

  it("lets in DM users picked from the directory, and applies per-group mention requirements", async () => {
    const uid = newUid();
    const id = await runningZalo({ dmPolicy: "allowlist", allowedUsers: ["7001"], groupPolicy: "allowlist", allowedGroups: ["9001", "9002"], requireMention: true, groupRequireMention: { "9002": false } }, uid);
    await bridge!.deliver(id, "zalo-personal", [
      zaloText({ from: "7001", text: "hello" }),
      zaloText({ from: "7003", text: "who am i" }),
      zaloText({ from: "7002", group: "9001", text: "no mention here" }),
      zaloText({ from: "7002", group: "9001", text: "@Lan ping", mentions: [uid] }),
      zaloText({ from: "7002", group: "9002", text: "family chat" }),
    ]);
    await eventually(async () => {
      expect(sentTo(id, "u:7001")).toEqual(["Echo: hello"]);
      expect(sentTo(id, "g:9001")).toEqual(["Echo: @Lan ping"]);
      expect(sentTo(id, "g:9002")).toEqual(["Echo: family chat"]);
      expect(sentTo(id, "u:7003")).toHaveLength(1);
    });
    expect(sentTo(id, "u:7003")[0]).not.toContain("Echo");
  });

  it("has no directory for a token provider", async () => {
    const created = await api("POST", "/channels", { provider: "loopback", workspaceId: "ws_default", credentials: { secret: "loopback-secret", account: `acct${Date.now()}` } });
    expect((await api("GET", `/channels/${created.body.channel.id}/directory`)).status).toBe(400);
  });
});
