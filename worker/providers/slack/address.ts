// Where a Slack reply goes. The core treats it as opaque; only this adapter reads it.
// A DM is answered in the DM channel (`D…`); a channel message is answered in a thread under the
// question (or in the thread it was asked in): `C…:<thread_ts>`. Neither part contains a colon.

export interface SlackTarget {
  channel: string;
  threadTs?: string;
}

export function slackAddress(channel: string, threadTs?: string): string {
  return threadTs ? `${channel}:${threadTs}` : channel;
}

export function readSlackAddress(address: string): SlackTarget {
  const at = address.indexOf(":");
  return at < 0 ? { channel: address } : { channel: address.slice(0, at), threadTs: address.slice(at + 1) };
}

/** Slack timestamps ("1712345678.123456") are message ids and Unix seconds at once. */
export function tsToMillis(ts: string): number {
  return Math.round(Number(ts) * 1000);
}

/**
 * Slack reads `<…>` as links and mentions (`<!channel>` pings everyone) and `&` as the start of
 * an entity, so the three are escaped in what we send: an agent echoing user input cannot ping
 * a whole channel.
 */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The inverse for inbound text, so the agent sees "a < b", not "a &lt; b". */
export function unescapeSlackText(text: string): string {
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
