// The browser tests' side of the fake Telegram: register bots and play Telegram delivering
// updates to the webhook our Worker registered (through the fake's control endpoints).
import { randomUUID } from "node:crypto";

export interface Bot {
  token: string;
  id: number;
  username: string;
  firstName: string;
}

let counter = 0;

export class FakeTelegramControl {
  constructor(private readonly base: string) {}

  async createBot(name = "Support"): Promise<Bot> {
    counter += 1;
    const id = 8_000_000 + Math.floor(Math.random() * 100_000) * 10 + counter;
    const bot = { token: `${id}:AAF${randomUUID().replaceAll("-", "")}`, id, username: `${name.toLowerCase()}${counter}_bot`, firstName: name };
    await this.post("/bots", bot);
    return bot;
  }

  /** A private-chat text message from `user`, delivered to the bot's webhook like Telegram does. */
  async deliverText(bot: Bot, user: { id: number; username: string; first_name: string }, text: string): Promise<number> {
    counter += 1;
    const update = {
      update_id: 600_000_000 + counter,
      message: {
        message_id: counter,
        date: Math.floor(Date.now() / 1000),
        chat: { id: user.id, type: "private", first_name: user.first_name, username: user.username },
        from: { is_bot: false, ...user },
        text,
        ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }] } : {}),
      },
    };
    const answer = (await this.post("/deliver", { token: bot.token, update })) as { status: number };
    return answer.status;
  }

  /** Texts the bot sent to `chatId`. */
  async sentTexts(bot: Bot, chatId: number): Promise<string[]> {
    const response = await fetch(`${this.base}/telegram/__control/calls?${new URLSearchParams({ token: bot.token, method: "sendMessage" })}`);
    const { calls } = (await response.json()) as { calls: { params: { chat_id: unknown; text: string } }[] };
    return calls.filter((call) => Number(call.params.chat_id) === chatId).map((call) => call.params.text);
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const response = await fetch(`${this.base}/telegram/__control${path}`, { method: "POST", body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`fake telegram ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }
}
