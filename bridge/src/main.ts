// The bridge process: configuration from the environment, the real libraries (or the drivers
// module named by BRIDGE_DRIVERS), then it dials the Worker and holds the sessions it is given.
// SIGTERM closes the sessions without logging out: the Worker keeps their state, and the next
// bridge resumes them.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { startBridge } from "./bridge.ts";
import { readConfig } from "./config.ts";
import { createLogger } from "./log.ts";
import type { SessionFactories } from "./sessions.ts";
import { createWhatsAppFactory } from "./whatsapp/session.ts";
import { createWeChatFactory } from "./wechat/session.ts";
import { createZaloFactory } from "./zalo/session.ts";
import { createDiscordFactory } from "./discord/session.ts";
import { createSlackFactory } from "./slack/session.ts";

async function loadFactories(driversModule: string | undefined, wechatApiBase: string): Promise<SessionFactories> {
  if (driversModule) {
    const loaded = (await import(pathToFileURL(resolve(driversModule)).href)) as { factories: SessionFactories };
    return loaded.factories;
  }
  const { loadBaileysDriver } = await import("./whatsapp/baileys.ts");
  const { loadZcaDriver } = await import("./zalo/zca.ts");
  return {
    whatsapp: createWhatsAppFactory(await loadBaileysDriver()),
    "zalo-personal": createZaloFactory(await loadZcaDriver()),
    // Plain HTTPS: no library to load.
    wechat: createWeChatFactory(wechatApiBase),
  };
}

const config = readConfig();
const log = createLogger(config.BRIDGE_LOG_LEVEL, { bridge: config.BRIDGE_ID });
const bridge = await startBridge({
  workerUrl: config.SWITCHBOARD_URL,
  secret: config.BRIDGE_SECRET,
  bridgeId: config.BRIDGE_ID,
  dataDir: config.BRIDGE_DATA_DIR,
  httpPort: config.BRIDGE_HTTP_PORT,
  // The token providers' sockets need no library: plain WebSockets, even beside fake drivers.
  factories: {
    discord: createDiscordFactory({ gatewayUrl: config.DISCORD_GATEWAY_URL }),
    slack: createSlackFactory({ apiBase: config.SLACK_API_BASE }),
    ...(await loadFactories(config.BRIDGE_DRIVERS, config.WECHAT_API_BASE)),
  },
  log,
});

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info("stopping", { signal });
    void bridge.stop().finally(() => process.exit(0));
  });
}
