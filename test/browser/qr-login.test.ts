// The QR login in a real browser: Add channel → WhatsApp → the
// QR drawn in the page and renewed as it rotates → the phone links → Save & Start → the channel
// runs; Relogin shows a new QR on the channel page, settings kept. The Worker runs under
// `wrangler dev` and the real bridge process holds the session, with WhatsApp faked inside it.
// WeChat the same way, its real session talking to the fake iLink API started here.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { buildBridgeWithFakes, spawnBridge, type BridgeProcess } from "../bridge/support/bridge-process";
import { startFakeProviders, type FakeProviders } from "../fakes/server";
import { launchBrowser } from "./support/browser";
import { screenshot } from "./support/screenshots";

const baseUrl = inject("appBaseUrl");
const adminToken = inject("appAdminToken");
const WAIT = { timeout: 15_000 };
const PHONE = "15553330001";

let browser: Browser;
let page: Page;
let bridge: BridgeProcess;
let dataDir: string;
let driversModule: string;
let fakes: FakeProviders;

beforeAll(async () => {
  fakes = await startFakeProviders();
  fakes.wechat.qrHoldMs = 300;
  driversModule = await buildBridgeWithFakes("browser-fake-drivers");
  dataDir = mkdtempSync(join(tmpdir(), "bridge-browser-"));
  bridge = spawnBridge({ workerUrl: baseUrl, secret: inject("appBridgeSecret"), dataDir, driversModule, env: { WECHAT_API_BASE: fakes.wechatApiBase } });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: "reduce" })).newPage();
});

afterAll(async () => {
  await browser?.close();
  await bridge?.kill();
  await fakes?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(driversModule, { force: true });
});

/** The channel id in the page's URL (/channels/<id>…). */
const channelIdOf = (url: string) => /\/channels\/(ch_[a-z0-9]+)/.exec(url)?.[1];

async function qrText(provider = "WhatsApp"): Promise<string> {
  const qr = page.getByRole("img", { name: `${provider} login QR code` });
  await qr.waitFor(WAIT);
  return (await qr.getAttribute("data-qr"))!;
}

describe("QR login", () => {
  let channelId: string;

  it("links a WhatsApp account from the wizard: the QR in the page, renewed, then Save & Start", async () => {
    await page.goto(baseUrl);
    await page.getByLabel("Admin token").fill(adminToken);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor(WAIT);
    await page.goto(`${baseUrl}/channels/new`);
    await page.getByText("WhatsApp", { exact: true }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel(/Display name/).fill("Ops WhatsApp");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Link the phone (QR login)" }).waitFor(WAIT);
    await page.getByRole("button", { name: "Next: QR login" }).click();

    const first = await qrText();
    expect(first).toMatch(/^2@ref1,/);
    // The QR is drawn in the page: an inline SVG, nothing fetched.
    expect(await page.locator("svg.qr-code path").count()).toBe(1);
    await page.getByText(/Linked devices/).first().waitFor(WAIT);
    expect(await page.getByRole("button", { name: "Save & Start" }).isDisabled()).toBe(true);

    // The page learns the channel id from the API, like the wizard does.
    const response = await page.request.get(`${baseUrl}/api/channels`, { headers: { authorization: `Bearer ${adminToken}` } });
    const { channels } = (await response.json()) as { channels: { id: string; displayName: string | null }[] };
    channelId = channels.find((channel) => channel.displayName === "Ops WhatsApp")!.id;
    bridge.drive({ op: "phone", channelId, phone: PHONE });
    await screenshot(page, "wizard-qr");

    // WhatsApp rotates the QR: the page shows the new one by itself.
    bridge.drive({ op: "rotate", channelId });
    await page.locator(`svg.qr-code:not([data-qr="${first}"])`).waitFor(WAIT);
    expect(await qrText()).toMatch(/^2@ref2,/);

    bridge.drive({ op: "scan", channelId });
    await page.getByText(`Linked: +${PHONE}`).waitFor(WAIT);
    await page.getByRole("button", { name: "Save & Start" }).click();
    await page.waitForURL(/\/channels\/ch_/, WAIT);
    expect(channelIdOf(page.url())).toBe(channelId);
    await page.locator(".facts").getByText("Running").waitFor(WAIT);
    await page.getByText(`+${PHONE}`).first().waitFor(WAIT);
  });

  it("Relogin shows a new QR on the channel page, and the channel keeps its name", async () => {
    await page.getByRole("button", { name: "Relogin Ops WhatsApp" }).click();
    const renewed = await qrText();
    expect(renewed).toMatch(/^2@ref/);
    await page.getByText("Awaiting login").first().waitFor(WAIT);
    bridge.drive({ op: "scan", channelId });
    await page.locator(".facts").getByText("Running").waitFor(WAIT);
    await page.getByRole("heading", { name: /Ops WhatsApp/ }).waitFor(WAIT);
  });
});

describe("WeChat QR login", () => {
  it("binds a WeChat account from the wizard: iLink's QR drawn in the page, renewed when it expires, then Save & Start", async () => {
    await page.goto(`${baseUrl}/channels/new`);
    await page.getByText("WeChat", { exact: true }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel(/Display name/).fill("Ops WeChat");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next: QR login" }).click();

    const first = await qrText("WeChat");
    expect(first).toBe(fakes.wechat.latestQr()!.imageContent);
    await page.getByText(/tap \+ → Scan/).first().waitFor(WAIT);
    expect(await page.getByRole("button", { name: "Save & Start" }).isDisabled()).toBe(true);

    // The code expires unscanned: the bridge asks iLink for a new one and the page shows it.
    fakes.wechat.expireQr(first);
    await page.locator(`svg.qr-code:not([data-qr="${first}"])`).waitFor(WAIT);
    const renewed = await qrText("WeChat");
    fakes.wechat.scan(renewed);
    const bot = fakes.wechat.confirm({ shown: renewed });
    await page.getByText(`Linked: ${bot.botId}`).waitFor(WAIT);
    await page.getByRole("button", { name: "Save & Start" }).click();
    await page.waitForURL(/\/channels\/ch_/, WAIT);
    await page.locator(".facts").getByText("Running").waitFor(WAIT);
    expect(bot.polls.length).toBeGreaterThan(0);
  });
});
