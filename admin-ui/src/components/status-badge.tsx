// A channel's status: colour and words (never colour alone), with the reason whenever it is not running.
import type { ChannelStatus } from "../lib/types";

const LABELS: Record<ChannelStatus, string> = {
  running: "Running",
  starting: "Starting",
  "awaiting-login": "Awaiting login",
  stopped: "Stopped",
  error: "Error",
};

export function StatusBadge({ status, reason }: { status: ChannelStatus; reason?: string | null }) {
  return (
    <span class="status-wrap">
      <span class={`status status-${status}`} data-status={status}>
        <span class="status-dot" aria-hidden="true" />
        {LABELS[status]}
      </span>
      {reason && status !== "running" && <span class="status-reason">{reason}</span>}
    </span>
  );
}
