// The operator's story in a real browser: log in, create a workspace, add a
// Telegram channel through the wizard (bad token, good token, Test), start it, see an unknown
// user's pairing request, approve it, disable the user, read the logs, generate an invite code,
// move the account with the 409 confirmation, delete the channel, log out — against the Worker
// under `wrangler dev` and the fake Telegram API.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { launchBrowser } from "./support/browser";
import { FakeTelegramControl, type Bot } from "./support/fake-telegram";
import { screenshot } from "./support/screenshots";

const baseUrl = inject("appBaseUrl");
const adminToken = inject("appAdminToken");
const telegram = new FakeTelegramControl(inject("browserFakesBase"));
const WAIT = { timeout: 10_000 };

let browser: Browser;
let context: BrowserContext;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, reducedMotion: "reduce" });
  // Every action waits for what it acts on at most this long, then fails naming the locator: never
  // the bare test timeout of a click that waits forever for an element that will not come.
  context.setDefaultTimeout(WAIT.timeout);
  page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/** Waits until the text shows up somewhere on the page. */
async function seeText(text: string | RegExp) {
  await page.getByText(text).first().waitFor(WAIT);
}

async function logIn() {
  await page.getByLabel("Admin token").fill(adminToken);
  await page.getByRole("button", { name: "Log in" }).click();
  // The home page is the overview.
  await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor(WAIT);
}

describe("admin UI", () => {
  // The steps build on each other: after the first failure, skip the rest instead of timing out.
  let broken = false;
  beforeEach((context) => {
    if (broken) context.skip();
  });
  afterEach(async (context) => {
    if (context.task.result?.state !== "fail" || broken) return;
    broken = true;
    // What the page showed when the step failed (test-results/ is not committed).
    await page.screenshot({ path: "test-results/browser-failure.png", fullPage: true }).catch(() => undefined);
  });

  let bot: Bot;
  let channelUrl: string;
  const ada = { id: 4_242_001, username: "ada_l", first_name: "Ada" };

  it("refuses a wrong token with a clear message, then logs in", async () => {
    await page.goto(baseUrl);
    await page.getByLabel("Admin token").waitFor(WAIT);
    await screenshot(page, "login");
    await page.getByLabel("Admin token").fill("not-the-token");
    await page.getByRole("button", { name: "Log in" }).click();
    await seeText("That admin token is not right. Check ADMIN_TOKEN and try again.");
    await logIn();
    await seeText("No channels yet");
  });

  it("serves the page with a strict Content-Security-Policy and only same-origin assets", async () => {
    const response = await page.request.get(`${baseUrl}/channels`, { headers: { "sec-fetch-mode": "navigate" } });
    expect(response.headers()["content-security-policy"]).toContain("script-src 'self'");
    const external = await page.evaluate(() =>
      [...document.querySelectorAll("script[src], link[href], img[src]")]
        .map((element) => element.getAttribute("src") ?? element.getAttribute("href") ?? "")
        .filter((url) => /^(https?:)?\/\//.test(url)),
    );
    expect(external).toEqual([]);
  });

  it("creates a workspace with a shared thread, and tests its backend", async () => {
    await page.getByRole("link", { name: "Workspaces" }).click();
    await page.getByRole("heading", { name: "Workspaces", level: 1 }).waitFor(WAIT);
    await page.getByRole("link", { name: "New workspace" }).click();
    await page.getByLabel("Name", { exact: true }).fill("Support desk");
    await page.getByLabel("Backend").selectOption("echo");
    await page.getByLabel(/Reply prefix/).fill("Desk: ");
    await page.getByLabel(/Agents/).fill("triage, writer");
    await page.getByLabel("Voice (optional)", { exact: true }).fill("asteria");
    await page.getByLabel(/Voice engine/).selectOption("workers-ai");
    await page.getByRole("button", { name: "Create workspace" }).click();
    await page.getByRole("heading", { name: "Support desk", level: 1 }).waitFor(WAIT);
    await page.waitForURL(/\/workspaces\/ws_/, WAIT);
    // Stored where the backends read it: nested voice settings, a number-free prefix kept as typed.
    const id = page.url().split("/workspaces/")[1]!;
    const stored = await fetch(`${baseUrl}/api/workspaces/${id}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(((await stored.json()) as { workspace: { config: unknown } }).workspace.config).toEqual({ prefix: "Desk: ", speech: { engine: "workers-ai", voice: "asteria" } });
    await page.reload();
    await expect.poll(() => page.getByLabel("Voice (optional)", { exact: true }).inputValue(), WAIT).toBe("asteria");

    await page.getByRole("button", { name: "Test connection" }).click();
    await seeText("“Desk: ping”");

    await page.getByLabel("New shared thread").fill("Front desk");
    await page.getByRole("button", { name: "Create thread" }).click();
    await page.getByRole("cell", { name: "Front desk", exact: true }).waitFor(WAIT);
    await screenshot(page, "workspace");

    // A push-API key, shown once: it works until it is revoked here.
    await page.getByLabel("New key name").fill("PagerDuty");
    await page.getByRole("button", { name: "Create key" }).click();
    const key = (await page.locator("#new-api-key").textContent())!;
    expect(key).toMatch(/^sbk_[A-Za-z0-9_-]{43}$/);
    const threads = await fetch(`${baseUrl}/api/workspaces/${id}/threads`, { headers: { authorization: `Bearer ${adminToken}` } });
    const [thread] = ((await threads.json()) as { threads: { id: string }[] }).threads;
    const pushWith = () =>
      fetch(`${baseUrl}/push/v1/threads/${thread!.id}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ text: "Deploy finished" }),
      });
    expect((await pushWith()).status).toBe(202);
    await page.getByRole("button", { name: "Revoke PagerDuty" }).click();
    await page.getByRole("button", { name: "Revoke key" }).click();
    await page.getByRole("cell", { name: "Revoked" }).waitFor(WAIT);
    expect((await pushWith()).status).toBe(401);

    await page.getByRole("link", { name: "Workspaces" }).first().click();
    await page.getByRole("link", { name: "Support desk", exact: true }).waitFor(WAIT);
    await screenshot(page, "workspaces");
  });

  it("adds a Telegram channel through the wizard: every listed provider is selectable, a bad token shows Telegram's answer, a good one passes Test", async () => {
    bot = await telegram.createBot("Support");
    await page.getByRole("link", { name: "Channels" }).click();
    await page.getByRole("link", { name: "Add your first channel" }).click();
    await page.getByRole("heading", { name: "Choose a platform" }).waitFor(WAIT);
    expect(await page.getByRole("radio", { name: /WeChat/ }).isDisabled()).toBe(false);
    await page.getByText("Telegram", { exact: true }).click();
    await screenshot(page, "wizard-platform");
    await page.getByRole("button", { name: "Next" }).click();

    await page.getByLabel("Workspace", { exact: true }).selectOption({ label: "Support desk" });
    await page.getByLabel(/Default thread/).selectOption({ label: "Front desk" });
    await page.getByLabel(/Display name/).fill("Support bot");
    await page.getByRole("button", { name: "Next" }).click();

    const token = page.getByLabel("Bot token");
    await token.fill("not a token");
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await seeText(/a Telegram bot token looks like/);
    // Well-formed, but Telegram does not know it: its own answer is shown.
    await token.fill("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq");
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await seeText(/credential rejected: .*Unauthorized/);

    await token.fill(bot.token);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await seeText(`accepted the credential: ${bot.username}`);
    await screenshot(page, "wizard");
    await page.getByRole("button", { name: "Create channel" }).click();
    await page.getByRole("heading", { name: "Start the channel" }).waitFor(WAIT);
  });

  it("starts the channel and shows it running", async () => {
    await page.getByRole("button", { name: "Start", exact: true }).click();
    await page.locator('[data-status="running"]').first().waitFor(WAIT);
    await page.getByRole("button", { name: "Open channel" }).click();
    await page.getByRole("heading", { name: "Support bot", level: 1 }).waitFor(WAIT);
    await page.waitForURL(/\/channels\/[^/]+$/, WAIT);
    channelUrl = page.url();
    await page.locator('[data-status="running"]').first().waitFor(WAIT);
  });

  it("shows an unknown user's pairing request by itself, and approves it", async () => {
    await page.getByRole("tab", { name: "Pairing Codes" }).waitFor(WAIT);
    await seeText("No pending requests");
    expect(await telegram.deliverText(bot, ada, "Hello, can you help me?")).toBe(200);
    // No reload: the tab polls.
    const row = page.locator("tr", { hasText: "Ada" });
    await row.waitFor(WAIT);
    const code = (await row.locator("code").textContent())!.trim();
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    expect(await telegram.sentTexts(bot, ada.id)).toEqual([expect.stringContaining(code)]);
    await screenshot(page, "channel-detail");

    await page.getByRole("button", { name: "Approve Ada" }).click();
    await seeText("Ada was approved and told so.");
    await seeText("No pending requests");
    // The held message is answered after approval.
    await expect.poll(() => telegram.sentTexts(bot, ada.id), WAIT).toContain("Desk: Hello, can you help me?");
  });

  it("lists the user under Users and disables them", async () => {
    await page.getByRole("tab", { name: "Users" }).click();
    const row = page.locator("tr", { hasText: "Ada" });
    await row.locator('[data-user-state="approved"]').waitFor(WAIT);
    await page.getByRole("button", { name: "Disable Ada" }).click();
    await row.locator('[data-user-state="disabled"]').waitFor(WAIT);
    await page.getByLabel("Search").fill("nobody-like-this");
    await seeText("No users match");
    await page.getByLabel("Search").fill("ada");
    await row.waitFor(WAIT);
    await screenshot(page, "channel-users");
  });

  it("shows the logs newest first, with the reason for refused messages, filtered by level", async () => {
    expect(await telegram.deliverText(bot, ada, "Am I still allowed?")).toBe(200);
    await expect.poll(() => telegram.sentTexts(bot, ada.id), WAIT).toHaveLength(4);
    await page.getByRole("tab", { name: "Logs" }).click();
    await page.locator('[data-log-event="pairing.approved"]').waitFor(WAIT);
    await page.getByRole("button", { name: "Refresh" }).click();
    await page.locator("li.log", { hasText: /disabled/i }).first().waitFor(WAIT);
    const events = await page.locator("[data-log-event]").evaluateAll((items) => items.map((item) => item.getAttribute("data-log-event")));
    // Newest first: the start is the oldest entry of this channel.
    expect(events.at(-1)).toBe("channel.started");
    await screenshot(page, "channel-logs");
    await page.getByLabel("Level").selectOption("error");
    await seeText("No error entries");
  });

  it("changes settings", async () => {
    await page.getByRole("tab", { name: "Settings" }).click();
    await page.getByRole("radio", { name: /Open/ }).first().check();
    await page.getByRole("checkbox", { name: "@triage" }).check();
    await page.getByRole("checkbox", { name: /Voice replies/ }).check();
    await page.getByRole("button", { name: "Save settings" }).click();
    await seeText("Settings saved.");
    const id = channelUrl.split("/channels/")[1]!.split("/")[0]!;
    const stored = await fetch(`${baseUrl}/api/channels/${id}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(((await stored.json()) as { channel: { settings: unknown } }).channel.settings).toMatchObject({
      dmPolicy: "open",
      agentWhitelist: ["triage"],
      voiceReplies: true,
    });
    await seeText("Configured");
    await screenshot(page, "channel-settings");
    const body = await page.evaluate(() => document.body.innerText);
    expect(body).not.toContain(bot.token);
    // Put the default back for the pairing steps below.
    await page.getByRole("radio", { name: /Pairing/ }).check();
    await page.getByRole("checkbox", { name: /Voice replies/ }).uncheck();
    await page.getByRole("button", { name: "Save settings" }).click();
    await seeText("Settings saved.");
  });

  it("generates an invite code with its expiry", async () => {
    await page.getByRole("tab", { name: "Pairing Codes" }).click();
    await page.getByRole("button", { name: "Generate code" }).click();
    const code = page.locator("[data-invite-code]").first();
    await code.waitFor(WAIT);
    const value = (await code.textContent())!.trim();
    expect(value).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    await seeText(/Expires /);
    // The code works: a new user who sends it is approved at once.
    const grace = { id: 4_242_002, username: "grace_h", first_name: "Grace" };
    expect(await telegram.deliverText(bot, grace, `/start ${value}`)).toBe(200);
    await expect.poll(() => telegram.sentTexts(bot, grace.id), WAIT).toEqual([expect.stringContaining("Invite code accepted")]);
    // The used code does not stay on screen as if it still worked: it says who used it.
    await page.locator('[data-invite-state="used"]', { hasText: "Used by Grace" }).waitFor(WAIT);
    expect(await page.locator("[data-invite-code]").count()).toBe(0);
  });

  it("keyboard: the tabs move with the arrow keys", async () => {
    await page.getByRole("tab", { name: "Pairing Codes" }).focus();
    await page.keyboard.press("ArrowRight");
    await page.getByRole("tab", { name: "Users", selected: true }).waitFor(WAIT);
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent), WAIT).toBe("Users");
    await page.keyboard.press("End");
    await page.getByRole("tab", { name: "Logs", selected: true }).waitFor(WAIT);
    await page.waitForURL(/\/logs$/, WAIT);
  });

  it("asks before moving an account that another channel holds (409 impact), then stops the old channel", async () => {
    await page.goto(`${baseUrl}/channels/new`);
    await page.getByText("Telegram", { exact: true }).click();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel(/Display name/).fill("Second home");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByLabel("Bot token").fill(bot.token);
    await page.getByRole("button", { name: "Create channel" }).click();
    await seeText("This account is already connected");
    await seeText("Support bot");
    await screenshot(page, "wizard-impact");
    await page.getByRole("button", { name: "Move the account here" }).click();
    await page.getByRole("heading", { name: "Start the channel" }).waitFor(WAIT);

    await page.goto(channelUrl);
    await page.locator('[data-status="stopped"]').first().waitFor(WAIT);
    await seeText(/was connected to channel/);
  });

  it("the channel list refreshes status by itself and shows every column", async () => {
    await page.getByRole("link", { name: "Channels" }).first().click();
    const second = page.locator("tr", { hasText: "Second home" });
    await second.waitFor(WAIT);
    await second.getByRole("button", { name: "Start Second home" }).click();
    await second.locator('[data-status="running"]').waitFor(WAIT);
    const first = page.locator("tr", { hasText: "Support bot" });
    await first.locator('[data-status="stopped"]').waitFor(WAIT);
    // Stopped behind the page's back (through the API, as a script would): the list catches up alone.
    const secondId = (await second.getAttribute("data-channel-id"))!;
    const stopped = await fetch(`${baseUrl}/api/channels/${secondId}/stop`, { method: "POST", headers: { authorization: `Bearer ${adminToken}` } });
    expect(stopped.status).toBe(200);
    await second.locator('[data-status="stopped"]').waitFor(WAIT);
    await second.getByRole("button", { name: "Start Second home" }).click();
    await second.locator('[data-status="running"]').waitFor(WAIT);
    await screenshot(page, "channels");
  });

  it("is usable at phone width: no sideways scrolling, every action reachable", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    // Measured once each page shows its data (the heading alone comes before the lists load).
    const pages: [path: string, content: string][] = [
      ["/", "Second home"],
      ["/channels", "Second home"],
      ["/channels/new", "Choose a platform"],
      [channelUrl.replace(baseUrl, ""), "No pending requests"],
      [`${channelUrl.replace(baseUrl, "")}/activity`, "Reply latency"],
      ["/workspaces", "Support desk"],
    ];
    for (const [path, content] of pages) {
      await page.goto(`${baseUrl}${path}`);
      await seeText(content);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.goto(`${baseUrl}/channels`);
    await page.locator("tr", { hasText: "Support bot" }).waitFor(WAIT);
    await screenshot(page, "channels-phone");
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("deletes channels after confirmation", async () => {
    await page.goto(`${baseUrl}/channels`);
    for (const name of ["Second home", "Support bot"]) {
      await page.getByRole("button", { name: `Delete ${name}` }).click();
      const dialog = page.getByRole("dialog", { name: `Delete ${name}?` });
      await dialog.waitFor(WAIT);
      await dialog.getByRole("button", { name: "Delete channel" }).click();
      await page.locator("tr", { hasText: name }).waitFor({ state: "detached", ...WAIT });
    }
    await seeText("No channels yet");
  });

  it("when the session is gone, says so, and after logging in again shows the page that was asked for", async () => {
    await page.goto(`${baseUrl}/workspaces`);
    // Wait for the list, not just the heading: the heading renders before the page sends its
    // requests, and clearing the cookie in between ends the session on this page instead.
    const link = page.getByRole("link", { name: "Support desk", exact: true });
    await link.waitFor(WAIT);
    await context.clearCookies();
    await link.click();
    await page.waitForURL(/\/workspaces\/ws_/, WAIT);
    await seeText("Your session has ended. Log in again to continue.");
    await page.getByLabel("Admin token").fill(adminToken);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Support desk", level: 1 }).waitFor(WAIT);
    expect(new URL(page.url()).pathname).toMatch(/^\/workspaces\/ws_/);
  });

  it("logs out, and the API no longer accepts the cookie", async () => {
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByLabel("Admin token").waitFor(WAIT);
    await seeText("You are logged out.");
    const status = await page.evaluate(async () => (await fetch("/api/channels")).status);
    expect(status).toBe(401);
  });

  it("logged no errors in the browser console apart from the expected refusals", () => {
    // 401 (wrong token, logged out) and 409 (account taken) are answers the UI shows.
    const unexpected = consoleErrors.filter((text) => !/status of (400|401|409)/.test(text));
    expect(unexpected).toEqual([]);
  });
});
