// What tripped a new operator up, in the browser: a stale red error beside a fresh ✓ and the same
// error twice with an internal path; a speech key shown as configured when none was set; voice
// replies turned on without a working voice engine; the Logs tab cut off at phone width; a user
// who sent a bad invite code waiting with no way to approve them.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { closePage, openPage, type BrowserPage } from "./support/page";
import { FakeTelegramControl, type Bot } from "./support/fake-telegram";

const baseUrl = inject("appBaseUrl");
const adminToken = inject("appAdminToken");
const telegram = new FakeTelegramControl(inject("browserFakesBase"));
const WAIT = { timeout: 10_000 };

let opened: BrowserPage;
let page: Page;

beforeAll(async () => {
  opened = await openPage(undefined, WAIT.timeout);
  page = opened.page;
  await page.goto(`${baseUrl}/workspaces/new`);
  await page.getByLabel("Admin token").fill(adminToken);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "New workspace", level: 1 }).waitFor(WAIT);
});

afterAll(() => closePage(opened));

const apiCall = (method: string, path: string, body?: unknown) =>
  fetch(`${baseUrl}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  }).then((response) => response.json() as Promise<any>);

describe("what a newcomer hit", () => {
  let channelId: string;
  let voiceBot: Bot;

  it("a speech key shows as configured only when it was set; voice replies warn without a working engine", async () => {
    await page.getByLabel("Name", { exact: true }).fill("Voice desk");
    await page.getByLabel("Backend").selectOption("openai");
    await page.getByLabel(/Base URL/).fill("https://llm.example/v1");
    await page.getByLabel(/^Model/).fill("m");
    await page.getByLabel(/^API key/).fill("sk-chat");
    await page.getByLabel(/Voice engine/).selectOption("openai");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.getByRole("heading", { name: "Voice desk", level: 1 }).waitFor(WAIT);
    expect(await page.getByLabel(/^API key/).getAttribute("placeholder")).toBe("Configured — leave empty to keep");
    expect(await page.getByLabel(/Speech API key/).getAttribute("placeholder")).toBeNull();

    voiceBot = await telegram.createBot("Voice");
    const created = await apiCall("POST", "/channels", { provider: "telegram", workspaceId: page.url().split("/workspaces/")[1], credentials: { botToken: voiceBot.token } });
    channelId = created.channel.id;
    await page.goto(`${baseUrl}/channels/${channelId}/settings`);
    await page.getByRole("checkbox", { name: /Voice replies/ }).check();
    await page.locator("[data-voice-warning]").getByText(/Voice notes will not be sent: the openai voice engine has no API key/).waitFor(WAIT);
  });

  it("the wizard shows one current answer: no stale red error beside a fresh ✓, no internal field path", async () => {
    const bot = await telegram.createBot("Fresh");
    await page.goto(`${baseUrl}/channels/new`);
    await page.getByText("Telegram", { exact: true }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Bot token").fill("not a token");
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await page.getByText(/a Telegram bot token looks like/).first().waitFor(WAIT);
    await page.getByRole("button", { name: "Create channel" }).click();
    await expect.poll(() => page.getByText(/a Telegram bot token looks like/).count(), WAIT).toBe(1);
    expect(await page.getByText(/credentials\.botToken/).count()).toBe(0);
    await page.getByText(/^✗ Bot token: /).waitFor(WAIT);

    await page.getByLabel("Bot token").fill(bot.token);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await page.getByText(`accepted the credential: ${bot.username}`).waitFor(WAIT);
    expect(await page.locator(".error-text, .banner-error").count()).toBe(0);
  });

  it("a user who sent a bad invite code can be approved from Users", async () => {
    await apiCall("POST", `/channels/${channelId}/start`);
    const bob = { id: 5_151_001, username: "bob_b", first_name: "Bob" };
    expect(await telegram.deliverText(voiceBot, bob, "/start BADCODE9")).toBe(200);
    await expect.poll(() => telegram.sentTexts(voiceBot, bob.id), WAIT).toEqual([expect.stringContaining("simply write a message here to get a pairing code")]);
    await page.goto(`${baseUrl}/channels/${channelId}/users`);
    const row = page.locator("tr", { hasText: "Bob" });
    await row.locator('[data-user-state="pending"]').waitFor(WAIT);
    await page.getByRole("button", { name: "Approve Bob" }).click();
    await row.locator('[data-user-state="approved"]').waitFor(WAIT);
    await expect.poll(() => telegram.sentTexts(voiceBot, bob.id), WAIT).toHaveLength(2);
  });

  it("at phone width every channel tab, Logs included, is in view", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/channels/${channelId}`);
    const logs = page.getByRole("tab", { name: "Logs" });
    await logs.waitFor(WAIT);
    const box = (await logs.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
    await logs.click();
    await page.getByRole("tab", { name: "Logs", selected: true }).waitFor(WAIT);
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
