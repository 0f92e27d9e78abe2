// Writes the DO's buffered log entries to D1 in batches, with the channel row's last
// inbound/outbound times in the same round trip.
import { eq } from "drizzle-orm";
import type { Db } from "../../worker/db/client";
import { writeLogs } from "../../worker/db/logs";
import { channels } from "../../worker/db/schema";
import type { LocalStore } from "./local-store";

/** Entries per batch: chunked further by writeLogs to stay under D1's parameter limit. */
const LOG_FLUSH_BATCH = 200;

export async function flushLogs(store: LocalStore, db: Db, channelId: string): Promise<void> {
  for (let first = true; ; first = false) {
    const { upTo, entries } = store.bufferedLogs(LOG_FLUSH_BATCH);
    const activity = first ? activityUpdate(store, db, channelId) : null;
    if (entries.length === 0 && !activity) return;
    await writeLogs(db, channelId, entries.map((entry) => ({ ...entry, channelId })), activity?.query);
    store.dropLogs(upTo);
    if (activity) store.put("activityWritten", activity.written);
  }
}

/** The update of the channel row's activity times, when they changed since last written. */
function activityUpdate(store: LocalStore, db: Db, channelId: string) {
  const inbound = store.get<number>("lastInboundAt") ?? null;
  const outbound = store.get<number>("lastOutboundAt") ?? null;
  const written = store.get<[number | null, number | null]>("activityWritten");
  if (written && written[0] === inbound && written[1] === outbound) return null;
  return {
    query: db.update(channels).set({ lastInboundAt: inbound, lastOutboundAt: outbound }).where(eq(channels.id, channelId)),
    written: [inbound, outbound],
  };
}
