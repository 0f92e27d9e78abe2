// Peer: a bare grammY echo bot on Workers, the way grammY's docs deploy one. The webhook
// adapter runs the handler before it answers, so the acknowledgement waits for the reply's
// sendMessage. `botInfo` is passed so the bot never calls getMe; the API root is the fake's.
import { Bot, webhookCallback } from "grammy";

let handle; // one bot per isolate, built on the first request (the bindings arrive with it)

function echoBot(env) {
  const bot = new Bot(env.BOT_TOKEN, { botInfo: env.BOT_INFO, client: { apiRoot: env.TELEGRAM_API_BASE } });
  bot.on("message:text", (ctx) => ctx.reply(`Echo: ${ctx.message.text}`));
  return webhookCallback(bot, "cloudflare-mod", { secretToken: env.WEBHOOK_SECRET });
}

export default {
  fetch(request, env) {
    handle ??= echoBot(env);
    return handle(request);
  },
};
