// A stand-in for the Worker's hub (BridgeHubDO) in Node: accepts the bridge's WebSocket with the
// shared secret, checks batch signatures, "stores" events by id (so redeliveries are counted and
// de-duplicated like the ChannelDO does), acknowledges, and sends commands.
import { createServer, type Server } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";
import { bridgeBatchSchema, bridgeFrameSchema, verifyBatch, type BridgeCommand, type BridgeFrame } from "../../../worker/bridge/protocol.ts";

export class FakeHub {
  readonly server: Server;
  readonly wss: WebSocketServer;
  socket: WebSocket | null = null;
  readonly frames: BridgeFrame[] = [];
  /** Events stored, by id, in arrival order of their first delivery. */
  readonly stored = new Map<string, unknown>();
  deliveries = 0;
  duplicates = 0;
  connections = 0;
  readyCount = 0;
  /** Return false to leave a batch unanswered (and optionally cut the link). */
  onBatch: (items: { id: string }[]) => "ack" | "reject" | "cut" = () => "ack";
  private readonly results = new Map<string, (frame: Extract<BridgeFrame, { type: "result" }>) => void>();

  constructor(readonly secret: string) {
    this.server = createServer((_request, response) => response.writeHead(404).end());
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on("upgrade", (request, socket, head) => {
      if (request.headers.authorization !== `Bearer ${this.secret}`) {
        socket.end("HTTP/1.1 401 Unauthorized\r\n\r\n");
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  private accept(ws: WebSocket): void {
    this.socket?.terminate();
    this.socket = ws;
    this.connections += 1;
    ws.on("message", (data) => void this.onMessage(ws, data.toString()));
  }

  private async onMessage(ws: WebSocket, text: string): Promise<void> {
    if (text === "ping") return ws.send("pong");
    const frame = bridgeFrameSchema.parse(JSON.parse(text));
    this.frames.push(frame);
    if (frame.type === "hello") ws.send(JSON.stringify({ type: "welcome", v: 1 }));
    if (frame.type === "ready") this.readyCount += 1;
    if (frame.type === "result") this.results.get(frame.requestId)?.(frame);
    if (frame.type !== "deliver") return;
    if (!(await verifyBatch(this.secret, frame.body, frame.signature))) {
      ws.send(JSON.stringify({ type: "delivered", batchId: frame.batchId, outcome: "rejected", status: 401 }));
      return;
    }
    const batch = bridgeBatchSchema.parse(JSON.parse(frame.body));
    this.deliveries += 1;
    const decision = this.onBatch(batch.items);
    if (decision === "reject") {
      ws.send(JSON.stringify({ type: "delivered", batchId: frame.batchId, outcome: "rejected", status: 404 }));
      return;
    }
    // Stored before the answer, as the ChannelDO does; a redelivered id is a duplicate.
    for (const item of batch.items) {
      if (this.stored.has(item.id)) this.duplicates += 1;
      else this.stored.set(item.id, item.event);
    }
    if (decision === "cut") {
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify({ type: "delivered", batchId: frame.batchId, outcome: "stored", status: 200 }));
  }

  command(channelId: string, command: BridgeCommand): Promise<Extract<BridgeFrame, { type: "result" }>> {
    const requestId = `r${Math.random().toString(36).slice(2)}`;
    return new Promise((resolve) => {
      this.results.set(requestId, resolve);
      this.socket!.send(JSON.stringify({ type: "command", requestId, channelId, command }));
    });
  }

  async close(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
