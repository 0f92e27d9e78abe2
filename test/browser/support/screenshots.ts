// Screenshots for docs/screenshots/, taken only when SCREENSHOTS=1 (`npm run screenshots`), so a
// normal test run never rewrites committed files.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";

const DIR = join(process.cwd(), "docs", "screenshots");
const enabled = process.env.SCREENSHOTS === "1";

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<void> {
  if (!enabled) return;
  mkdirSync(DIR, { recursive: true });
  // A stable picture: no list still loading, the fonts in (animations are disabled below).
  await page.locator(".state-loading").first().waitFor({ state: "detached" });
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
  await page.screenshot({ path: join(DIR, `${name}.png`), fullPage: options.fullPage ?? true, animations: "disabled" });
}
