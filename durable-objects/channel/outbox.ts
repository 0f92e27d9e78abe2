// Delivers queued replies in order per chat: honours 429 retry_after, backs off on 5xx and
// network errors, gives up after a bound with an error in the log.
import { ProviderError } from "../../worker/providers/errors";
import type { LogLevel } from "../../worker/db/logs";
import { SharedPause } from "./io-pause";
import type { LocalStore, OutboxRow } from "./local-store";
import type { ChannelRuntime } from "./runtime";

/** Attempts before a message is given up (logged as an error). */
export const MAX_SEND_ATTEMPTS = 6;
const BASE_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

export interface OutboxHooks {
  runtime(): Promise<ChannelRuntime | null>;
  log(level: LogLevel, event: string, message: string, detail?: Record<string, unknown>): void;
  /** True while the channel is stopped: nothing is sent; queued replies wait for the next start. */
  paused(): boolean;
  /** The provider refused the credential: the channel is in error until fixed. */
  onUnauthorized(reason: string): Promise<void>;
  onDelivered(): void;
}

export class Outbox {
  /** Chats with a flush under way: one sender per chat keeps the order and prevents double sends. */
  private readonly flushing = new Map<string, Promise<void>>();
  /**
   * Sends that succeed together are marked done together: one commit for all of them instead of
   * one each (a disk sync each in the local runtime). The mark waits at most one turn of the loop.
   */
  private readonly marking = new SharedPause();

  constructor(
    private readonly store: LocalStore,
    private readonly hooks: OutboxHooks,
  ) {}

  /** Sends every due message of every chat; resolves once the flushes already under way are done too. */
  async flushAll(): Promise<void> {
    await Promise.all([...this.store.outboxChats().map((chatId) => this.flushChat(chatId)), ...this.flushing.values()]);
  }

  /**
   * Sends a chat's due messages in order, stopping at the first that must wait. While a flush of
   * the chat is under way, that flush is returned: it reads the chat's queue again after every
   * send, so it also sends what was queued meanwhile.
   */
  flushChat(chatId: string): Promise<void> {
    if (this.hooks.paused()) return Promise.resolve();
    let flush = this.flushing.get(chatId);
    if (!flush) {
      flush = this.sendQueued(chatId).finally(() => this.flushing.delete(chatId));
      this.flushing.set(chatId, flush);
    }
    return flush;
  }

  private async sendQueued(chatId: string): Promise<void> {
    const runtime = await this.hooks.runtime();
    if (!runtime) return;
    for (let row = this.store.nextOutbound(chatId); row && row.nextAttemptAt <= Date.now() && !this.hooks.paused(); row = this.store.nextOutbound(chatId)) {
      if (!(await this.sendOne(runtime, row))) break;
    }
  }

  /** True when the chat may continue with its next message. */
  private async sendOne(runtime: ChannelRuntime, row: OutboxRow): Promise<boolean> {
    const detail = { chat: row.chatId, attempt: row.attempts + 1, key: row.dedupeKey, kind: row.op.kind };
    try {
      const done = await perform(runtime, row);
      await this.marking.wait();
      this.store.completeOutbound(row);
      this.hooks.log("info", "outbound.sent", done, detail);
      this.hooks.onDelivered();
      return true;
    } catch (error) {
      const failure = error instanceof ProviderError ? error : new ProviderError("transient", (error as Error).message);
      if (failure.kind === "unauthorized") {
        this.store.completeOutbound(row);
        this.hooks.log("error", "outbound.failed", `Not sent, credential refused: ${failure.message}`, detail);
        await this.hooks.onUnauthorized(`token revoked or invalid (${failure.message})`);
        return true;
      }
      if (failure.kind === "permanent" || row.attempts + 1 >= MAX_SEND_ATTEMPTS) {
        this.store.completeOutbound(row);
        const why = failure.kind === "permanent" ? "refused by the provider" : `gave up after ${MAX_SEND_ATTEMPTS} attempts`;
        this.hooks.log("error", "outbound.failed", `Not sent, ${why}: ${failure.message}`, detail);
        return true;
      }
      const delay =
        failure.kind === "rate-limited" && failure.retryAfterMs !== undefined
          ? failure.retryAfterMs
          : Math.min(BASE_BACKOFF_MS * 2 ** row.attempts, MAX_BACKOFF_MS);
      this.store.retryOutboundLater(row, Date.now() + delay);
      this.hooks.log("warn", "outbound.retry", `Send failed (${failure.kind}), retrying in ${Math.ceil(delay / 1000)} s: ${failure.message}`, detail);
      return false;
    }
  }
}

/** Carries out one operation; returns the log line describing it. */
async function perform(runtime: ChannelRuntime, row: OutboxRow): Promise<string> {
  const { adapter, context } = runtime;
  const { chatId: address, op } = row;
  switch (op.kind) {
    case "text":
      // The row's key survives retries: providers that de-duplicate sends recognise the retry.
      await adapter.sendText(context, { address, text: op.text, replyTo: op.replyTo, idempotencyKey: row.dedupeKey });
      return `Sent ${op.text.length} characters`;
    case "edit":
      if (!adapter.editText) throw new ProviderError("permanent", `${adapter.label} cannot edit messages`);
      await adapter.editText(context, address, op.messageId, op.text);
      return `Completed a streamed reply (${op.text.length} characters)`;
    case "voice":
      if (!adapter.sendVoice) throw new ProviderError("permanent", `${adapter.label} cannot send voice notes`);
      await adapter.sendVoice(context, address, { bytes: op.audio, mime: op.mime });
      return `Sent a voice note (${op.audio.length} bytes, ${op.mime})`;
  }
}
