// The system under test, run as its own process so the bench can pin it to a CPU of its own
// (`taskset -c 1 node target.mjs …`; workerd, started by Miniflare, inherits the affinity).
//
// It runs a bundled Worker in Miniflare — the same runtime `wrangler dev` uses, from
// wrangler's own dependency — but serves it on the Worker's own socket
// (`unsafeDirectSockets`), without wrangler dev's proxy or Miniflare's entry worker in front.
// Bindings and Durable Objects come from wrangler.toml; logging is at "warn".
//
// Protocol: argv[2] is a JSON config; prints one JSON line `{ "url": … }` once ready, then runs
// until its stdin closes (the bench exited, however it exited) or it gets SIGTERM/SIGINT.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

process.env.WRANGLER_LOG ??= "warn";
process.env.WRANGLER_SEND_METRICS = "false";

const config = JSON.parse(process.argv[2]);
const root = join(dirname(new URL(import.meta.url).pathname), "../..");

// wrangler's copy of miniflare (and so its workerd): what `wrangler dev` would run.
const require = createRequire(import.meta.url);
const miniflarePath = createRequire(require.resolve("wrangler/package.json")).resolve("miniflare");
const { Miniflare, convertV4MiniflareOptions, Log, LogLevel } = await import(miniflarePath);
const { unstable_getMiniflareWorkerOptions } = await import("wrangler");

/** A free port, so PUBLIC_URL can name the Worker's socket before it exists. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const fromToml = unstable_getMiniflareWorkerOptions(join(root, "wrangler.toml")).workerOptions;
const switchboard = config.kind === "switchboard";

const options = {
  name: config.name,
  compatibilityDate: fromToml.compatibilityDate,
  compatibilityFlags: fromToml.compatibilityFlags,
  // Only D1/DO for Switchboard; the floor Workers get none.
  ...(switchboard ? { d1Databases: fromToml.d1Databases, durableObjects: fromToml.durableObjects } : {}),
  // Replaces wrangler.toml vars and any .dev.vars: the bench brings its own fresh secrets.
  bindings: { ...config.bindings, ...(switchboard ? { PUBLIC_URL: url } : {}) },
  modulesRoot: dirname(config.mainModule),
  modules: [{ type: "ESModule", path: config.mainModule }],
  host: "127.0.0.1",
  port: 0,
  unsafeDirectSockets: [{ host: "127.0.0.1", port }],
  resourcePersistencePath: config.persistDir,
  cf: false,
  logRequests: false,
  log: new Log(LogLevel.WARN),
  // `--profile`: workerd's inspector, so the bench can record CPU profiles of the isolates.
  ...(config.inspectorPort ? { inspectorPort: config.inspectorPort } : {}),
};

const mf = new Miniflare(convertV4MiniflareOptions(options));
let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await mf.dispose().catch(() => undefined);
  process.exit(0);
}
process.stdin.on("end", stop).on("close", stop).resume();
process.on("SIGTERM", stop).on("SIGINT", stop);

await mf.ready;
const direct = await mf.unsafeGetDirectURL();
if (Number(direct.port) !== port) throw new Error(`direct socket on ${direct.href}, expected port ${port}`);
if (switchboard) await applyMigrations(await mf.getD1Database("DB"));
process.stdout.write(`${JSON.stringify({ url })}\n`);

/** Applies migrations/*.sql in order, as `wrangler d1 migrations apply` would to a fresh database. */
async function applyMigrations(db) {
  const dir = join(root, "migrations");
  for (const file of readdirSync(dir).filter((name) => name.endsWith(".sql")).sort()) {
    const statements = readFileSync(join(dir, file), "utf8")
      .split("--> statement-breakpoint")
      .map((statement) => statement.trim())
      .filter(Boolean);
    await db.batch(statements.map((statement) => db.prepare(statement)));
  }
}
