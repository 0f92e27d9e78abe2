// What a token provider's socket (Discord's gateway, Slack's Socket Mode) tells the Worker about
// itself: `connected` when it is up, `disconnected` when it dropped. A drop that is over within
// the grace period (Discord's routine reconnects, Slack's connection refreshes) is not reported:
// the channel's status would only flicker. A drop that cannot be retried is reported at once.
import type { BridgeEvent, SessionStatus } from "../../worker/bridge/protocol.ts";

export const DEFAULT_DOWN_GRACE_MS = 10_000;

export class ConnectionReporter {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private reportedUp = false;
  private reportedDown = false;
  private closed = false;
  private reason: string | null = null;
  private lastEventAt: number | null = null;

  constructor(
    private readonly emit: (event: BridgeEvent) => void,
    private readonly graceMs = DEFAULT_DOWN_GRACE_MS,
  ) {}

  /** The socket is up; the Worker is told when it did not know yet. */
  up(account: { id: string; name: string; details: Record<string, unknown> }): void {
    this.clearTimer();
    this.reason = null;
    this.touch();
    if (this.closed || (this.reportedUp && !this.reportedDown)) return;
    this.reportedUp = true;
    this.reportedDown = false;
    this.emit({ type: "login", login: { state: "connected", account } });
  }

  down(reason: string, reconnecting: boolean): void {
    this.reason = reason;
    if (this.closed) return;
    if (!reconnecting) {
      this.clearTimer();
      this.reportedDown = true;
      this.emit({ type: "login", login: { state: "disconnected", reason, reconnecting: false } });
      return;
    }
    if (this.timer || this.reportedDown) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.closed) return;
      this.reportedDown = true;
      this.emit({ type: "login", login: { state: "disconnected", reason: this.reason ?? reason, reconnecting: true } });
    }, this.graceMs);
  }

  touch(): void {
    this.lastEventAt = Date.now();
  }

  /** The session is stopping: nothing more is reported. */
  close(): void {
    this.closed = true;
    this.clearTimer();
  }

  status(state: SessionStatus["state"]): SessionStatus {
    return { state, reason: state === "running" ? null : this.reason, lastEventAt: this.lastEventAt };
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
