// Dates and times as the pages show them.

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const clock = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** "3 minutes ago", "in 55 minutes". */
export function timeAgo(at: number, now = Date.now()): string {
  const seconds = Math.round((at - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds <= 0 ? "just now" : "in a moment";
  if (abs < 3600) return relative.format(Math.round(seconds / 60), "minute");
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), "hour");
  return relative.format(Math.round(seconds / 86_400), "day");
}

export function dateTime(at: number): string {
  return absolute.format(at);
}

export function timeOfDay(at: number): string {
  return clock.format(at);
}

const dayHour = new Intl.DateTimeFormat(undefined, { weekday: "short", hour: "2-digit" });
const hourOnly = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** A chart label: "14:00" within a day, "Tue 14" across a week. */
export function dayAndHour(at: number, hourOnlyLabel: boolean): string {
  return (hourOnlyLabel ? hourOnly : dayHour).format(at);
}

/** A latency: "850 ms", "2.4 s", "1.5 min". */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

const stamp = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** A log line's moment: date and time ("Nov 29, 22:05:13"). */
export function logStamp(at: number): string {
  return stamp.format(at);
}
