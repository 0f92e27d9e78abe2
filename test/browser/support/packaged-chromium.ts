// The Chromium inside the @sparticuz/chromium devDependency (x64 Linux only), unpacked once per
// version. Left to itself the package unpacks to <tmp>/chromium and reuses whatever is there: a
// binary cut short by an interrupted first run, or another project's version. So it unpacks in a
// child process whose TMPDIR is a fresh staging directory, which is then renamed into place: a
// directory under its final name is always complete, and two runs at once cannot mix files.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Path of the unpacked binary (about 200 MB in the temp directory, ~2 s the first time). */
export async function packagedChromium(): Promise<string> {
  const entry = createRequire(import.meta.url).resolve("@sparticuz/chromium");
  const { version } = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")) as { version: string };
  const home = join(tmpdir(), `switchboard-chromium-${version}`);
  const binary = join(home, "chromium");
  if (existsSync(binary)) return binary;

  const staging = mkdtempSync(`${home}.partial-`);
  const script = `const { default: chromium } = await import(${JSON.stringify(pathToFileURL(entry).href)}); await chromium.executablePath();`;
  try {
    await run(process.execPath, ["--input-type=module", "--eval", script], { env: { ...process.env, TMPDIR: staging } });
    renameSync(staging, home);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another run unpacked the same version first (the rename found the directory taken).
    if (existsSync(binary)) return binary;
    throw new Error(`@sparticuz/chromium could not unpack its Chromium: ${(error as Error).message}`);
  }
  return binary;
}
