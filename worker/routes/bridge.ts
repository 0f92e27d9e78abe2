// The bridge's way in: GET /bridge/v1/connect upgrades to the WebSocket that BridgeHubDO holds.
// Only a bridge that presents BRIDGE_SECRET gets through; everything else gets 401 and no socket.
import { Hono } from "hono";
import { BRIDGE_CONNECT_PATH } from "../bridge/protocol";
import { timingSafeEqual } from "../crypto/encoding";
import type { Env } from "../env";
import { ApiError } from "../http/errors";

export const bridgeRoutes = new Hono<{ Bindings: Env }>().get(BRIDGE_CONNECT_PATH, async (c) => {
  const secret = c.env.BRIDGE_SECRET;
  if (!secret) throw new ApiError(503, "BRIDGE_SECRET is not set: set it on the Worker and give the bridge the same value (docs/bridge.md)");
  const presented = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  if (!timingSafeEqual(presented, secret)) throw new ApiError(401, "unauthorized");
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new ApiError(426, "expected a WebSocket upgrade");
  return c.env.BRIDGE_HUB.getByName("hub").fetch(c.req.raw);
});
