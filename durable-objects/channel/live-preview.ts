// Shows a streaming answer while it grows: one message, edited no faster than the provider's
// edit pace (`limits.editIntervalMs`; about once a second for Telegram and Slack). The final text is delivered through the outbox, not from here, so
// a failed preview never loses the answer.
import type { LocalStore } from "./local-store";
import type { ChannelRuntime } from "./runtime";

export class LivePreview {
  private messageId: string | null = null;
  private shown = "";
  private latest = "";
  /** Starts at creation: an answer that is complete within the first interval goes out as one message. */
  private lastCallAt = Date.now();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private stopped = false;

  /**
   * @param mayStart asked once before the first preview message: false when the chat has moved
   *   on (another thread is active), so no stray preview appears in the wrong context.
   */
  constructor(
    private readonly runtime: ChannelRuntime,
    private readonly store: LocalStore,
    private readonly address: string,
    private readonly mayStart: () => Promise<boolean>,
  ) {}

  /** Feeds the answer so far; the preview catches up within the interval. */
  readonly update = (textSoFar: string): void => {
    this.latest = textSoFar;
    if (this.stopped || this.timer) return;
    const wait = Math.max(0, this.lastCallAt + this.runtime.adapter.limits.editIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.inFlight = this.inFlight.then(() => this.show());
    }, wait);
  };

  /** Stops previewing; resolves with the preview message's id, if one was shown. */
  async settle(): Promise<string | null> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight;
    return this.messageId;
  }

  private async show(): Promise<void> {
    const { adapter, context } = this.runtime;
    const text = truncate(this.latest.trim(), adapter.limits.maxTextLength);
    if (this.stopped || !text || text === this.shown) return;
    this.lastCallAt = Date.now();
    try {
      if (this.messageId === null) {
        // Replies still queued for this chat go first; a preview must not overtake them.
        if (this.store.hasOutbound(this.address)) return;
        if (!(await this.mayStart())) {
          this.stopped = true;
          return;
        }
        this.messageId = (await adapter.sendText(context, { address: this.address, text })).messageId;
      } else {
        await adapter.editText!(context, this.address, this.messageId, text);
      }
      this.shown = text;
    } catch {
      // Rate limits or a hiccup: stop previewing; the outbox still delivers the whole answer.
      this.stopped = true;
    }
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
