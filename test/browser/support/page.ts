// One page per test file: a browser with a fresh profile, a context at the given size with
// reduced motion, and every action bounded so a missing element fails naming what it waited for
// instead of running into the test timeout.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "./browser";

export interface BrowserPage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
}

export async function openPage(viewport = { width: 1280, height: 860 }, timeout = 10_000): Promise<BrowserPage> {
  const browser = await launchBrowser();
  const context = await browser.newContext({ viewport, reducedMotion: "reduce" });
  context.setDefaultTimeout(timeout);
  return { browser, context, page: await context.newPage() };
}

export async function closePage(opened: Partial<BrowserPage>): Promise<void> {
  await opened.context?.close();
  await opened.browser?.close();
}
