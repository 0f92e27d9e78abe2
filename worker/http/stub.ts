// Access to a channel's Durable Object, and the public base URL webhooks are registered at.
import type { Context } from "hono";
import type { Env } from "../env";

export function channelStub(env: Env, channelId: string) {
  return env.CHANNEL.getByName(channelId);
}

export function publicUrl(c: Context<{ Bindings: Env }>): string {
  return c.env.PUBLIC_URL || new URL(c.req.url).origin;
}
