// A Slack channel in the browser: the wizard's fields come from the provider, Start leaves the
// channel "starting" with the Request URL, the steps and the app manifest to copy, and Slack's
// first signed call (url_verification) turns it running. Operations and settings follow the
// provider's capabilities: no Relogin, no voice setting.
import { createHmac, randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closePage, openPage, type BrowserPage } from "./support/page";
import { screenshot } from "./support/screenshots";

const baseUrl = inject("appBaseUrl");
const adminToken = inject("appAdminToken");
const fakesBase = inject("browserFakesBase");
const WAIT = { timeout: 10_000 };

let opened: BrowserPage;
let page: Page;

beforeAll(async () => {
  opened = await openPage();
  page = opened.page;
});

afterAll(() => closePage(opened));

const id = randomUUID().replaceAll("-", "").slice(0, 8).toUpperCase();
const bot = { token: `xoxb-1-${randomUUID()}`, teamId: `T${id}`, team: "Acme", userId: `U${id}`, botId: `B${id}`, name: "acmebot" };
const signingSecret = randomUUID().replaceAll("-", "");

describe("Slack in the admin UI", () => {
  it("adds a Slack channel and shows what to paste into Slack's console", async () => {
    await fetch(`${fakesBase}/slack/__control/bots`, { method: "POST", body: JSON.stringify(bot) });
    await page.goto(`${baseUrl}/channels/new`);
    await page.getByLabel("Admin token").fill(adminToken);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Choose a platform" }).waitFor(WAIT);
    await page.getByText("Slack", { exact: true }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel(/Display name/).fill("Acme Slack");
    await page.getByRole("button", { name: "Next" }).click();

    await page.getByLabel("Bot token").fill(bot.token);
    await page.getByLabel("Signing secret").fill(signingSecret);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await page.getByText(`accepted the credential: ${bot.name}`).waitFor(WAIT);
    await page.getByRole("button", { name: "Create channel" }).click();
    await page.getByRole("button", { name: "Start", exact: true }).click();
    await page.locator('[data-status="starting"]').first().waitFor(WAIT);
    await page.getByText(/waiting for Slack to call the webhook URL/).first().waitFor(WAIT);

    const url = (await page.locator("[data-webhook-url]").textContent())!.trim();
    expect(url).toMatch(new RegExp(`^${baseUrl}/webhooks/slack/ch_[a-z0-9]+$`));
    await page.getByRole("heading", { name: "Connect Slack" }).waitFor(WAIT);
    await page.locator("summary", { hasText: "App manifest" }).click();
    const manifest = JSON.parse((await page.locator("[data-setup-artifact]").textContent())!);
    expect(manifest.settings.event_subscriptions.request_url).toBe(url);
    expect(manifest.oauth_config.scopes.bot).toContain("chat:write");
    await page.getByRole("button", { name: "Copy URL" }).waitFor(WAIT);
    await screenshot(page, "slack-setup");

    // Slack verifies the Request URL with a signed challenge: the channel then runs.
    const body = JSON.stringify({ token: "legacy", challenge: "c-123", type: "url_verification" });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `v0=${createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
    const answer = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-slack-request-timestamp": timestamp, "x-slack-signature": signature }, body });
    expect(await answer.json()).toEqual({ challenge: "c-123" });

    await page.getByRole("button", { name: "Open channel" }).click();
    await page.getByRole("heading", { name: "Acme Slack", level: 1 }).waitFor(WAIT);
    await page.locator('[data-status="running"]').first().waitFor(WAIT);
    await page.getByRole("heading", { name: "Connect Slack" }).waitFor(WAIT);
    expect(await page.getByRole("button", { name: /Relogin/ }).count()).toBe(0);
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByText("Require mention").waitFor(WAIT);
    expect(await page.getByText("Voice replies").count()).toBe(0);
  });

  it("creates a Socket Mode channel: the app-level token instead of the signing secret, a manifest without URL, and the choice on the channel page", async () => {
    const tag = randomUUID().replaceAll("-", "").slice(0, 8).toUpperCase();
    const socketBot = { token: `xoxb-2-${randomUUID()}`, teamId: `T${tag}`, team: "Acme", userId: `U${tag}`, botId: `B${tag}`, name: "socketbot" };
    const appToken = `xapp-1-A${tag}-1-${randomUUID().replaceAll("-", "")}`;
    await fetch(`${fakesBase}/slack/__control/bots`, { method: "POST", body: JSON.stringify(socketBot) });
    // The fake Web API answers apps.connections.open for this token (Test, then Create).
    const open = { status: 200, body: { ok: true, url: "wss://wss-primary.slack.example/link/?ticket=t" } };
    await fetch(`${fakesBase}/slack/__control/faults`, { method: "POST", body: JSON.stringify({ token: appToken, method: "apps.connections.open", responses: [open, open] }) });

    await page.goto(`${baseUrl}/channels/new`);
    await page.getByRole("heading", { name: "Choose a platform" }).waitFor(WAIT);
    await page.getByText("Slack", { exact: true }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel(/Display name/).fill("Socket Slack");
    await page.getByRole("button", { name: "Next" }).click();

    await page.getByLabel("Signing secret").waitFor(WAIT);
    expect(await page.getByLabel("App-level token", { exact: true }).count()).toBe(0);
    await page.getByLabel(/Socket Mode/).check();
    expect(await page.getByLabel("Signing secret", { exact: true }).count()).toBe(0);
    await page.getByLabel("Bot token").fill(socketBot.token);
    await page.getByLabel("App-level token", { exact: true }).fill(appToken);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await page.getByText(`accepted the credential: ${socketBot.name}`).waitFor(WAIT);
    await screenshot(page, "slack-socket-mode-wizard");
    await page.getByRole("button", { name: "Create channel" }).click();
    await page.getByRole("button", { name: "Open channel" }).waitFor(WAIT);
    await page.locator("summary", { hasText: "App manifest" }).click();
    const manifest = JSON.parse((await page.locator("[data-setup-artifact]").textContent())!);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.request_url).toBeUndefined();

    await page.getByRole("button", { name: "Open channel" }).click();
    await page.getByRole("heading", { name: "Socket Slack", level: 1 }).waitFor(WAIT);
    await page.getByRole("tab", { name: "Settings" }).click();
    const choice = page.locator("[data-socket-setting]");
    await choice.waitFor(WAIT);
    expect(await choice.getByRole("checkbox").isChecked()).toBe(true);
    await choice.getByLabel("App-level token", { exact: true }).waitFor(WAIT);
  });
});
