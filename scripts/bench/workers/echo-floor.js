// Floor for the end-to-end latency: the least a Telegram echo bot can do on Workers. It parses
// the update, answers 200 at once and sends "Echo: <text>" to the Bot API in waitUntil — no
// verification, storage, ordering or retries (everything Switchboard adds on top).
export default {
  async fetch(request, env, ctx) {
    const update = await request.json();
    const message = update.message;
    if (message?.text) {
      ctx.waitUntil(
        fetch(`${env.TELEGRAM_API_BASE}/bot${env.BOT_TOKEN}/sendMessage`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ chat_id: message.chat.id, text: `Echo: ${message.text}` }),
        }).then((response) => response.arrayBuffer()),
      );
    }
    return new Response('{"ok":true}', { headers: { "content-type": "application/json" } });
  },
};
