// What message handling may use: the channel's runtime, D1, the DO's local store and log.
import type { BackendEnv } from "../../worker/backends/types";
import type { InboundMessage } from "../../worker/core/types";
import { splitText } from "../../worker/core/split-text";
import type { Db } from "../../worker/db/client";
import type { LogLevel } from "../../worker/db/logs";
import type { ChannelCache } from "./channel-cache";
import type { GroupedWrites } from "./grouped-writes";
import type { LocalStore } from "./local-store";
import type { SenderLimits } from "./sender-limits";
import type { RunningTurn } from "./turn-watch";
import type { ChannelRuntime } from "./runtime";

export interface ChannelDeps {
  db: Db;
  /** D1 writes of the hot path, grouped with other chats' into shared round trips. */
  writes: GroupedWrites;
  /** Active threads and senders, remembered between messages. */
  cache: ChannelCache;
  /** Bindings for agent backends (Workers AI). */
  env: BackendEnv;
  runtime: ChannelRuntime;
  store: LocalStore;
  /** Per-sender notice throttling and pace. */
  limits: SenderLimits;
  log(level: LogLevel, event: string, message: string, detail?: Record<string, unknown>): void;
  /** Watches an agent turn answering at `address`: its time limit, and "typing…" while it runs long. */
  watchTurn(address: string): RunningTurn;
  /** Starts delivering the chat's queued replies now instead of when the event is finished. */
  deliverNow(address: string): void;
}

/**
 * Replies for one inbound event. Every chunk gets a key derived from the event id and its
 * position, so handling the same event again after a crash cannot queue a second copy.
 */
export class ReplySink {
  private count = 0;

  constructor(
    private readonly deps: ChannelDeps,
    private readonly eventId: string,
    private readonly address: string,
    private readonly replyTo?: string,
  ) {}

  static forMessage(deps: ChannelDeps, message: InboundMessage): ReplySink {
    // Quote the question in groups so the answer's context is clear; DMs need no quoting.
    return new ReplySink(deps, message.eventId, message.address, message.chat.type === "group" ? message.messageId : undefined);
  }

  send(text: string): void {
    for (const chunk of splitText(text, this.deps.runtime.adapter.limits.maxTextLength)) {
      this.deps.store.enqueue(this.nextKey(), this.address, { kind: "text", text: chunk, replyTo: this.replyTo });
    }
  }

  /** Completes a streamed reply: the preview message becomes the first chunk, the rest follow. */
  finishPreview(previewMessageId: string, text: string): void {
    const [first, ...rest] = splitText(text, this.deps.runtime.adapter.limits.maxTextLength);
    this.deps.store.enqueue(this.nextKey(), this.address, { kind: "edit", messageId: previewMessageId, text: first! });
    for (const chunk of rest) this.deps.store.enqueue(this.nextKey(), this.address, { kind: "text", text: chunk, replyTo: this.replyTo });
  }

  sendVoice(audio: Uint8Array, mime: string): void {
    this.deps.store.enqueue(this.nextKey(), this.address, { kind: "voice", audio, mime });
  }

  private nextKey(): string {
    return `${this.eventId}:${this.count++}`;
  }
}
