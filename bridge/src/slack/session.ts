// A Slack channel in Socket Mode, held by the bridge: the app-level token from the Worker's
// `start`, the Socket Mode client (socket-mode.ts), and each `events_api` payload forwarded as is
// (the Worker's Slack adapter reads it exactly like a Request URL delivery, and de-duplicates the
// same way: Slack's retries of one message arrive as new envelopes with the same channel and ts).
// Replies do not pass through here: the Worker posts them with the bot token over the Web API.
import type { SessionStatus } from "../../../worker/bridge/protocol.ts";
import { CommandError } from "../link.ts";
import type { ProviderSession, SessionFactory, SessionInit } from "../sessions.ts";
import { ConnectionReporter } from "../socket-status.ts";
import { SlackSocketMode, type SocketTimings } from "./socket-mode.ts";

export interface SlackSessionOptions {
  /** SLACK_API_BASE, else Slack's. */
  apiBase?: string;
  timings?: Partial<SocketTimings>;
  downGraceMs?: number;
}

export class SlackSession implements ProviderSession {
  private readonly socket: SlackSocketMode;
  private readonly reporter: ConnectionReporter;
  private appId: string | null = null;

  constructor(init: SessionInit, options: SlackSessionOptions = {}) {
    const appToken = init.credentials.appToken;
    if (!appToken) throw new CommandError("permanent", "the Worker sent no app-level token for Socket Mode");
    this.reporter = new ConnectionReporter(init.emit, options.downGraceMs);
    this.socket = new SlackSocketMode({
      appToken,
      apiBase: options.apiBase,
      log: init.log,
      timings: options.timings,
      handlers: {
        hello: (appId) => {
          this.appId = appId;
          init.log.info("slack socket: connected", { appId });
          this.reporter.up({ id: appId ?? "slack-app", name: appId ?? "Slack app", details: {} });
        },
        envelope: (envelope) => {
          this.reporter.touch();
          // Slash commands and interactivity are not used by Switchboard: acknowledged, not kept.
          if (envelope.type !== "events_api" || !envelope.payload) return;
          init.emit({ type: "message", message: envelope.payload });
        },
        down: (reason, reconnecting) => this.reporter.down(reason, reconnecting),
      },
    });
  }

  async start(): Promise<void> {
    this.socket.start();
  }

  async stop(): Promise<void> {
    this.reporter.close();
    this.socket.stop();
  }

  async logout(): Promise<void> {
    await this.stop();
  }

  async send(): Promise<{ messageId: string }> {
    throw new CommandError("permanent", "Slack replies are sent by the Worker over the Web API, not through the bridge");
  }

  status(): SessionStatus {
    return this.reporter.status(this.socket.state === "ready" ? "running" : this.socket.state === "failed" ? "stopped" : this.appId ? "reconnecting" : "starting");
  }
}

export function createSlackFactory(options: SlackSessionOptions = {}): SessionFactory {
  return (init: SessionInit) => new SlackSession(init, options);
}
