// One local HTTP server hosting the provider fakes, each under its own prefix
// (`/telegram/bot<token>/<method>`, `/telegram/__control/...`).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { FakeTelegram, type FakeTelegramOptions } from "./telegram-api.ts";

export interface FakeProviders {
  baseUrl: string;
  telegram: FakeTelegram;
  telegramApiBase: string;
  close(): Promise<void>;
}

export async function startFakeProviders(options: { port?: number; telegram?: FakeTelegramOptions } = {}): Promise<FakeProviders> {
  const telegram = new FakeTelegram(options.telegram);
  const server: Server = createServer((request, response) => {
    const path = request.url ?? "/";
    const handled = path.startsWith("/telegram/") ? telegram.handle(path.slice("/telegram".length), request, response) : null;
    if (!handled) {
      response.writeHead(404, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "no fake at this path" }));
      return;
    }
    handled.catch((error: Error) => {
      response.writeHead(500, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: error.message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    telegram,
    telegramApiBase: `${baseUrl}/telegram`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
