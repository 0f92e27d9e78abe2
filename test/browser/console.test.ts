// The console around the channels, in a real browser against the fake Telegram: the overview's
// numbers and charts from traffic sent through the fake provider, the pending-pairing badge in
// the navigation and the channel list, …
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { closePage, openPage, type BrowserPage } from "./support/page";
import { FakeTelegramControl, type Bot } from "./support/fake-telegram";
import { screenshot } from "./support/screenshots";

const baseUrl = inject("appBaseUrl");
const adminToken = inject("appAdminToken");
const telegram = new FakeTelegramControl(inject("browserFakesBase"));
const WAIT = { timeout: 10_000 };

let opened: BrowserPage;
let page: Page;

beforeAll(async () => {
  opened = await openPage({ width: 1280, height: 900 }, WAIT.timeout);
  page = opened.page;
});

afterAll(() => closePage(opened));

async function apiCall(method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${baseUrl}/api${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

const statValue = (name: string) => page.locator(`[data-stat="${name}"] dd`).first().textContent().then((text) => text?.trim() ?? "");

describe("the console", () => {
  let broken = false;
  beforeEach((context) => {
    if (broken) context.skip();
  });
  afterEach(async (context) => {
    if (context.task.result?.state !== "fail" || broken) return;
    broken = true;
    await page.screenshot({ path: "test-results/browser-console-failure.png", fullPage: true }).catch(() => undefined);
  });

  let bot: Bot;
  let channelId: string;
  const lin = { id: 6_161_001, username: "lin_m", first_name: "Lin" };

  it("logs in to the overview", async () => {
    bot = await telegram.createBot("Helpdesk");
    const created = await apiCall("POST", "/channels", { provider: "telegram", workspaceId: "ws_default", displayName: "Helpdesk", credentials: { botToken: bot.token } });
    channelId = created.channel.id;
    expect((await apiCall("POST", `/channels/${channelId}/start`)).status).toBe("running");
    await page.goto(baseUrl);
    await page.getByLabel("Admin token").fill(adminToken);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor(WAIT);
    await page.locator("tr", { hasText: "Helpdesk" }).waitFor(WAIT);
  });

  it("shows a pending pairing request in the navigation and the channel list, without opening the channel", async () => {
    expect(await telegram.deliverText(bot, lin, "Hi, is anyone there?")).toBe(200);
    expect(await telegram.deliverText(bot, lin, "I need the invoice from March")).toBe(200);
    // No reload: the navigation polls (every 10 s), so allow a full poll after the request exists.
    await page.locator("[data-pending-badge]").waitFor({ timeout: 25_000 });
    await page.getByRole("link", { name: /^Channels/ }).click();
    const row = page.locator("tr", { hasText: "Helpdesk" });
    await row.locator("[data-pending-pairing='1']").waitFor(WAIT);
    await screenshot(page, "channels-pending");
    await row.getByRole("link", { name: /1 waiting/ }).click();
    await page.getByRole("tab", { name: "Pairing Codes", selected: true }).waitFor(WAIT);
    await page.getByText("2 messages are answered on approval").waitFor(WAIT);
    await page.getByRole("button", { name: "Approve Lin" }).click();
    await page.getByText("Lin was approved and told so.").waitFor(WAIT);
    // Both held messages are answered, in order.
    await expect.poll(() => telegram.sentTexts(bot, lin.id), WAIT).toEqual([
      expect.stringContaining("pairing code"),
      expect.stringContaining("Still waiting"),
      expect.stringContaining("approved"),
      "Echo: Hi, is anyone there?",
      "Echo: I need the invoice from March",
    ]);
    await page.getByRole("link", { name: /^Channels/ }).click();
    await page.locator("tr", { hasText: "Helpdesk" }).waitFor(WAIT);
    expect(await page.locator("tr", { hasText: "Helpdesk" }).locator("[data-pending-pairing]").count()).toBe(0);
  }, 60_000);

  it("the overview counts real traffic and draws it: messages, users, latency, per channel", async () => {
    for (const text of ["What are your opening hours?", "And on Sundays?", "Thanks!"]) expect(await telegram.deliverText(bot, lin, text)).toBe(200);
    await expect.poll(async () => (await telegram.sentTexts(bot, lin.id)).length, WAIT).toBe(8);
    await page.getByRole("link", { name: "Overview" }).click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor(WAIT);
    // The page refreshes by itself; the channel writes its counters with its next log flush.
    // It polls every 15 s: allow two polls after the flush, however busy the machine is.
    await expect.poll(async () => Number(await statValue("messages-in")), { timeout: 35_000 }).toBeGreaterThanOrEqual(5);
    expect(Number(await statValue("messages-out"))).toBeGreaterThanOrEqual(6);
    expect(Number(await statValue("active-users"))).toBeGreaterThanOrEqual(1);
    expect(await statValue("latency")).toMatch(/\d+(\.\d)? (ms|s) \/ \d+(\.\d)? (ms|s)/);
    // Bars for this hour's messages, dots for the latency.
    const messages = page.locator('[data-chart="Messages"] rect.chart-bar');
    expect(await messages.count()).toBe(48);
    const drawn = await messages.evaluateAll((bars) => bars.filter((bar) => Number(bar.getAttribute("data-value")) > 0).length);
    expect(drawn).toBeGreaterThanOrEqual(2);
    expect(await page.locator('[data-chart="Reply latency"] circle.chart-dot').count()).toBeGreaterThanOrEqual(1);
    const label = await page.locator('[data-chart="Messages"] svg').getAttribute("aria-label");
    expect(label).toMatch(/^Messages: \d+ in and \d+ out in the last 24 hours$/);
    const row = page.locator("tr", { hasText: "Helpdesk" });
    expect(Number(await row.locator('td[data-label="In"]').textContent())).toBe(5);
    await screenshot(page, "overview");

    await page.getByRole("button", { name: "7 days" }).click();
    await expect.poll(() => page.locator('[data-chart="Messages"] rect.chart-bar').count(), WAIT).toBe(56);
    await page.getByRole("button", { name: "24 hours" }).click();

    // Each channel page shows its own.
    await row.getByRole("link", { name: "Helpdesk" }).click();
    await page.getByRole("tab", { name: "Activity", selected: true }).waitFor(WAIT);
    await expect.poll(async () => Number(await statValue("messages-in")), WAIT).toBe(5);
    await page.locator('[data-chart="Messages"]').waitFor(WAIT);
    await screenshot(page, "channel-activity");
  }, 60_000);

  it("opens a workspace's thread to read its messages, with its id to copy for the push API", async () => {
    const { threads } = await apiCall("GET", "/workspaces/ws_default/threads");
    const own = threads.find((thread: { ownerKey: string | null }) => thread.ownerKey === `${channelId}:dm:${lin.id}`);
    await page.getByRole("link", { name: "Workspaces" }).click();
    await page.getByRole("link", { name: "Default (echo)", exact: true }).first().click();
    await page.getByRole("heading", { name: "Default (echo)", level: 1 }).waitFor(WAIT);
    const row = page.locator(`tr[data-thread-id="${own.id}"]`);
    await row.getByRole("link").click();
    await page.waitForURL(new RegExp(`/workspaces/ws_default/threads/${own.id}$`), WAIT);
    await page.getByText("Echo: Thanks!").waitFor(WAIT);
    const texts = await page.locator("li.message .message-text").allTextContents();
    // Oldest first, like a chat; the user's messages carry their name.
    expect(texts.slice(0, 2)).toEqual(["Hi, is anyone there?", "Echo: Hi, is anyone there?"]);
    expect(texts.at(-1)).toBe("Echo: Thanks!");
    await page.locator("li.message-user", { hasText: "Lin" }).first().waitFor(WAIT);
    expect((await page.locator("[data-thread-id]").textContent())!.trim()).toBe(own.id);
    await opened.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseUrl });
    await page.getByRole("button", { name: "Copy id" }).click();
    await page.getByText("Copied").waitFor(WAIT);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(own.id);
    await screenshot(page, "thread");
  });

  it("lists invite codes with their state and revokes one", async () => {
    await page.goto(`${baseUrl}/channels/${channelId}/pairing`);
    await page.getByRole("button", { name: "Generate code" }).click();
    await page.locator('[data-invite-state="unused"]').first().waitFor(WAIT);
    await page.getByRole("button", { name: "Generate code" }).click();
    await expect.poll(() => page.locator('[data-invite-state="unused"]').count(), WAIT).toBe(2);
    const [keep, revoke] = await page.locator("[data-invite-code]").allTextContents();
    // Used: the list says by whom, by itself.
    const ana = { id: 6_161_002, username: "ana_p", first_name: "Ana" };
    expect(await telegram.deliverText(bot, ana, `/start ${keep!.trim()}`)).toBe(200);
    await page.locator('[data-invite-state="used"]', { hasText: "Used by Ana" }).waitFor(WAIT);

    await page.getByRole("button", { name: `Revoke code ${revoke!.trim()}` }).click();
    await page.getByRole("dialog", { name: `Revoke code ${revoke!.trim()}?` }).getByRole("button", { name: "Revoke code" }).click();
    await page.locator('[data-invite-state="revoked"]', { hasText: revoke!.trim() }).waitFor(WAIT);
    expect(await page.locator('[data-invite-state="unused"]').count()).toBe(0);
    await screenshot(page, "channel-invites");
    const eve = { id: 6_161_003, username: "eve_q", first_name: "Eve" };
    expect(await telegram.deliverText(bot, eve, `/start ${revoke!.trim()}`)).toBe(200);
    await expect.poll(() => telegram.sentTexts(bot, eve.id), WAIT).toEqual([expect.stringMatching(/^That invite code is not valid or has expired\./)]);
  });

  it("keeps an audit trail of admin actions: who (session or API token) did what to which channel, when", async () => {
    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log", level: 1 }).waitFor(WAIT);
    await page.getByLabel("Channel").selectOption({ label: "Helpdesk" });
    // Once the filter applies, only this channel's entries are listed.
    await expect.poll(() => page.locator('tr[data-audit-action="channel.created"]').count(), WAIT).toBe(1);
    const approved = page.locator('tr[data-audit-action="pairing.approved"]', { hasText: "(Lin)" });
    await approved.waitFor(WAIT);
    expect(await approved.textContent()).toMatch(/Approved pairing code [2-9A-HJ-NP-Z]{8} \(Lin\)/);
    // Done in this browser: named by the session; done by a script: the API token.
    await approved.getByText(/^Session ses_[a-z0-9]{8}$/).waitFor(WAIT);
    const created = page.locator('tr[data-audit-action="channel.created"]');
    await created.getByText("API token").waitFor(WAIT);
    expect(await created.textContent()).toContain("Created the Telegram channel Helpdesk");
    await page.locator('tr[data-audit-action="invite.revoked"]').waitFor(WAIT);
    expect(await page.locator('tr[data-audit-action="invite.created"]').count()).toBe(2);
    const actions = await page.locator("tr[data-audit-action]").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-audit-action")));
    // Newest first.
    expect(actions[0]).toBe("invite.revoked");
    expect(actions.at(-1)).toBe("channel.created");
    await expect.poll(() => page.locator("tr[data-audit-action] time").first().textContent(), WAIT).toMatch(/\d{4}/);
    await screenshot(page, "audit");
  });

  it("logs show the date and the user's name, search by text, and refresh by themselves", async () => {
    await page.goto(`${baseUrl}/channels/${channelId}/logs`);
    const accepted = page.locator('li.log[data-log-event="inbound.accepted"]').first();
    await accepted.waitFor(WAIT);
    // Date and time: the month's name is there as well as the seconds.
    expect(await accepted.locator("time").textContent()).toMatch(/[A-Z][a-z]{2}.*\d{1,2}:\d{2}:\d{2}/);
    await accepted.locator('[data-log-detail="sender"]', { hasText: `${lin.id} (Lin)` }).waitFor(WAIT);

    await page.getByLabel("Search logs").fill("opening hours");
    await expect.poll(async () => {
      const texts = await page.locator("li.log").allTextContents();
      return texts.length > 0 && texts.every((text) => text.includes("opening hours"));
    }, WAIT).toBe(true);
    await page.getByLabel("Search logs").fill("");

    // Auto-refresh is on: a new message shows up without a click.
    expect(await page.getByRole("checkbox", { name: "Auto-refresh" }).isChecked()).toBe(true);
    expect(await telegram.deliverText(bot, lin, "Is the shop open on holidays?")).toBe(200);
    await page.locator("li.log", { hasText: "Is the shop open on holidays?" }).first().waitFor({ timeout: 15_000 });
    await screenshot(page, "channel-logs-live");
  });
});
