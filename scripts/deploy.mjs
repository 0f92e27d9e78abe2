// `npm run deploy`: check what would only fail half-way, apply D1 migrations to the remote
// database, then deploy the Worker. A failing step ends with what to do, not a stack trace.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { placeholderDatabaseProblem } from "./deploy-checks.mjs";

function fail(message) {
  console.error(`\n${message}\n`);
  process.exit(1);
}

const problem = placeholderDatabaseProblem(readFileSync("wrangler.toml", "utf8"));
if (problem) fail(problem);

const run = (args, whatFailed) => {
  try {
    execFileSync("npx", ["wrangler", ...args], { stdio: "inherit" });
  } catch (error) {
    // wrangler has printed its own error above; add what usually fixes it.
    fail(
      `${whatFailed} (wrangler exited with code ${error.status ?? "?"}; its message is above).\n` +
        "- Not logged in? Run `npx wrangler login` (or set CLOUDFLARE_API_TOKEN), then `npm run deploy` again.\n" +
        "- Database not found? Create it with `npx wrangler d1 create switchboard` and put its id into wrangler.toml (database_id).",
    );
  }
};

run(["d1", "migrations", "apply", "DB", "--remote"], "Applying the D1 migrations failed");
run(["deploy", ...process.argv.slice(2)], "Deploying the Worker failed");
