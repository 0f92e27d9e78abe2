// A moment shown relative ("5 minutes ago") with the exact date on hover and for machines.
import { dateTime, timeAgo } from "../lib/format";

export function Time({ at }: { at: number | null | undefined }) {
  if (!at) return <span class="muted">—</span>;
  return (
    <time dateTime={new Date(at).toISOString()} title={dateTime(at)}>
      {timeAgo(at)}
    </time>
  );
}
