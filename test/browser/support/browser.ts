// Headless Chromium for the browser tests. `npx playwright install` cannot download browsers on
// our machines and a fresh machine has no system browser, so `npm ci && npm test` must work with
// what npm brings. Found in this order:
//   1. CHROMIUM_PATH, when set: the operator knows best (a missing file is an error, not a skip);
//   2. a system Chromium or Chrome (Debian's apt package, a distribution's chromium-browser, …);
//   3. the Chromium inside the @sparticuz/chromium devDependency (x64 Linux only), unpacked on
//      first use (see packaged-chromium.ts).
// Playwright gives every launch a fresh temporary profile (user-data-dir).
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { packagedChromium } from "./packaged-chromium";

const SYSTEM_CHROMIUMS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/snap/bin/chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
];

// Flags that keep the browser offline and quiet whichever one runs.
const OFFLINE_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// @sparticuz/chromium's flags are made for AWS Lambda; these two would switch off the same-origin
// rules the admin UI's CSRF and CSP checks rely on, so the tests would no longer see what an
// operator's browser does. Nothing else needs them.
const UNWANTED_FLAGS = new Set(["--disable-web-security", "--allow-running-insecure-content"]);

export interface FoundBrowser {
  executablePath: string;
  args: string[];
  source: "CHROMIUM_PATH" | "system" | "@sparticuz/chromium";
}

/**
 * Which Chromium to launch, with its flags. `SYSTEM_CHROMIUM_PATHS` (colon-separated, may be
 * empty) replaces the list of system locations: it exists only to test the npm fallback on a
 * machine that has a system Chromium.
 */
export async function findBrowser(env: NodeJS.ProcessEnv = process.env): Promise<FoundBrowser> {
  const explicit = env.CHROMIUM_PATH;
  if (explicit) {
    if (!existsSync(explicit)) throw new Error(`CHROMIUM_PATH is set to ${explicit}, but there is no file there`);
    return { executablePath: explicit, args: OFFLINE_FLAGS, source: "CHROMIUM_PATH" };
  }
  const candidates = env.SYSTEM_CHROMIUM_PATHS === undefined ? SYSTEM_CHROMIUMS : env.SYSTEM_CHROMIUM_PATHS.split(":").filter(Boolean);
  const system = candidates.find((path) => existsSync(path));
  if (system) return { executablePath: system, args: OFFLINE_FLAGS, source: "system" };

  const { default: packaged } = await import("@sparticuz/chromium");
  const args = mergeFlags(OFFLINE_FLAGS, packaged.args.filter((flag) => !UNWANTED_FLAGS.has(flag)));
  return { executablePath: await packagedChromium(), args, source: "@sparticuz/chromium" };
}

/** `ours` plus the flags of `theirs` whose names (`--name` before any `=`) ours does not set. */
function mergeFlags(ours: string[], theirs: string[]): string[] {
  const name = (flag: string) => flag.split("=")[0]!;
  const taken = new Set(ours.map(name));
  return [...ours, ...theirs.filter((flag) => !taken.has(name(flag)))];
}

export async function launchBrowser(): Promise<Browser> {
  const { executablePath, args, source } = await findBrowser();
  return chromium.launch({ executablePath, headless: true, args }).catch((error: Error) => {
    throw new Error(`Chromium from ${source} (${executablePath}) did not start: ${error.message}`);
  });
}
