// Peer: the Chat SDK with its Telegram adapter, on Node, as one process the bench starts and
// pins like the Worker targets (same protocol as ../target.mjs: argv[2] is a JSON config, one
// JSON line `{ "url": … }` once ready, runs until stdin closes or SIGTERM/SIGINT).
//
// Memory state and the `concurrent` strategy (no per-thread lock, so no ordering promise): the
// least the SDK does per message. Webhook mode with the secret token checked; the Bot API base
// is the fake's. The SDK answers the webhook before the handler's reply is sent.
import { createMemoryState } from "@chat-adapter/state-memory";
import { createTelegramAdapter } from "@chat-adapter/telegram";
import { Chat } from "chat";
import { createServer } from "node:http";

const config = JSON.parse(process.argv[2]);
const { BOT_TOKEN, BOT_USERNAME, TELEGRAM_API_BASE, WEBHOOK_SECRET } = config.bindings;

const bot = new Chat({
  userName: BOT_USERNAME,
  adapters: {
    telegram: createTelegramAdapter({ botToken: BOT_TOKEN, secretToken: WEBHOOK_SECRET, userName: BOT_USERNAME, apiUrl: TELEGRAM_API_BASE, mode: "webhook" }),
  },
  state: createMemoryState(),
  concurrency: "concurrent",
  logger: "warn",
});
bot.onDirectMessage(async (thread, message) => {
  await thread.post(`Echo: ${message.text}`);
});
await bot.initialize();

/** Node request → web Request, the SDK's webhook handler, → Node response. */
const server = createServer(async (request, response) => {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const webRequest = new Request(`http://127.0.0.1${request.url}`, {
    method: request.method,
    headers: Object.entries(request.headers).filter(([, value]) => typeof value === "string"),
    body: request.method === "POST" ? Buffer.concat(chunks) : undefined,
  });
  try {
    // Handler errors are logged by the SDK; the bench sees them as lost replies.
    const answer = await bot.webhooks.telegram(webRequest, { waitUntil: (task) => task.catch(() => undefined) });
    response.writeHead(answer.status, Object.fromEntries(answer.headers));
    response.end(Buffer.from(await answer.arrayBuffer()));
  } catch (error) {
    // Counted as "not acked 200" by the bench, with the cause on stderr.
    console.error("chat-sdk-server:", error);
    response.writeHead(500).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.stdin.on("end", stop).on("close", stop).resume();
process.on("SIGTERM", stop).on("SIGINT", stop);
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })}\n`);
