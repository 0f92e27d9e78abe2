// Liveness: answers without touching storage, so it is safe for uptime checks.
import { Hono } from "hono";
import type { Env } from "../env";

export const healthRoutes = new Hono<{ Bindings: Env }>().get("/healthz", (c) =>
  c.json({ ok: true, service: "switchboard", time: new Date().toISOString() }),
);
