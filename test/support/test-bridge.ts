// A bridge that lives in the test run: it dials the Worker's bridge endpoint like bridge/ does,
// speaks the link protocol (worker/bridge/protocol.ts), answers commands with a scripted handler
// and records them, and delivers signed event batches. The hub, the ChannelDO and the adapters
// are the real ones.
import { env } from "cloudflare:test";
import { BRIDGE_CONNECT_PATH, hubFrameSchema, signBatch, type BridgeCommand, type BridgeEvent, type BridgeProvider, type HubFrame } from "../../worker/bridge/protocol";
import { worker } from "./harness";

export interface RecordedCommand {
  channelId: string;
  command: BridgeCommand;
}

type Answer = { ok: true; value?: unknown } | { ok: false; error: string; kind?: "transient" | "permanent" | "unauthorized" | "rate-limited" };
export type CommandHandler = (channelId: string, command: BridgeCommand) => Answer | undefined;

let sequence = 0;

export class TestBridge {
  readonly commands: RecordedCommand[] = [];
  private readonly waiters = new Map<string, (frame: Extract<HubFrame, { type: "delivered" }>) => void>();
  handler: CommandHandler | null = null;
  welcomed = false;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (event) => this.onFrame(event.data as string));
  }

  private onFrame(data: string): void {
    if (data === "pong") return;
    const frame = hubFrameSchema.parse(JSON.parse(data));
    if (frame.type === "welcome") this.welcomed = true;
    if (frame.type === "delivered") this.waiters.get(frame.batchId)?.(frame);
    if (frame.type === "command") {
      this.commands.push({ channelId: frame.channelId, command: frame.command });
      const answer = this.handler?.(frame.channelId, frame.command) ?? defaultAnswer(frame.command);
      this.ws.send(JSON.stringify({ type: "result", requestId: frame.requestId, ...answer }));
    }
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  commandsFor(channelId: string, op?: BridgeCommand["op"]): BridgeCommand[] {
    return this.commands.filter((item) => item.channelId === channelId && (!op || item.command.op === op)).map((item) => item.command);
  }

  /** Sends one signed batch and waits for the hub's `delivered` (or null when none came). */
  async deliver(
    channelId: string,
    provider: BridgeProvider,
    events: BridgeEvent[],
    options: { secret?: string; ids?: string[]; timeoutMs?: number } = {},
  ): Promise<Extract<HubFrame, { type: "delivered" }> | null> {
    const items = events.map((event, index) => ({ id: options.ids?.[index] ?? `ev-${Date.now().toString(36)}-${(sequence += 1)}`, at: Date.now(), event }));
    const body = JSON.stringify({ v: 1, channelId, provider, items });
    const signature = await signBatch(options.secret ?? env.BRIDGE_SECRET!, body);
    const batchId = `b-${(sequence += 1)}`;
    const answered = new Promise<Extract<HubFrame, { type: "delivered" }> | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), options.timeoutMs ?? 5000);
      this.waiters.set(batchId, (frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
    this.send({ type: "deliver", batchId, channelId, provider, body, signature });
    return answered;
  }

  close(): void {
    try {
      this.ws.close(1000, "test done");
    } catch {
      // already closed
    }
  }
}

function defaultAnswer(command: BridgeCommand): Answer {
  switch (command.op) {
    case "send":
      return { ok: true, value: { messageId: `sent-${(sequence += 1)}` } };
    case "status":
      return { ok: true, value: { state: "running", reason: null, lastEventAt: Date.now() } };
    default:
      return { ok: true, value: null };
  }
}

/** Connects a test bridge: hello (with the sessions it claims alive), then ready unless told not to. */
export async function connectTestBridge(options: { sessions?: { channelId: string; provider: BridgeProvider }[]; ready?: boolean; handler?: CommandHandler } = {}): Promise<TestBridge> {
  const response = await worker(BRIDGE_CONNECT_PATH, { headers: { upgrade: "websocket", authorization: `Bearer ${env.BRIDGE_SECRET}` } });
  if (response.status !== 101 || !response.webSocket) throw new Error(`bridge connect answered ${response.status}`);
  const ws = response.webSocket;
  ws.accept();
  const bridge = new TestBridge(ws);
  bridge.handler = options.handler ?? null;
  bridge.send({ type: "hello", v: 1, bridgeId: "test-bridge", sessions: options.sessions ?? [] });
  if (options.ready !== false) bridge.send({ type: "ready" });
  return bridge;
}
