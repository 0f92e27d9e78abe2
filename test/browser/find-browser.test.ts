// Which Chromium the browser tests drive, in the order machines allow (support/browser.ts). The
// environment is passed in, so each step is checked whatever this machine has installed.
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findBrowser } from "./support/browser";

const someFile = process.execPath;

describe("finding Chromium", () => {
  it("takes CHROMIUM_PATH first, and refuses one that names no file", async () => {
    expect(await findBrowser({ CHROMIUM_PATH: someFile, SYSTEM_CHROMIUM_PATHS: someFile })).toMatchObject({ source: "CHROMIUM_PATH", executablePath: someFile });
    await expect(findBrowser({ CHROMIUM_PATH: "/nowhere/chromium" })).rejects.toThrow("CHROMIUM_PATH is set to /nowhere/chromium, but there is no file there");
  });

  it("then the first system Chromium that exists", async () => {
    expect(await findBrowser({ SYSTEM_CHROMIUM_PATHS: `/nowhere/chromium:${someFile}` })).toMatchObject({ source: "system", executablePath: someFile });
  });

  it("else the one @sparticuz/chromium brings, with our offline flags and without its web-security switches", async () => {
    const found = await findBrowser({ SYSTEM_CHROMIUM_PATHS: "" });
    expect(found.source).toBe("@sparticuz/chromium");
    expect(existsSync(found.executablePath)).toBe(true);
    expect(found.args).toEqual(expect.arrayContaining(["--headless", "--no-sandbox", "--disable-quic", "--disable-background-networking"]));
    expect(found.args).not.toContain("--disable-web-security");
    expect(found.args.filter((flag) => flag.startsWith("--headless"))).toEqual(["--headless"]);
  });
});
