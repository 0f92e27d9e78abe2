// The typing indicator while an agent works.
import type { ChannelRuntime } from "./runtime";

/** An answer within the first second needs no indicator (and costs no provider call). */
const TYPING_DELAY_MS = 1000;
/** Telegram shows "typing…" for about 5 s; refreshed a little sooner. */
const TYPING_REFRESH_MS = 4000;

/** Shows "typing…" at `address` until the returned function is called; best effort. */
export function startTyping(runtime: ChannelRuntime, address: string): () => void {
  const { adapter, context } = runtime;
  if (!adapter.sendTyping) return () => undefined;
  const send = () => void adapter.sendTyping!(context, address).catch(() => undefined);
  let refresh: ReturnType<typeof setInterval> | undefined;
  const first = setTimeout(() => {
    send();
    refresh = setInterval(send, TYPING_REFRESH_MS);
  }, TYPING_DELAY_MS);
  return () => {
    clearTimeout(first);
    if (refresh) clearInterval(refresh);
  };
}
