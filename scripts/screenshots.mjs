// `npm run screenshots`: runs the browser tests with SCREENSHOTS=1, which saves the main pages to
// docs/screenshots/ (README shows overview.png).
import { spawnSync } from "node:child_process";

const result = spawnSync("npx", ["vitest", "run", "--project", "browser"], { stdio: "inherit", env: { ...process.env, SCREENSHOTS: "1" } });
process.exit(result.status ?? 1);
