// Sets Switchboard up the way an operator would, through its admin API: register a bot with
// the fake Telegram, create an open-DM Telegram channel on the default (echo) workspace, start
// it, and read back the webhook secret the channel registered with (fake) Telegram.
import { randomBytes } from "node:crypto";

export async function createTelegramChannel({ url, adminToken, fakes }) {
  const id = 7_100_000_000 + Math.floor(Math.random() * 1_000_000);
  const bot = { token: `${id}:AAF${randomBytes(16).toString("hex")}`, id, username: `bench${id}_bot`, firstName: "Bench" };
  fakes.telegram.addBot(bot);
  const api = async (method, path, body) => {
    const response = await fetch(`${url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`${method} /api${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  const created = await api("POST", "/channels", {
    provider: "telegram",
    workspaceId: "ws_default",
    credentials: { botToken: bot.token },
    settings: { dmPolicy: "open" },
  });
  const channelId = created.channel.id;
  const started = await api("POST", `/channels/${channelId}/start`);
  if (started.status !== "running") throw new Error(`channel did not start: ${JSON.stringify(started)}`);
  const hook = fakes.telegram.webhooks.get(bot.token);
  if (!hook?.secretToken) throw new Error("the channel registered no webhook secret with the fake Telegram");
  return { bot, channelId, webhookUrl: hook.url, secret: hook.secretToken };
}
