// A Discord channel's gateway in the bridge: the bot token from the Worker's `start`, the gateway
// client (gateway.ts), and MESSAGE_CREATE events forwarded as they come (the Worker's Discord
// adapter reads them: `!` commands, DMs, mentions, policies). Replies and typing do not pass
// through here: the Worker sends them over Discord's REST API as for slash commands.
import type { SessionStatus } from "../../../worker/bridge/protocol.ts";
import { CommandError } from "../link.ts";
import type { ProviderSession, SessionFactory, SessionInit } from "../sessions.ts";
import { DEFAULT_GATEWAY_URL, DiscordGateway, type GatewayTimings, type GatewayUser } from "./gateway.ts";
import { ConnectionReporter } from "../socket-status.ts";

export interface DiscordSessionOptions {
  /** DISCORD_GATEWAY_URL, else Discord's. */
  gatewayUrl?: string;
  timings?: Partial<GatewayTimings>;
  /** How long a drop may last before the channel is told (a quick resume is not news). */
  downGraceMs?: number;
}

export class DiscordSession implements ProviderSession {
  private readonly gateway: DiscordGateway;
  private readonly reporter: ConnectionReporter;
  private user: GatewayUser | null = null;

  constructor(init: SessionInit, options: DiscordSessionOptions = {}) {
    const token = init.credentials.botToken;
    if (!token) throw new CommandError("permanent", "the Worker sent no bot token for the Discord gateway");
    this.reporter = new ConnectionReporter(init.emit, options.downGraceMs);
    this.gateway = new DiscordGateway({
      token,
      url: options.gatewayUrl || DEFAULT_GATEWAY_URL,
      log: init.log,
      timings: options.timings,
      handlers: {
        ready: (user) => {
          this.user = user;
          init.log.info("discord gateway: ready", { user: user.id });
          this.reporter.up({ id: user.id, name: user.username, details: {} });
        },
        resumed: () => {
          init.log.info("discord gateway: resumed");
          if (this.user) this.reporter.up({ id: this.user.id, name: this.user.username, details: {} });
        },
        dispatch: (type, data) => {
          this.reporter.touch();
          if (type !== "MESSAGE_CREATE" || !data || typeof data !== "object") return;
          // Our own replies come back on the gateway: not worth a trip to the Worker.
          if ((data as { author?: { id?: string } }).author?.id === this.user?.id) return;
          init.emit({ type: "message", message: data as Record<string, unknown> });
        },
        down: (reason, reconnecting) => this.reporter.down(reason, reconnecting),
      },
    });
  }

  async start(): Promise<void> {
    this.gateway.start();
  }

  async stop(): Promise<void> {
    this.reporter.close();
    this.gateway.stop();
  }

  async logout(): Promise<void> {
    // A token channel has nothing to unlink: the channel was deleted, the gateway closes.
    await this.stop();
  }

  async send(): Promise<{ messageId: string }> {
    throw new CommandError("permanent", "Discord replies are sent by the Worker over Discord's REST API, not through the bridge");
  }

  status(): SessionStatus {
    return this.reporter.status(this.gateway.state === "ready" ? "running" : this.gateway.state === "failed" ? "stopped" : this.user ? "reconnecting" : "starting");
  }
}

export function createDiscordFactory(options: DiscordSessionOptions = {}): SessionFactory {
  return (init: SessionInit) => new DiscordSession(init, options);
}
