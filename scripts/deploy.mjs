// `npm run deploy`: apply D1 migrations to the remote database, then deploy the Worker.
import { execFileSync } from "node:child_process";

const run = (args) => execFileSync("npx", ["wrangler", ...args], { stdio: "inherit" });

run(["d1", "migrations", "apply", "DB", "--remote"]);
run(["deploy", ...process.argv.slice(2)]);
