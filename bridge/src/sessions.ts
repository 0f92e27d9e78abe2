// The sessions this bridge holds, one per channel, behind one small interface so the library
// wiring (whatsapp/baileys.ts, zalo/zca.ts) is a thin file each and everything else is tested
// with fakes. Commands from the Worker land here; a session's events go to the on-disk queue.
import type { BridgeCommand, BridgeEvent, BridgeProvider, Directory, SessionStatus } from "../../worker/bridge/protocol.ts";
import { CommandError } from "./link.ts";
import type { Logger } from "./log.ts";

/** Where a session's events go (the queue, then the Worker). */
export type EmitEvent = (event: BridgeEvent) => void;

export interface SessionInit {
  channelId: string;
  credentials: Record<string, string>;
  options: { selfChat: boolean };
  emit: EmitEvent;
  log: Logger;
}

/** One provider session. Sends throw CommandError("transient") while the session is not connected. */
export interface ProviderSession {
  start(): Promise<void>;
  /** Closes the connection; the account stays linked (the saved state resumes it). */
  stop(): Promise<void>;
  /** Unlinks the device on the provider's side, then closes. */
  logout(): Promise<void>;
  send(to: string, text: string, quote?: string): Promise<{ messageId: string }>;
  edit?(to: string, messageId: string, text: string): Promise<void>;
  typing?(to: string): Promise<void>;
  voice?(to: string, audio: Buffer, mime: string): Promise<void>;
  directory?(): Promise<Directory>;
  status(): SessionStatus;
}

export type SessionFactory = (init: SessionInit) => ProviderSession;
export type SessionFactories = Partial<Record<BridgeProvider, SessionFactory>>;

export class SessionManager {
  private readonly sessions = new Map<string, { provider: BridgeProvider; session: ProviderSession }>();

  constructor(
    private readonly factories: SessionFactories,
    private readonly emit: (channelId: string, provider: BridgeProvider, event: BridgeEvent) => void,
    private readonly log: Logger,
  ) {}

  live(): { channelId: string; provider: BridgeProvider }[] {
    return [...this.sessions].map(([channelId, { provider }]) => ({ channelId, provider }));
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Runs one command from the Worker; the value goes back in the result. */
  async handle(channelId: string, command: BridgeCommand): Promise<unknown> {
    if (command.op === "start") return this.start(channelId, command);
    const held = this.sessions.get(channelId);
    if (command.op === "stop" || command.op === "logout") {
      if (!held) return null;
      this.sessions.delete(channelId);
      await (command.op === "logout" ? held.session.logout() : held.session.stop());
      this.log.info(`session ${command.op === "logout" ? "logged out" : "stopped"}`, { channelId });
      return null;
    }
    if (command.op === "status") return held?.session.status() ?? { state: "stopped", reason: "no session in the bridge", lastEventAt: null };
    if (!held) throw new CommandError("transient", "no session for this channel in the bridge (it is starting or was stopped)");
    const { session } = held;
    switch (command.op) {
      case "send":
        return session.send(command.to, command.text, command.quote);
      case "edit":
        if (!session.edit) throw new CommandError("permanent", "this provider cannot edit messages");
        return session.edit(command.to, command.messageId, command.text);
      case "typing":
        return session.typing?.(command.to) ?? null;
      case "voice":
        if (!session.voice) throw new CommandError("permanent", "this provider cannot send voice notes");
        return session.voice(command.to, Buffer.from(command.audio, "base64"), command.mime);
      case "directory":
        if (!session.directory) throw new CommandError("permanent", "this provider has no directory");
        return session.directory();
    }
  }

  private async start(channelId: string, command: Extract<BridgeCommand, { op: "start" }>): Promise<null> {
    const factory = this.factories[command.provider];
    if (!factory) throw new CommandError("permanent", `this bridge does not run ${command.provider}`);
    const previous = this.sessions.get(channelId);
    if (previous) {
      this.sessions.delete(channelId);
      await previous.session.stop();
    }
    const log = this.log.child({ channelId, provider: command.provider });
    const session = factory({
      channelId,
      credentials: command.credentials,
      options: command.options,
      emit: (event) => {
        // A session that was replaced or stopped says nothing more.
        if (this.sessions.get(channelId)?.session === session) this.emit(channelId, command.provider, event);
      },
      log,
    });
    this.sessions.set(channelId, { provider: command.provider, session });
    log.info(Object.keys(command.credentials).length > 0 ? "session resuming" : "session starting a QR login");
    await session.start();
    return null;
  }

  /** Closes every session without logging out (the process is stopping; they resume elsewhere). */
  async stopAll(): Promise<void> {
    const held = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(held.map(({ session }) => session.stop().catch(() => undefined)));
  }
}
