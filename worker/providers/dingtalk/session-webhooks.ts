// The newest session webhook DingTalk handed out per conversation. Each callback carries one
// (`sessionWebhook`, valid until `sessionWebhookExpiredTime`): posting to it
// needs no token and no send permission. It is kept in memory, not in the reply address, because
// it is a bearer URL — in the address it would be written to D1 (routes, pairing requests) and
// to the channel's logs. After the object restarts, or once it expires, replies go through the
// robot send API instead.

/** A webhook this close to expiry is not used: the request could arrive after it. */
const EXPIRY_MARGIN_MS = 60_000;
/** Conversations remembered per isolate; the oldest are forgotten first. */
const MAX_ENTRIES = 5_000;

const webhooks = new Map<string, { url: string; expiresAt: number }>();

function keyOf(channelId: string, conversationId: string): string {
  return `${channelId}\n${conversationId}`;
}

/** Keeps `url` for the conversation unless a webhook that lives longer is already known. */
export function rememberSessionWebhook(channelId: string, conversationId: string, url: string, expiresAt: number): void {
  const key = keyOf(channelId, conversationId);
  const known = webhooks.get(key);
  if (known && known.expiresAt >= expiresAt) return;
  webhooks.delete(key);
  webhooks.set(key, { url, expiresAt });
  if (webhooks.size > MAX_ENTRIES) webhooks.delete(webhooks.keys().next().value!);
}

/** The conversation's session webhook while it is valid, else null. */
export function sessionWebhookFor(channelId: string, conversationId: string, now = Date.now()): string | null {
  const known = webhooks.get(keyOf(channelId, conversationId));
  return known && known.expiresAt - EXPIRY_MARGIN_MS > now ? known.url : null;
}

/** DingTalk refused the webhook: the robot send API takes over for this conversation. */
export function forgetSessionWebhook(channelId: string, conversationId: string): void {
  webhooks.delete(keyOf(channelId, conversationId));
}
