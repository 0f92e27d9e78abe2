// Bundles the Worker exactly as `wrangler deploy` would (`--dry-run --outdir`), and reads the
// upload size wrangler reports. The bench runs these bundles, never the TypeScript sources.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const WRANGLER_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true", NO_COLOR: "1" };

/**
 * Builds `entry` (default: `main` from wrangler.toml) into `outdir`, from the checkout at `cwd`
 * (default: this one; `outdir` is then best absolute).
 * Returns the module to load plus wrangler's "Total Upload: … / gzip: …" figures.
 */
export function bundle(outdir, entry, { cwd } = {}) {
  // The bridge container's image is not built: the bench never starts it, and building it needs Docker.
  const args = ["wrangler", "deploy", ...(entry ? [entry] : []), "--dry-run", "--containers-rollout=none", "--outdir", outdir];
  const output = execFileSync("npx", args, { cwd, env: WRANGLER_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const sizes = /Total Upload:\s*([\d.]+)\s*KiB\s*\/\s*gzip:\s*([\d.]+)\s*KiB/.exec(output);
  // wrangler names the output after the entry (index.js, counting-entry.js).
  const mainModule = join(outdir, readdirSync(outdir).find((name) => name.endsWith(".js")));
  const code = readFileSync(mainModule);
  return {
    outdir,
    mainModule,
    wranglerKiB: sizes ? Number(sizes[1]) : null,
    wranglerGzipKiB: sizes ? Number(sizes[2]) : null,
    // Our own check of the same figure (gzip at the default level of node:zlib).
    ownKiB: code.length / 1024,
    ownGzipKiB: gzipSync(code).length / 1024,
  };
}
