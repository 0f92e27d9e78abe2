// The Worker's bindings. Secrets are listed by name in `requiredSecrets` so a missing one is
// reported with a 503 and a hint rather than a crash deep inside a request.
import type { BridgeContainer } from "../durable-objects/bridge-container";
import type { BridgeHubDO } from "../durable-objects/bridge-hub";
import type { ChannelDO } from "../durable-objects/channel-do";
import type { BackendEnv } from "./backends/types";

export interface Env {
  /** D1: all relational state (see docs/storage-schema.md). */
  DB: D1Database;
  /** One ChannelDO per channel plugin, addressed by channel id. */
  CHANNEL: DurableObjectNamespace<ChannelDO>;
  /** The Worker's end of the bridge link (one object, "hub"): WhatsApp and Zalo Personal sessions. */
  BRIDGE_HUB: DurableObjectNamespace<BridgeHubDO>;
  /** The bridge as a Cloudflare Container (absent or unused when BRIDGE_RUNS_IN is "external"). */
  BRIDGE_CONTAINER?: DurableObjectNamespace<BridgeContainer>;
  /** "container" (default: the hub starts BridgeContainer) or "external" (a bridge on any Docker host, or `npm run dev`). */
  BRIDGE_RUNS_IN?: string;
  /** Shared secret the bridge presents and signs its event batches with (secret). */
  BRIDGE_SECRET?: string;
  /** Bearer token for /api (secret). */
  ADMIN_TOKEN?: string;
  /** Base64 of 32 random bytes, or a passphrase (HKDF-derived): encrypts stored credentials (secret). */
  ENCRYPTION_KEY?: string;
  /** Public base URL providers call back; derived from the request when empty. */
  PUBLIC_URL?: string;
  TELEGRAM_API_BASE?: string;
  /** Slack Web API base (`https://slack.com/api`); a test fake in the tests. */
  SLACK_API_BASE?: string;
  /** Discord REST base (default https://discord.com/api/v10); a test fake in the tests. */
  DISCORD_API_BASE?: string;
  /** Zalo Bot Platform base (default https://bot-api.zaloplatforms.com); a test fake in the tests. */
  ZALO_API_BASE?: string;
  /** Lark / Feishu Open Platform base; unset: each channel's host (open.feishu.cn or open.larksuite.com). A fake in the tests. */
  LARK_API_BASE?: string;
  /** DingTalk API base (`https://api.dingtalk.com`); a fake in the tests. */
  DINGTALK_API_BASE?: string;
  /** WeChat's iLink bot API base, handed to the bridge Container (the Worker never calls iLink). */
  WECHAT_API_BASE?: string;
  /** The built admin UI (admin-ui/dist, see [assets] in wrangler.toml). */
  ASSETS?: Fetcher;
  /** Workers AI (the `workers-ai` backend and Aura voice replies); absent unless configured. */
  AI?: BackendEnv["AI"];
}

export const requiredSecrets = ["ADMIN_TOKEN", "ENCRYPTION_KEY"] as const;

export function missingSecrets(env: Env): string[] {
  return requiredSecrets.filter((name) => !env[name]);
}
