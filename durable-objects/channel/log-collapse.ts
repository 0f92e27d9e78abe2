// Collapses repeated log entries: the first of a kind is logged, the same entry again within the
// window only counts, and one summary line with the count follows when the window closes. A storm
// of rejected webhooks or one spamming user costs a few entries instead of wiping the channel's
// bounded log.

export const COLLAPSE_WINDOW_MS = 60_000;

/**
 * Entries the outside world can repeat at will (rejected or duplicate deliveries, drops, refusals,
 * a pending user writing again). Accepted messages, sends and failures are always logged one by one.
 */
export function collapsible(event: string): boolean {
  return (event.startsWith("inbound.") && event !== "inbound.accepted") || event === "pairing.pending" || event === "pairing.rate_limited";
}

export interface LogEntry {
  level: "info" | "warn" | "error";
  event: string;
  message: string;
}

interface Window {
  entry: LogEntry;
  openedAt: number;
  repeats: number;
}

export class LogCollapser {
  private readonly windows = new Map<string, Window>();

  /** True when the entry should be written now; false when it only counts as a repeat. */
  admit(entry: LogEntry, now = Date.now()): boolean {
    if (!collapsible(entry.event)) return true;
    const key = `${entry.level}\u0000${entry.event}\u0000${entry.message}`;
    const open = this.windows.get(key);
    if (open && now - open.openedAt < COLLAPSE_WINDOW_MS) {
      open.repeats += 1;
      return false;
    }
    this.windows.set(key, { entry, openedAt: now, repeats: 0 });
    return true;
  }

  /** Summaries of the windows that closed with repeats; closed windows are forgotten. */
  closed(now = Date.now()): (LogEntry & { repeats: number })[] {
    const summaries = [];
    for (const [key, window] of this.windows) {
      if (now - window.openedAt < COLLAPSE_WINDOW_MS) continue;
      this.windows.delete(key);
      if (window.repeats > 0) summaries.push({ ...window.entry, repeats: window.repeats });
    }
    return summaries;
  }

  /** When the earliest window with repeats closes (the summary is due), or null. */
  nextDueAt(): number | null {
    let due: number | null = null;
    for (const window of this.windows.values()) {
      if (window.repeats > 0) due = Math.min(due ?? Infinity, window.openedAt + COLLAPSE_WINDOW_MS);
    }
    return due;
  }
}
