// Bundles the bridge into dist/main.js: its sources and the link protocol it shares with the
// Worker (../worker/bridge/protocol.ts). Packages stay external and load from node_modules.
import { build } from "esbuild";

const started = Date.now();
await build({
  entryPoints: [new URL("./src/main.ts", import.meta.url).pathname],
  outfile: new URL("./dist/main.js", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});
console.log(`bridge built: dist/main.js in ${Date.now() - started} ms`);
