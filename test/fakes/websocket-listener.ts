// A WebSocket server on 127.0.0.1 for the fakes of providers' sockets (Discord's gateway, Slack's
// Socket Mode): plain HTTP is refused with 426, every connection goes to `onConnection` with the
// path it asked for, and closing drops every client at once.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";

export interface WebSocketListener {
  /** `ws://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

export async function listenWebSocket(onConnection: (socket: WebSocket, path: string) => void): Promise<WebSocketListener> {
  const server = createServer((_request, response) => response.writeHead(426).end());
  const wss = new WebSocketServer({ server });
  wss.on("connection", (socket, request) => onConnection(socket, request.url ?? "/"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
