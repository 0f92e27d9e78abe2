// End to end: the real Worker (`wrangler dev`, local D1 and Durable Objects) and the real bridge
// process (bridge/dist/main.js), with WhatsApp faked inside the bridge (support/fake-drivers.ts,
// driven over the process's IPC channel). The QR login through the admin API, a reply, a bridge
// killed and restarted on an empty disk that resumes without a QR, a bridge killed mid-stream
// whose queue delivers every message once, and a logout that is not retried.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { BridgeProcess } from "./support/bridge-process.ts";
import { startE2eRig, type E2eRig } from "./support/e2e-rig.ts";

let rig: E2eRig;
beforeAll(async () => {
  rig = await startE2eRig("bridge-e2e");
});
afterAll(() => rig?.stop());
afterEach(() => rig.killBridges());

const spawnBridge = (dataDir?: string): BridgeProcess => rig.spawnBridge(dataDir);
const api = <T = any>(method: string, path: string, body?: unknown) => rig.api<T>(method, path, body);

async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const newPhone = () => `1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
const status = async (id: string) => (await api("GET", `/channels/${id}`)).body.channel as { status: string; statusReason: string | null; account: { id: string } };

/** A WhatsApp channel logged in through the QR flow: created, started, QR shown, scanned. */
async function loggedIn(bridge: BridgeProcess, phone: string, workspaceId = "ws_default") {
  const created = await api("POST", "/channels", { provider: "whatsapp", workspaceId, credentials: {}, settings: { dmPolicy: "open" } });
  expect(created.status).toBe(201);
  const id = created.body.channel.id as string;
  bridge.drive({ op: "phone", channelId: id, phone });
  expect((await api("POST", `/channels/${id}/start`)).body.status).toBe("awaiting-login");
  const qr = await until(async () => (await api("GET", `/channels/${id}/qr`)).body.qr, 15_000, "a QR in the admin API").catch((error: Error) => {
    throw new Error(`${error.message}\n--- bridge output ---\n${bridge.output.join("").slice(-3000)}`);
  });
  expect(qr.qr).toMatch(/^2@ref1,/);
  bridge.drive({ op: "scan", channelId: id });
  await until(async () => (await status(id)).status === "running", 15_000, "running after the scan");
  return id;
}

describe("WhatsApp through the real Worker and the real bridge process", () => {
  it("logs in with a QR, answers, and resumes without a QR after the bridge is killed and restarted on an empty disk", async () => {
    const phone = newPhone();
    const first = spawnBridge();
    const id = await loggedIn(first, phone);
    expect((await status(id)).account.id).toBe(phone);

    first.drive({ op: "deliver", channelId: id, from: "15557770001@s.whatsapp.net", text: "hello", id: "E2E-1" });
    await until(() => first.sent(id).includes("Echo: hello"), 15_000, "the reply");

    await first.kill();
    const startedAt = Date.now();
    const second = spawnBridge(); // a new container: nothing on disk
    await until(() => second.sockets(id).length > 0, 15_000, "a socket in the new bridge");
    await until(async () => (await status(id)).status === "running", 15_000, "running again");
    const resumeMs = Date.now() - startedAt;
    expect(second.sockets(id)[0]!.resumed).toBe(true);
    expect((await api("GET", `/channels/${id}/qr`)).body.qr).toBeNull();
    console.info(`resume after a bridge restart: ${resumeMs} ms (process start, link, session, connected)`);

    second.drive({ op: "deliver", channelId: id, from: "15557770001@s.whatsapp.net", text: "still there?", id: "E2E-2" });
    await until(() => second.sent(id).includes("Echo: still there?"), 15_000, "the reply after the restart");
    const logs = (await api("GET", `/channels/${id}/logs`)).body.logs as { event: string; message: string }[];
    expect(logs.some((log) => log.event === "channel.resumed" && log.message.includes("resuming the saved session"))).toBe(true);
  });

  it("answers every message once when the bridge dies mid-stream and comes back with its queue", async () => {
    const slow = await api("POST", "/workspaces", { name: `Slow ${Date.now()}`, backend: "echo", config: { delayMs: 1500 } });
    const dataDir = rig.dataDir();
    const first = spawnBridge(dataDir);
    const id = await loggedIn(first, newPhone(), slow.body.workspace.id);
    const texts = Array.from({ length: 8 }, (_, n) => `message ${n}`);
    texts.forEach((text, n) => first.drive({ op: "deliver", channelId: id, from: `1555888000${n}@s.whatsapp.net`, text, id: `MID-${n}` }));
    await until(() => first.reports.filter((report) => report.type === "delivered").length === texts.length, 10_000, "the bridge took every message");
    await first.kill(); // mid-stream: some batches acknowledged, some in flight, some only on disk

    const second = spawnBridge(dataDir);
    await until(() => texts.every((text) => [...first.sent(id), ...second.sent(id)].includes(`Echo: ${text}`)), 25_000, "every answer");
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const answers = [...first.sent(id), ...second.sent(id)].filter((text) => text.startsWith("Echo: message"));
    expect(answers.sort()).toEqual(texts.map((text) => `Echo: ${text}`).sort());
  });

  it("stops on a logout from the phone and does not reconnect", async () => {
    const bridge = spawnBridge();
    const id = await loggedIn(bridge, newPhone());
    const sockets = bridge.sockets(id).length;
    bridge.drive({ op: "close", channelId: id, code: 401 });
    await until(async () => (await status(id)).status === "error", 10_000, "the error status");
    expect((await status(id)).statusReason).toBe("logged out — relogin needed (the phone unlinked this device)");
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(bridge.sockets(id)).toHaveLength(sockets);
  });
});

describe("Zalo Personal through the real Worker and the real bridge process", () => {
  it("logs in with the image QR, answers, lists the directory, and resumes from the saved login after a restart", async () => {
    const first = spawnBridge();
    const created = await api("POST", "/channels", { provider: "zalo-personal", workspaceId: "ws_default", credentials: {}, settings: { dmPolicy: "open" } });
    const id = created.body.channel.id as string;
    expect((await api("POST", `/channels/${id}/start`)).body.status).toBe("awaiting-login");
    const qr = await until(async () => (await api("GET", `/channels/${id}/qr`)).body.qr, 15_000, "the Zalo QR");
    expect(qr.image).toMatch(/^data:image\/png;base64,/);
    first.drive({ op: "zalo-confirm", channelId: id });
    await until(async () => (await status(id)).status === "running", 15_000, "running after the login");
    expect((await status(id)).account.id).toBe("5000777");

    first.drive({ op: "zalo-deliver", channelId: id, from: "7001", text: "xin chào", msgId: "900001" });
    await until(() => first.sent(id).includes("Echo: xin chào"), 15_000, "the reply");
    expect((await api("GET", `/channels/${id}/directory`)).body.directory.groups).toEqual([
      { id: "9001", name: "Ops team" },
      { id: "9002", name: "Family" },
    ]);

    await first.kill();
    const second = spawnBridge();
    await until(async () => (await status(id)).status === "running" && second.reports.some((report) => report.type === "zalo-login"), 15_000, "running again");
    expect(second.reports.filter((report) => report.type === "zalo-login").map((report) => (report as { how: string }).how)).toEqual(["saved"]);
  });
});
