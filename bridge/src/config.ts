// The bridge's configuration, from the environment (a Container's envVars, `docker run -e`).
import { hostname } from "node:os";
import * as z from "zod";
import { DEFAULT_WECHAT_API_BASE } from "./wechat/ilink.ts";

const schema = z.object({
  /** The Worker's public URL, e.g. https://switchboard.example.workers.dev. */
  SWITCHBOARD_URL: z.url({ protocol: /^https?$/ }),
  /** The same value as the Worker's BRIDGE_SECRET. */
  BRIDGE_SECRET: z.string().min(16, "BRIDGE_SECRET must be at least 16 characters"),
  /** Where the outgoing-event queue lives (sessions themselves are kept by the Worker). */
  BRIDGE_DATA_DIR: z.string().default("./.bridge-data"),
  /** Health endpoint (GET /healthz); 0 turns it off. */
  BRIDGE_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  BRIDGE_ID: z.string().min(1).max(60).default(hostname()),
  BRIDGE_LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  /** Discord's gateway (tests and self-hosting point it elsewhere). */
  DISCORD_GATEWAY_URL: z.url({ protocol: /^wss?$/ }).optional(),
  /** Slack's Web API base for `apps.connections.open` (tests point it at a fake). */
  SLACK_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
  /** The iLink bot API WeChat sessions call (a fake in tests). */
  WECHAT_API_BASE: z.url({ protocol: /^https?$/ }).default(DEFAULT_WECHAT_API_BASE),
  /** A module exporting session factories to use instead of the real libraries (tests). */
  BRIDGE_DRIVERS: z.string().optional(),
});

export type BridgeConfig = z.infer<typeof schema>;

/** Reads the configuration; names every missing or wrong variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ");
    throw new Error(`bridge configuration: ${problems}`);
  }
  return parsed.data;
}
