// Builds the admin UI (admin-ui/src → admin-ui/dist): one minified script, one stylesheet and
// index.html, everything bundled so the pages need no CDN and pass a strict CSP. Run by
// `wrangler dev`/`wrangler deploy` ([build] in wrangler.toml), `npm run dev` and the tests.
// Files are replaced only when their content changed, each by an atomic rename: two builds at
// once (the test projects, a running `wrangler dev`) never expose a half-written file.
import { build } from "esbuild";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "admin-ui");
const outdir = join(root, "dist");
/** Copied as they are. */
const STATIC_FILES = ["index.html", "favicon.svg"];

/** Builds the UI into admin-ui/dist; returns the size in bytes of each file. */
export async function buildAdminUi({ quiet = false } = {}) {
  const result = await build({
    entryPoints: { app: join(root, "src", "main.tsx") },
    bundle: true,
    minify: true,
    format: "esm",
    target: ["chrome110", "firefox110", "safari16"],
    jsx: "automatic",
    jsxImportSource: "preact",
    outdir,
    write: false,
    logLevel: quiet ? "error" : "warning",
  });
  const files = new Map(result.outputFiles.map((file) => [basename(file.path), file.contents]));
  for (const name of STATIC_FILES) files.set(name, readFileSync(join(root, name)));

  mkdirSync(outdir, { recursive: true });
  for (const [name, contents] of files) writeIfChanged(join(outdir, name), contents);
  for (const name of readdirSync(outdir)) if (!files.has(name) && !name.endsWith(".tmp")) rmSync(join(outdir, name), { force: true });

  const sizes = Object.fromEntries([...files].map(([name, contents]) => [name, contents.byteLength]));
  if (!quiet) console.log(`admin UI built: ${Object.entries(sizes).map(([name, bytes]) => `${name} ${(bytes / 1024).toFixed(1)} KiB`).join(", ")}`);
  return sizes;
}

function writeIfChanged(path, contents) {
  if (existsSync(path) && Buffer.compare(readFileSync(path), Buffer.from(contents)) === 0) return;
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildAdminUi();
