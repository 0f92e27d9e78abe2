// ChannelDO: one per channel plugin. It owns the channel's lifecycle (status machine), takes in
// verified webhooks (stored and de-duplicated before the provider gets its 200), processes them
// in order per chat from its alarm, and delivers replies through its outbox.
import { DurableObject } from "cloudflare:workers";
import type { CommandSyntax } from "../worker/core/commands";
import { chatKeyOf } from "../worker/core/types";
import { setChannelStatus, deleteChannelData, type ChannelStatus } from "../worker/db/channels";
import { getDb, type Db } from "../worker/db/client";
import type { LogLevel } from "../worker/db/logs";
import type { Env } from "../worker/env";
import { ProviderError } from "../worker/providers/errors";
import { decidePairing, deliverPush, type OperationResult, type PushDelivery } from "./channel/admin-decisions";
import { handleInbound } from "./channel/conversation";
import { ReplySink, type ChannelDeps } from "./channel/deps";
import { ChannelCache } from "./channel/channel-cache";
import { InboxProcessor } from "./channel/inbox-processor";
import { LocalStore } from "./channel/local-store";
import { Outbox } from "./channel/outbox";
import { flushLogs } from "./channel/log-flush";
import { loadRuntime, type ChannelRuntime } from "./channel/runtime";
import { texts } from "./channel/texts";
import { startTyping } from "./channel/typing";

/** What the Worker answers the provider: a status and a JSON body (as text). */
export interface IngestResult {
  status: number;
  body: string;
}

const answer = (status: number, body: unknown): IngestResult => ({ status, body: JSON.stringify(body) });
const OK = answer(200, { ok: true });

export interface StatusView {
  status: ChannelStatus;
  reason: string | null;
}

export type { OperationResult, PushDelivery };

/** How often reading a channel may ask the provider for its delivery status. */
const PROBE_INTERVAL_MS = 30_000;
/** How often a running channel asks the provider on its own. */
const BACKGROUND_PROBE_MS = 10 * 60_000;

export class ChannelDO extends DurableObject<Env> {
  private readonly store: LocalStore;
  private readonly db: Db;
  private readonly processor: InboxProcessor;
  private readonly outbox: Outbox;
  private readonly cache: ChannelCache;
  private runtimePromise: Promise<ChannelRuntime | null> | null = null;
  private alarmRunning = false;
  /** The provider's command syntax, known once the runtime has loaded. */
  private commandSyntax: CommandSyntax | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new LocalStore(ctx.storage.sql);
    this.db = getDb(env.DB);
    this.cache = new ChannelCache(this.db, () => this.store.get<string>("channelId")!);
    this.outbox = new Outbox(this.store, {
      runtime: () => this.runtime(),
      log: (...args) => this.log(...args),
      onUnauthorized: (reason) => this.setStatus("error", reason),
      onDelivered: () => this.onDelivered(),
    });
    this.processor = new InboxProcessor(this.store, {
      handle: async (row) => {
        const runtime = await this.runtime();
        if (!runtime) return {};
        return handleInbound(this.deps(runtime), row.message);
      },
      giveUp: (row) => {
        void this.runtime().then((runtime) => runtime && ReplySink.forMessage(this.deps(runtime), row.message).send(texts.processingFailed));
      },
      log: (...args) => this.log(...args),
      afterEvent: (row) => this.outbox.flushChat(row.message.chat.id),
      commandSyntax: () => this.commandSyntax,
    });
  }

  // ---------------------------------------------------------------- inbound

  /** Verifies, parses and stores one webhook delivery; the answer goes back to the provider. */
  async ingest(channelId: string, provider: string, headers: [string, string][], rawBody: string): Promise<IngestResult> {
    // Remember the id only for a channel that exists: random ids in webhook URLs leave no state.
    const runtime = await this.runtime(channelId);
    if (!runtime || runtime.row.provider !== provider) return answer(404, { error: "unknown channel" });
    this.remember(channelId);
    const { adapter, context } = runtime;

    if (!(await adapter.verifyWebhook(context, new Headers(headers), rawBody))) {
      this.log("warn", "inbound.rejected", "Webhook rejected: the secret or signature does not match");
      await this.schedule();
      return answer(401, { error: "unauthorized" });
    }
    let parsed;
    try {
      parsed = adapter.parseWebhook(context, rawBody);
    } catch {
      this.log("warn", "inbound.malformed", "Webhook body is not a valid update");
      await this.schedule();
      return answer(400, { error: "malformed update" });
    }
    if (parsed.kind === "reply") return answer(parsed.response.status, parsed.response.body);
    if (parsed.kind === "ignored") {
      this.log("info", "inbound.ignored", `Ignored: ${parsed.reason}`, { eventId: parsed.eventId });
      await this.schedule();
      return OK;
    }
    const message = parsed.message;
    if (runtime.row.status === "stopped") {
      this.log("info", "inbound.dropped", "Dropped: the channel is stopped", { eventId: message.eventId });
      await this.schedule();
      return OK;
    }
    if (!this.store.addInbound(message.eventId, chatKeyOf(message), message)) {
      this.log("info", "inbound.duplicate", "Dropped: this update was already received (provider redelivery)", { eventId: message.eventId });
    } else {
      this.store.put("lastInboundAt", Date.now());
      if (this.alarmRunning) this.processor.kick();
      // A delivery problem the provider reported is over once a delivery arrives.
      if (runtime.row.status === "error" && this.store.get("errorKind") === "delivery") {
        this.log("info", "channel.recovered", "Deliveries arrive again; the channel is running");
        this.ctx.waitUntil(this.setStatus("running", null));
      }
    }
    await this.schedule();
    return OK;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Connects the provider (registers the webhook at `publicUrl`) and reports the new status. */
  async start(channelId: string, publicUrl: string): Promise<StatusView> {
    this.remember(channelId);
    const runtime = await this.requireRuntime();
    await this.setStatus("starting", null);
    const webhookUrl = `${publicUrl.replace(/\/+$/, "")}/webhooks/${runtime.row.provider}/${channelId}`;
    try {
      await runtime.adapter.start(runtime.context, webhookUrl);
      this.log("info", "channel.started", `Started; webhook registered at ${webhookUrl}`);
      await this.setStatus("running", null);
      this.store.put("runningSince", Date.now());
      await this.schedule();
    } catch (error) {
      const message = (error as Error).message;
      const reason =
        error instanceof ProviderError && error.kind === "unauthorized"
          ? `token revoked or invalid (${message})`
          : `webhook rejected by provider: ${message}`;
      this.log("error", "channel.start_failed", `Start failed: ${reason}`);
      await this.setStatus("error", reason);
    }
    await this.flushLogs();
    return this.statusView();
  }

  /** Disconnects the provider; later deliveries are acknowledged but not processed. */
  async stop(channelId: string, reason = "stopped by an admin"): Promise<StatusView> {
    this.remember(channelId);
    const runtime = await this.requireRuntime();
    try {
      await runtime.adapter.stop(runtime.context);
      this.log("info", "channel.stopped", `Stopped: ${reason}`);
    } catch (error) {
      // Stopping must always work locally; say that the provider may still deliver.
      this.log("warn", "channel.stopped", `Stopped: ${reason}; the provider could not be told: ${(error as Error).message}`);
    }
    await this.setStatus("stopped", reason);
    await this.flushLogs();
    return this.statusView();
  }

  /** Asks the provider how delivery is going and records an honest status. */
  async probe(channelId: string): Promise<StatusView> {
    this.remember(channelId);
    // The admin UI polls; the provider is asked at most every PROBE_INTERVAL_MS.
    if (await this.probeProvider(PROBE_INTERVAL_MS)) await this.flushLogs();
    return this.statusView();
  }

  /** Forgets cached channel data after the admin API changed the channel. */
  async reload(channelId: string): Promise<void> {
    this.remember(channelId);
    this.runtimePromise = null;
    this.cache.clear();
  }

  /** Stops the channel and removes everything that belongs only to it (SPEC §10). */
  async destroy(channelId: string): Promise<void> {
    this.remember(channelId);
    const runtime = await this.runtime();
    if (runtime && runtime.row.status !== "stopped") {
      await runtime.adapter.stop(runtime.context).catch(() => undefined);
    }
    await deleteChannelData(this.db, channelId);
    this.runtimePromise = null;
    this.cache.clear();
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    // This instance may still be asked (a late webhook): answer from empty tables.
    this.store.createTables();
  }

  // ---------------------------------------------------------------- pairing

  /** Approves a pending request: the user is told, and the message they were held on is answered. */
  async approvePairing(channelId: string, requestId: string): Promise<OperationResult> {
    return this.decide(channelId, requestId, "approved");
  }

  async rejectPairing(channelId: string, requestId: string): Promise<OperationResult> {
    return this.decide(channelId, requestId, "rejected");
  }

  /** Delivers a push-API message to one chat, or holds it when its thread is not active there. */
  async deliverPush(channelId: string, push: PushDelivery): Promise<"delivered" | "held"> {
    this.remember(channelId);
    const outcome = await deliverPush(this.deps(await this.requireRuntime()), push);
    await this.schedule();
    return outcome;
  }

  /** Writes buffered log entries to D1 now (the logs API calls this before reading). */
  async flushLogs(): Promise<void> {
    const channelId = this.store.get<string>("channelId");
    if (channelId) await flushLogs(this.store, this.db, channelId);
  }

  // ---------------------------------------------------------------- alarm

  async alarm(): Promise<void> {
    if (!this.store.get<string>("channelId")) return;
    this.alarmRunning = true;
    try {
      this.processor.kick();
      await this.processor.drain();
      await this.outbox.flushAll();
      this.store.pruneInbox();
      // Between admin visits the channel checks itself, so the channel list stays honest.
      const probeDue = await this.probeDueAt();
      if (probeDue !== null && probeDue <= Date.now()) await this.probeProvider(0);
    } finally {
      this.alarmRunning = false;
      try {
        await this.flushLogs();
        this.store.logFlushSucceeded();
      } catch {
        // D1 unavailable: the entries stay buffered and a later pass writes them, backing off.
        this.store.logFlushFailed();
      }
      await this.schedule();
    }
  }

  // ---------------------------------------------------------------- internals

  private remember(channelId: string): void {
    if (this.store.get<string>("channelId") !== channelId) this.store.put("channelId", channelId);
  }

  private runtime(channelId = this.store.get<string>("channelId")): Promise<ChannelRuntime | null> {
    if (!channelId) return Promise.resolve(null);
    if (!this.runtimePromise) {
      this.runtimePromise = loadRuntime(this.env, this.db, channelId).then(
        (runtime) => {
          if (!runtime) this.runtimePromise = null; // not created yet, or deleted: ask again next time
          this.commandSyntax = runtime?.adapter.commandSyntax ?? null;
          return runtime;
        },
        (error) => {
          this.runtimePromise = null;
          throw error;
        },
      );
    }
    return this.runtimePromise;
  }

  private async requireRuntime(): Promise<ChannelRuntime> {
    const runtime = await this.runtime();
    if (!runtime) throw new Error("channel not found");
    return runtime;
  }

  private async decide(channelId: string, requestId: string, decision: "approved" | "rejected"): Promise<OperationResult> {
    this.remember(channelId);
    const result = await decidePairing(this.deps(await this.requireRuntime()), requestId, decision);
    await this.schedule();
    return result;
  }

  private deps(runtime: ChannelRuntime): ChannelDeps {
    return {
      db: this.db,
      cache: this.cache,
      env: this.env,
      runtime,
      store: this.store,
      log: (...args) => this.log(...args),
      startTyping: (chatId) => startTyping(runtime, chatId),
      deliverNow: (chatId) => void this.outbox.flushChat(chatId),
    };
  }

  private log(level: LogLevel, event: string, message: string, detail?: Record<string, unknown>): void {
    this.store.bufferLog({ level, event, message, detail: detail ?? null, createdAt: Date.now() });
  }

  private async setStatus(status: ChannelStatus, reason: string | null): Promise<void> {
    const runtime = await this.runtime();
    if (!runtime) return;
    this.store.delete("errorKind");
    await setChannelStatus(this.db, runtime.row.id, status, reason);
    runtime.row.status = status;
    runtime.row.statusReason = reason;
  }

  private statusView(): Promise<StatusView> {
    return this.requireRuntime().then((runtime) => ({ status: runtime.row.status, reason: runtime.row.statusReason }));
  }

  private onDelivered(): void {
    this.store.put("lastOutboundAt", Date.now());
    void this.runtime().then(async (runtime) => {
      // A successful send proves the credential works again.
      if (runtime?.row.status === "error") {
        this.log("info", "channel.recovered", "A message was delivered again; the channel is running");
        await this.setStatus("running", null);
      }
    });
  }

  /**
   * Asks the provider how delivery is going when the last probe is older than `interval`, and
   * records an honest status; true when it asked.
   */
  private async probeProvider(interval: number): Promise<boolean> {
    const runtime = await this.runtime();
    const lastProbeAt = this.store.get<number>("lastProbeAt") ?? 0;
    if (runtime?.row.status !== "running" || !runtime.adapter.probe || Date.now() - lastProbeAt < interval) return false;
    this.store.put("lastProbeAt", Date.now());
    try {
      const result = await runtime.adapter.probe(runtime.context);
      if (!result.ok) {
        this.log("warn", "channel.probe", `Provider reports a problem: ${result.reason}`);
        await this.setStatus("error", result.reason);
        this.store.put("errorKind", "delivery");
      }
    } catch (error) {
      if (error instanceof ProviderError && error.kind === "unauthorized") await this.setStatus("error", `token revoked or invalid (${error.message})`);
    }
    return true;
  }

  /** When a running channel's next background probe is due, or null. */
  private async probeDueAt(): Promise<number | null> {
    const runtime = await this.runtime().catch(() => null);
    if (runtime?.row.status !== "running" || !runtime.adapter.probe) return null;
    const since = Math.max(this.store.get<number>("lastProbeAt") ?? 0, this.store.get<number>("runningSince") ?? 0);
    return since + BACKGROUND_PROBE_MS;
  }

  /** Arms the alarm for the earliest due work or probe; the alarm re-arms itself after each pass. */
  private async schedule(): Promise<void> {
    const candidates = [this.store.nextDueAt(), await this.probeDueAt()].filter((at): at is number => at !== null);
    if (candidates.length === 0) return;
    const due = Math.min(...candidates);
    const current = await this.ctx.storage.getAlarm();
    const at = Math.max(due, Date.now());
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }
}
