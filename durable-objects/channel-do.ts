// ChannelDO: one per channel plugin. It owns the channel's lifecycle (status machine), takes in
// verified inbound requests (stored and de-duplicated before the provider gets its answer),
// processes them in order per chat from its alarm, and delivers replies through its outbox.
import { DurableObject } from "cloudflare:workers";
import type { Directory } from "../worker/bridge/protocol";
import { commandOf, parseCommand } from "../worker/core/commands";
import { chatKeyOf } from "../worker/core/types";
import { setChannelStatus, deleteChannelData, type ChannelStatus } from "../worker/db/channels";
import { getDb, type Db } from "../worker/db/client";
import { pruneStaleAccess } from "../worker/db/pairing";
import type { LogLevel } from "../worker/db/logs";
import type { Env } from "../worker/env";
import { ProviderError } from "../worker/providers/errors";
import { jsonAck, usesBridgeSocket, type InboundEvent, type InboundRequest, type ProviderAck, type SetupGuide } from "../worker/providers/types";
import { applyLogin, clearCredentials, storeCredentials, withCredentialEntries, type AccountConflict, type LoginQr } from "./channel/login";
import { decidePairing, deliverPush, type OperationResult, type PushDelivery, type PushOutcome } from "./channel/admin-decisions";
import { handleInbound } from "./channel/conversation";
import { approveWaitingUser } from "./channel/direct-approval";
import { ReplySink, type ChannelDeps } from "./channel/deps";
import { ChannelCache } from "./channel/channel-cache";
import { GroupedWrites } from "./channel/grouped-writes";
import { SharedPause } from "./channel/io-pause";
import { InboxProcessor } from "./channel/inbox-processor";
import { LocalStore } from "./channel/local-store";
import { Outbox } from "./channel/outbox";
import { flushLogs } from "./channel/log-flush";
import { ChannelStats } from "./channel/stats";
import { loadRuntime, type ChannelRuntime } from "./channel/runtime";
import { texts } from "./channel/texts";
import { LogCollapser } from "./channel/log-collapse";
import { SenderLimits } from "./channel/sender-limits";
import { TurnWatch, TYPING_TIMING, typingAt } from "./channel/turn-watch";
import { AGENT_TIMEOUT_MS } from "./channel/agent-turn";

/** An inbound request as it crosses into the object (Headers are not structured-cloneable). */
export interface IngestRequest extends Omit<InboundRequest, "headers"> {
  headers: [string, string][];
}

export interface StatusView {
  status: ChannelStatus;
  reason: string | null;
}

export type { AccountConflict, LoginQr, OperationResult, PushDelivery, PushOutcome };

/** What the wizard polls while a QR provider logs in. */
export interface LoginView {
  qr: LoginQr | null;
  status: ChannelStatus;
  reason: string | null;
  /** The linked account, once the login connected. */
  account: { id: string; name: string } | null;
  /** The login connected an account another channel holds (start with `force` to move it). */
  conflict: AccountConflict | null;
}

/** How often reading a channel may ask the provider for its delivery status. */
const PROBE_INTERVAL_MS = 30_000;
/** Older messages are dropped at ingest: de-duplication remembers ids for 7 days, so this is the replay bound. */
const MAX_EVENT_AGE_MS = 24 * 60 * 60 * 1000;
/** Longest message text kept (and passed to the agent); longer ones are cut, with a log line. */
export const MAX_MESSAGE_TEXT = 16_000;
/** Events waiting in one chat beyond which new ones are dropped (logged): a flood cannot grow the inbox. */
export const MAX_QUEUED_PER_CHAT = 100;
/** How often a long pass writes its log entries and counters to D1 (see alarm). */
const PASS_FLUSH_INTERVAL_MS = 2_000;
/** How often a running channel asks the provider on its own. */
const BACKGROUND_PROBE_MS = 10 * 60_000;

function webhookUrlOf(publicUrl: string, provider: string, channelId: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/webhooks/${provider}/${channelId}`;
}

export class ChannelDO extends DurableObject<Env> {
  private readonly store: LocalStore;
  private readonly db: Db;
  private readonly processor: InboxProcessor;
  private readonly outbox: Outbox;
  private readonly cache: ChannelCache;
  private readonly writes: GroupedWrites;
  /** Lets deliveries that arrive together store their events in one transaction (see ingest). */
  private readonly storing = new SharedPause();
  private runtimePromise: Promise<ChannelRuntime | null> | null = null;
  private readonly collapser = new LogCollapser();
  private readonly limits = new SenderLimits();
  private readonly turns = new TurnWatch({ limitMs: AGENT_TIMEOUT_MS, ...TYPING_TIMING });
  private readonly stats: ChannelStats;
  /** True while the alarm's pass handles events: a new event joins it instead of arming the alarm. */
  private alarmRunning = false;
  /** When the alarm is armed for, as last set or read here (null: not armed, or not known). */
  private armedAt: number | null = null;
  /** The latest log flush (see flushLogs). */
  private logFlush: Promise<void> = Promise.resolve();
  /** The runtime once loaded: lets synchronous code (command checks) read the adapter. */
  private loaded: ChannelRuntime | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new LocalStore(ctx.storage.sql);
    this.stats = new ChannelStats(ctx.storage.sql, () => Boolean(this.store.get("channelId")));
    this.db = getDb(env.DB);
    this.writes = new GroupedWrites(env.DB);
    this.cache = new ChannelCache(this.db, this.writes, () => this.store.get<string>("channelId")!);
    this.outbox = new Outbox(this.store, {
      runtime: () => this.runtime(),
      paused: () => this.isStopped(),
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
      afterEvent: (row) => void this.outbox.flushChat(row.message.address),
      paused: () => this.isStopped(),
      isCommand: (row) =>
        this.loaded !== null && commandOf(row.message, this.loaded.adapter.commandSyntax, this.loaded.context.account.name) !== null,
    });
  }

  // ---------------------------------------------------------------- inbound

  /** Verifies, parses and stores one inbound request; the acknowledgement goes back to the provider. */
  async ingest(channelId: string, provider: string, incoming: IngestRequest): Promise<ProviderAck> {
    // Remember the id only for a channel that exists: random ids in webhook URLs leave no state.
    const runtime = await this.runtime(channelId);
    if (!runtime || runtime.row.provider !== provider) return jsonAck({ error: "unknown channel" }, 404);
    this.remember(channelId);
    const { adapter, context } = runtime;
    const request: InboundRequest = { ...incoming, headers: new Headers(incoming.headers) };

    if (!(await adapter.verify(context, request))) {
      this.log("warn", "inbound.rejected", "Request rejected: the secret or signature does not match");
      await this.schedule();
      return jsonAck({ error: "unauthorized" }, 401);
    }
    // Remembered once: a manually connected channel then knows the provider already calls it.
    if (!this.store.get("providerHasCalled")) this.store.put("providerHasCalled", true);
    let parsed;
    try {
      parsed = adapter.parse(context, adapter.decrypt ? await adapter.decrypt(context, request) : request);
    } catch {
      this.log("warn", "inbound.malformed", "Request body is not a valid delivery");
      await this.schedule();
      return jsonAck({ error: "malformed request" }, 400);
    }
    // Deliveries that arrive together are stored together: one commit for all of them, not one
    // each (each a disk sync here; the acknowledgements wait for it either way).
    await this.storing.wait();
    let stored = false;
    for (const event of parsed.events) stored = (await this.accept(runtime, event)) || stored;
    // A manually connected channel waits for the provider's first verified call.
    if (runtime.row.status === "starting" && this.store.get("awaitingFirstDelivery")) {
      this.store.delete("awaitingFirstDelivery");
      this.log("info", "channel.connected", `${adapter.label} reached the webhook; the channel is running`);
      await this.setStatus("running", null);
    }
    // A stored event is due at once, which is all the alarm needs to know (no query per delivery).
    await (stored ? this.alarmNow() : this.schedule());
    return runtime.row.status === "stopped" && parsed.stoppedAck ? parsed.stoppedAck : parsed.ack;
  }

  /** Takes in one event of a verified request; true when a message was stored for handling. */
  private async accept(runtime: ChannelRuntime, event: InboundEvent): Promise<boolean> {
    switch (event.kind) {
      case "ignored":
        this.log("info", "inbound.ignored", `Ignored: ${event.reason}`, { eventId: event.eventId });
        return false;
      case "login":
        await applyLogin(this.loginDeps(runtime), event.login);
        return false;
      case "credentials":
        await storeCredentials(this.loginDeps(runtime), event.credentials, event.merge, event.removed);
        return false;
      case "message":
        break;
    }
    const message = { ...event.message, command: parseCommand(event.message.text, runtime.adapter.commandSyntax, runtime.context.account.name) };
    if (message.text.length > MAX_MESSAGE_TEXT) {
      this.log("warn", "inbound.truncated", `A message of ${message.text.length} characters was cut to ${MAX_MESSAGE_TEXT}`, { eventId: message.eventId });
      message.text = message.text.slice(0, MAX_MESSAGE_TEXT);
    }
    // A captured delivery replayed later (or a provider's very late retry) is not a conversation.
    if (message.sentAt < Date.now() - MAX_EVENT_AGE_MS) {
      this.log("warn", "inbound.stale", `Dropped: the message was sent ${new Date(message.sentAt).toISOString()}, more than a day ago`, { eventId: message.eventId });
      return false;
    }
    if (runtime.row.status === "stopped") {
      this.log("info", "inbound.dropped", "Dropped: the channel is stopped", { eventId: message.eventId });
      return false;
    }
    const chatKey = chatKeyOf(message);
    if (this.store.queuedCount(chatKey) >= MAX_QUEUED_PER_CHAT) {
      this.log("warn", "inbound.queue_full", `Dropped: ${MAX_QUEUED_PER_CHAT} messages from this chat are already waiting`, { eventId: message.eventId, chat: chatKey });
      return false;
    }
    if (!this.store.addInbound(message.eventId, chatKey, message)) {
      this.log("info", "inbound.duplicate", "Dropped: this event was already received (provider redelivery)", { eventId: message.eventId });
      return false;
    }
    this.store.note("lastInboundAt", Date.now());
    this.stats.received(message.sender.id, message.eventId);
    if (this.alarmRunning) this.processor.kickChat(chatKey);
    // A delivery problem the provider reported is over once a delivery arrives.
    if (runtime.row.status === "error" && this.store.get("errorKind") === "delivery") {
      this.log("info", "channel.recovered", "Deliveries arrive again; the channel is running");
      this.ctx.waitUntil(this.setStatus("running", null));
    }
    return true;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Connects the provider (registers or shows the webhook URL, or begins a QR login) and reports
   * the new status. `force`: a QR login may take its account from another channel.
   */
  async start(channelId: string, publicUrl: string, options: { force?: boolean } = {}): Promise<StatusView> {
    this.remember(channelId);
    const runtime = await this.requireRuntime();
    if (options.force) this.store.put("forceAccount", true);
    else this.store.delete("forceAccount");
    this.store.delete("accountConflict");
    await this.setStatus("starting", null);
    const webhookUrl = webhookUrlOf(publicUrl, runtime.row.provider, channelId);
    try {
      const result = await runtime.adapter.connect(runtime.context, webhookUrl);
      this.store.put("runningSince", Date.now());
      if (result.mode === "registered") {
        this.log("info", "channel.started", `Started; webhook registered at ${webhookUrl}`);
        await this.setStatus("running", null);
      } else if (result.mode === "login") {
        this.log("info", "channel.started", "Started; waiting for the QR login");
        await this.setStatus("awaiting-login", "waiting for the QR code to be scanned");
      } else if (result.mode === "resume") {
        this.log("info", "channel.started", "Started; resuming the saved session");
        if (runtime.row.status === "starting") await this.setStatus("starting", "resuming the saved session");
      } else if (result.mode === "socket") {
        // Running once the bridge reports the socket up (a `connected` login event).
        this.log("info", "channel.started", `Started; the bridge connects to ${runtime.adapter.label}`);
        if (runtime.row.status === "starting") await this.setStatus("starting", `the bridge is connecting to ${runtime.adapter.label}`);
      } else if (this.store.get("providerHasCalled")) {
        // The admin pasted the URL before: the provider has already called it.
        this.log("info", "channel.started", `Started; ${runtime.adapter.label} delivers to ${webhookUrl}`);
        await this.setStatus("running", null);
      } else {
        this.store.put("awaitingFirstDelivery", true);
        this.log("info", "channel.started", `Started; paste ${webhookUrl} into ${runtime.adapter.label}'s console (see the channel's setup steps)`);
        await this.setStatus("starting", `waiting for ${runtime.adapter.label} to call the webhook URL (see the setup steps)`);
      }
      await this.schedule();
    } catch (error) {
      const message = (error as Error).message;
      const reason =
        error instanceof ProviderError && error.kind === "unauthorized"
          ? `token revoked or invalid (${message})`
          : runtime.adapter.connection === "qr"
            ? `the bridge could not start the session: ${message}`
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
    this.store.delete("awaitingFirstDelivery");
    this.store.delete("loginQr");
    try {
      await runtime.adapter.disconnect(runtime.context, "stop");
      this.log("info", "channel.stopped", `Stopped: ${reason}`);
    } catch (error) {
      // Stopping must always work locally; say that the provider may still deliver.
      this.log("warn", "channel.stopped", `Stopped: ${reason}; the provider could not be told: ${(error as Error).message}`);
    }
    await this.setStatus("stopped", reason);
    await this.flushLogs();
    return this.statusView();
  }

  /** The webhook URL and what the admin must do in the provider's console (manual providers). */
  async setup(channelId: string, publicUrl: string): Promise<{ webhookUrl: string; guide: SetupGuide | null }> {
    this.remember(channelId);
    const runtime = await this.requireRuntime();
    const webhookUrl = webhookUrlOf(publicUrl, runtime.row.provider, channelId);
    return { webhookUrl, guide: runtime.adapter.setupGuide?.(runtime.context, webhookUrl) ?? null };
  }

  /** The QR to show while a QR provider logs in, or null. */
  async loginQr(channelId: string): Promise<LoginQr | null> {
    this.remember(channelId);
    const qr = this.store.get<LoginQr>("loginQr");
    return qr && qr.expiresAt > Date.now() && this.loaded?.row.status === "awaiting-login" ? qr : null;
  }

  /** The login as the wizard shows it: the QR, the status, a conflict with another channel. */
  async loginView(channelId: string): Promise<LoginView> {
    const qr = await this.loginQr(channelId);
    const runtime = await this.requireRuntime();
    const linked = runtime.row.status === "running" && !runtime.row.accountId.startsWith("pending:");
    return {
      qr,
      status: runtime.row.status,
      reason: runtime.row.statusReason,
      account: linked ? { id: runtime.row.accountId, name: runtime.row.accountName ?? runtime.row.accountId } : null,
      conflict: this.store.get<AccountConflict>("accountConflict") ?? null,
    };
  }

  /** The account's contacts and groups (providers with a directory), for the allowlist pickers. */
  async directory(channelId: string): Promise<{ directory: Directory } | { error: string }> {
    this.remember(channelId);
    const runtime = await this.requireRuntime();
    if (!runtime.adapter.listDirectory) return { error: "this provider has no directory" };
    try {
      return { directory: await runtime.adapter.listDirectory(runtime.context) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }

  /** QR providers: forgets the saved session, unlinks it, and begins a new QR login; settings stay. */
  async relogin(channelId: string, publicUrl: string, options: { force?: boolean } = {}): Promise<StatusView> {
    this.remember(channelId);
    const runtime = await this.requireRuntime();
    await runtime.adapter.disconnect(runtime.context, "logout").catch(() => undefined);
    await clearCredentials(this.loginDeps(runtime));
    this.store.delete("loginQr");
    this.log("info", "login.relogin", "Relogin: the saved session was removed; a new QR login begins");
    return this.start(channelId, publicUrl, options);
  }

  /** The bridge has been gone past its grace period: a channel that should run says so. */
  async bridgeOffline(channelId: string, reason: string): Promise<void> {
    this.remember(channelId);
    const runtime = await this.runtime();
    if (!runtime || !["running", "starting", "awaiting-login"].includes(runtime.row.status)) return;
    this.log("error", "channel.bridge_offline", `No bridge: ${reason}`);
    await this.setStatus("error", reason);
    this.store.put("errorKind", "delivery");
    await this.flushLogs();
  }

  /**
   * The bridge (re)connected and asks for this channel's session: started again unless the channel
   * was stopped or needs the admin (logged out, replaced, account conflict). False: not resumed.
   */
  async resumeBridgeSession(channelId: string): Promise<boolean> {
    this.remember(channelId);
    const runtime = await this.runtime();
    if (!runtime || (runtime.adapter.connection !== "qr" && !usesBridgeSocket(runtime.adapter, runtime.settings))) return false;
    const { status } = runtime.row;
    const resumable = status === "running" || status === "starting" || status === "awaiting-login" || (status === "error" && this.store.get("errorKind") === "delivery");
    if (!resumable) return false;
    const webhookUrl = webhookUrlOf(this.env.PUBLIC_URL || "https://bridge.invalid", runtime.row.provider, channelId);
    try {
      const result = await runtime.adapter.connect(runtime.context, webhookUrl);
      const how = result.mode === "resume" ? "resuming the saved session" : result.mode === "socket" ? `connecting to ${runtime.adapter.label} again` : "the QR login begins again";
      this.log("info", "channel.resumed", `The bridge reconnected; ${how}`);
    } catch (error) {
      this.log("warn", "channel.resume_failed", `The bridge could not resume the session: ${(error as Error).message}`);
    }
    await this.flushLogs();
    return true;
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

  /** Stops the channel and removes everything that belongs only to it. */
  async destroy(channelId: string): Promise<void> {
    this.remember(channelId);
    const runtime = await this.runtime();
    if (runtime && (runtime.row.status !== "stopped" || runtime.adapter.connection === "qr")) {
      // A QR session is logged out, so the linked device disappears from the phone too.
      await runtime.adapter.disconnect(runtime.context, "logout").catch(() => undefined);
    }
    await deleteChannelData(this.db, channelId);
    this.runtimePromise = null;
    this.cache.clear();
    await this.ctx.storage.deleteAlarm();
    this.armedAt = null;
    await this.ctx.storage.deleteAll();
    // A late webhook finds no channel and leaves nothing behind.
    this.store.forgetTables();
  }

  // ---------------------------------------------------------------- pairing

  /** Approves a pending request: the user is told, and the message they were held on is answered. */
  async approvePairing(channelId: string, requestId: string): Promise<OperationResult> {
    return this.decide(channelId, requestId, "approved");
  }

  async rejectPairing(channelId: string, requestId: string): Promise<OperationResult> {
    return this.decide(channelId, requestId, "rejected");
  }

  /** Approves a waiting user from the Users list (durable-objects/channel/direct-approval.ts). */
  async approveUser(channelId: string, userId: string): Promise<OperationResult> {
    this.remember(channelId);
    const result = await approveWaitingUser(this.deps(await this.requireRuntime()), userId);
    await this.schedule();
    return result;
  }

  /** Delivers a push-API message to one chat, or holds it when its thread is not active there. */
  async deliverPush(channelId: string, push: PushDelivery): Promise<PushOutcome> {
    this.remember(channelId);
    const outcome = await deliverPush(this.deps(await this.requireRuntime()), push);
    await this.schedule();
    return outcome;
  }

  /** Writes buffered log entries to D1 now (the logs API calls this before reading). */
  flushLogs(): Promise<void> {
    // One flush at a time: two would send the same entries, and a failed one moving the waiting
    // entries to SQLite would pull them from under the other.
    const flush = this.logFlush.catch(() => undefined).then(() => this.flushLogsNow());
    this.logFlush = flush;
    return flush;
  }

  private async flushLogsNow(): Promise<void> {
    const channelId = this.store.get<string>("channelId");
    if (!channelId) return;
    for (const summary of this.collapser.closed()) {
      const { level, event, message, repeats } = summary;
      this.store.bufferLog({ level, event, message: `${message} (repeated ${repeats} more times within a minute)`, detail: { repeats }, createdAt: Date.now() });
    }
    await flushLogs(this.store, this.db, channelId, this.stats);
  }

  // ---------------------------------------------------------------- alarm

  async alarm(): Promise<void> {
    this.armedAt = null; // it fired
    if (!this.store.get<string>("channelId")) return;
    this.alarmRunning = true;
    // New deliveries join a running pass, so under steady load it may not end for a long time:
    // its log entries and counters still reach D1 every few seconds, not only at its end.
    const periodicFlush = setInterval(() => void this.flushLogsRecorded(), PASS_FLUSH_INTERVAL_MS);
    try {
      // The status decides whether anything runs (a stopped channel only flushes its logs).
      await this.runtime();
      this.processor.kick();
      await this.processor.drain();
      // From here on a new event arms the next pass instead of joining this one.
      this.alarmRunning = false;
      await this.outbox.flushAll();
      if (this.store.pruneInbox()) await pruneStaleAccess(this.db, this.store.get<string>("channelId")!);
      // Between admin visits the channel checks itself, so the channel list stays honest.
      const probeDue = await this.probeDueAt();
      if (probeDue !== null && probeDue <= Date.now()) await this.probeProvider(0);
    } finally {
      clearInterval(periodicFlush);
      this.alarmRunning = false;
      await this.flushLogsRecorded();
      await this.schedule();
    }
  }

  /** A pass's log flush: a failed one leaves the entries buffered for a later pass, backing off. */
  private async flushLogsRecorded(): Promise<void> {
    try {
      await this.flushLogs();
      this.store.logFlushSucceeded();
    } catch {
      this.store.logFlushFailed();
    }
  }

  // ---------------------------------------------------------------- internals

  /** Called once the channel is known to exist: only then does the object persist anything. */
  private remember(channelId: string): void {
    this.store.open();
    if (this.store.get<string>("channelId") !== channelId) this.store.put("channelId", channelId);
  }

  private runtime(channelId = this.store.get<string>("channelId")): Promise<ChannelRuntime | null> {
    if (!channelId) return Promise.resolve(null);
    if (!this.runtimePromise) {
      this.runtimePromise = loadRuntime(this.env, this.db, channelId).then(
        async (runtime) => {
          if (!runtime) this.runtimePromise = null; // not created yet, or deleted: ask again next time
          else await withCredentialEntries(this.env, this.store, runtime);
          this.loaded = runtime;
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

  /** Stop means stop: no handling starts and nothing is sent until the next start. */
  private isStopped(): boolean {
    return this.loaded?.row.status === "stopped";
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
      writes: this.writes,
      cache: this.cache,
      env: this.env,
      runtime,
      store: this.store,
      log: (...args) => this.log(...args),
      limits: this.limits,
      watchTurn: (address) => this.turns.start(typingAt(runtime, address)),
      deliverNow: (chatId) => void this.outbox.flushChat(chatId),
    };
  }

  private loginDeps(runtime: ChannelRuntime) {
    return {
      db: this.db,
      env: this.env,
      runtime,
      store: this.store,
      log: (level: LogLevel, event: string, message: string) => this.log(level, event, message),
      setStatus: (status: ChannelStatus, reason: string | null) => this.setStatus(status, reason),
      stopOther: async (channelId: string, reason: string) => {
        await this.env.CHANNEL.getByName(channelId).stop(channelId, reason);
      },
      pauseSession: () => runtime.adapter.disconnect(runtime.context, "stop").catch(() => undefined),
    };
  }

  private log(level: LogLevel, event: string, message: string, detail?: Record<string, unknown>): void {
    this.stats.logged(level, event, detail);
    if (!this.collapser.admit({ level, event, message })) return;
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
    this.store.note("lastOutboundAt", Date.now());
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
    const candidates = [this.store.nextDueAt({ queues: !this.isStopped() }), this.collapser.nextDueAt(), await this.probeDueAt()].filter((at): at is number => at !== null);
    if (candidates.length === 0) return;
    const due = Math.min(...candidates);
    const current = await this.ctx.storage.getAlarm();
    const at = Math.max(due, Date.now());
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
    this.armedAt = current === null || current > at ? at : current;
  }

  /** Makes the alarm due now unless a pass is running (it takes new events) or one is due already. */
  private async alarmNow(): Promise<void> {
    const now = Date.now();
    if (this.alarmRunning || (this.armedAt !== null && this.armedAt <= now)) return;
    await this.ctx.storage.setAlarm(now);
    this.armedAt = now;
  }
}
