// The peers measured beside Switchboard: a bare grammY bot on Workers and the Chat SDK's
// Telegram adapter on Node. Their packages are the bench's own (scripts/bench/peers/, with its
// own lockfile), installed on first use, so the app's `npm ci` never pulls them in.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const PEERS = fileURLToPath(new URL("./peers/", import.meta.url));

/** `npm ci` into scripts/bench/peers/node_modules (git-ignored) when missing or older than the lockfile. */
export function installPeers(log) {
  const installed = join(PEERS, "node_modules", ".package-lock.json");
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(join(PEERS, "package-lock.json")).mtimeMs) return;
  log("installing the peers' packages (npm ci in scripts/bench/peers)");
  try {
    execFileSync("npm", ["ci", "--prefix", PEERS, "--ignore-scripts", "--no-audit", "--no-fund"], { stdio: ["ignore", "ignore", "inherit"] });
  } catch (error) {
    throw new Error(`npm ci in scripts/bench/peers failed (${error.message}); --no-peers runs the bench without the peers`);
  }
}

/** The peers' package versions, for the report. */
export function peerVersions() {
  const version = (name) => JSON.parse(readFileSync(join(PEERS, "node_modules", name, "package.json"), "utf8")).version;
  return { grammy: version("grammy"), chat: version("chat"), telegramAdapter: version("@chat-adapter/telegram") };
}

/** Bundles the grammY Worker with esbuild for workerd (grammY's web build); returns the module path. */
export async function bundleGrammy(outdir) {
  const outfile = join(outdir, "grammy-worker.js");
  await build({
    entryPoints: [join(PEERS, "grammy-worker.js")],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    logLevel: "warning",
  });
  return outfile;
}

/**
 * Target configs (targets.mjs) for the two peers, each answering as its bot on the fake Telegram.
 * `grammyBotInfo` is what getMe answers for grammY's bot (grammY then never calls it).
 */
export function peerTargets({ grammyModule, telegramApiBase, grammyBot, grammyBotInfo, chatSdkBot, secret }) {
  return {
    grammy: {
      kind: "plain",
      name: "grammy",
      mainModule: grammyModule,
      bindings: { BOT_TOKEN: grammyBot.token, BOT_INFO: grammyBotInfo, TELEGRAM_API_BASE: telegramApiBase, WEBHOOK_SECRET: secret },
    },
    chatSdk: {
      name: "chat-sdk",
      script: join(PEERS, "chat-sdk-server.mjs"),
      bindings: { BOT_TOKEN: chatSdkBot.token, BOT_USERNAME: chatSdkBot.username, TELEGRAM_API_BASE: telegramApiBase, WEBHOOK_SECRET: secret },
    },
  };
}
