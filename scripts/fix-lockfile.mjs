// The npm registry mirror on our build machines serves only the Linux builds of workerd, so
// `npm install` leaves the macOS and Windows builds out of package-lock.json, and `npm ci` then
// refuses the lock ("Missing: @cloudflare/workerd-darwin-64@ from lock file"). This restores
// their entries — marked optional, with their os and cpu — so `npm ci` validates everywhere and
// skips them on other platforms, exactly as a lock written against the public registry would.
// Run it after every `npm install` that rewrites the lock: `node scripts/fix-lockfile.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

const PLATFORMS = {
  "darwin-64": { os: ["darwin"], cpu: ["x64"] },
  "darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "linux-64": { os: ["linux"], cpu: ["x64"] },
  "linux-arm64": { os: ["linux"], cpu: ["arm64"] },
  "windows-64": { os: ["win32"], cpu: ["x64"] },
};

const path = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(path, "utf8"));
let added = 0;

for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const platform = /^@cloudflare\/workerd-(.+)$/.exec(name)?.[1];
    if (!platform || !PLATFORMS[platform]) continue;
    // Place it where npm placed its Linux sibling of the same version.
    const sibling = Object.keys(lock.packages).find(
      (key) => key.endsWith("node_modules/@cloudflare/workerd-linux-64") && lock.packages[key].version === version,
    );
    if (!sibling) continue;
    const location = sibling.replace(/@cloudflare\/workerd-linux-64$/, name);
    if (lock.packages[location]) continue;
    lock.packages[location] = { version, license: "Apache-2.0", optional: true, ...PLATFORMS[platform], engines: { node: ">=16" } };
    added += 1;
  }
}

const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added ? `package-lock.json: restored ${added} platform entries` : "package-lock.json: nothing to restore");
