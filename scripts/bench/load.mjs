// Sends a workload to a webhook URL on 127.0.0.1 and matches the replies the fake Telegram
// receives. Like Telegram, it keeps one update per chat in flight (a chat's next update goes
// out after the previous one was acknowledged), so each chat's replies must come back in order;
// up to `concurrency` chats are in flight at once. Bounded: the workload's size, a deadline for
// sending, one for replies, and a per-request timeout.
//
// Two ways to send: a closed loop (the default: each lane sends its next update as soon as its
// last one is acknowledged, so the target sets the pace) or paced (`rate`: updates go out on a
// fixed schedule, as users write, and the target either keeps up or falls behind).
import { Agent, request as httpRequest } from "node:http";
import { performance } from "node:perf_hooks";

const REQUEST_TIMEOUT_MS = 30_000;

/** POSTs `body` to `url` (127.0.0.1 only); resolves with the status code, or "error". */
export function post(agent, url, headers, body) {
  const target = new URL(url);
  if (target.hostname !== "127.0.0.1") throw new Error(`refusing to send load to ${target.hostname}: 127.0.0.1 only`);
  return new Promise((resolve) => {
    const request = httpRequest(
      { agent, host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } },
      (response) => {
        response.on("data", () => undefined);
        response.on("end", () => resolve(response.statusCode));
        response.on("error", () => resolve("error"));
      },
    );
    request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error("timeout")));
    request.on("error", () => resolve("error"));
    request.end(body);
  });
}

/**
 * Runs `workload` against `url` and returns per-update timings and the reply accounting.
 * With `rate` (updates per second) the k-th send is due k / rate seconds after the start, and
 * its ack and reply are timed from that due time: a send held back because every lane (or its
 * chat) was still waiting counts that wait too, so a target that falls behind cannot hide it.
 * `telegram` is the tapped fake (telegram.mjs); `prefix` marks this run's texts; after the last
 * expected reply it keeps listening `graceMs` for doubled ones. An item may bring its own
 * `url`, `headers` and bot `token` (a job spread over channels): a reply from another bot
 * counts as misrouted.
 */
export async function runLoad({ url, headers, workload, concurrency, rate = 0, telegram, prefix, expectReplies = true, graceMs = 1500, sendDeadlineMs = 180_000, replyDeadlineMs = 60_000 }) {
  const byText = new Map(workload.map((item) => [item.text, { ...item, start: 0, ack: 0, status: null, replies: [] }]));
  const replyOrder = new Map(); // chatId -> seqs in the order their replies arrived
  const strays = { unexpected: 0, misrouted: 0 };
  let outstanding = byText.size;
  let allReplied = () => undefined;
  const replied = new Promise((resolve) => (allReplied = resolve));

  const untap = telegram.onCall(({ token, method, params, at }) => {
    if (method !== "sendMessage" || typeof params.text !== "string" || !params.text.startsWith(`Echo: ${prefix}-`)) return;
    const entry = byText.get(params.text.slice("Echo: ".length));
    if (!entry) return void strays.unexpected++;
    if (Number(params.chat_id) !== entry.chatId || (entry.token && token !== entry.token)) strays.misrouted++;
    entry.replies.push(at);
    replyOrder.set(entry.chatId, [...(replyOrder.get(entry.chatId) ?? []), entry.seq]);
    if (entry.replies.length === 1 && --outstanding === 0) allReplied();
  });

  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const queue = [...byText.values()];
  const busyChats = new Set();
  const waiting = new Set(); // lanes waiting for a chat to become free
  const wake = () => {
    for (const resolve of waiting) resolve();
    waiting.clear();
  };
  const sendDeadline = performance.now() + sendDeadlineMs;
  const began = performance.now();
  let scheduled = 0; // sends given a due time so far (paced)
  let maxSendLagMs = 0; // how far behind its schedule a paced send went out

  async function lane() {
    while (queue.length > 0 && performance.now() < sendDeadline) {
      const index = queue.findIndex((item) => !busyChats.has(item.chatId));
      if (index < 0) {
        await new Promise((resolve) => waiting.add(resolve)); // every queued chat is in flight: wait for an ack
        continue;
      }
      const [item] = queue.splice(index, 1);
      busyChats.add(item.chatId);
      item.start = performance.now();
      if (rate > 0) {
        const due = began + (scheduled++ * 1000) / rate;
        if (due > item.start) await new Promise((resolve) => setTimeout(resolve, due - item.start));
        maxSendLagMs = Math.max(maxSendLagMs, performance.now() - due);
        item.start = due;
      }
      item.status = await post(agent, item.url ?? url, item.headers ?? headers, item.body);
      item.ack = performance.now();
      busyChats.delete(item.chatId);
      wake();
    }
    wake(); // let a waiting lane see the end of the queue
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  const sendEnded = performance.now();
  agent.destroy();

  if (expectReplies && outstanding > 0) {
    let timer;
    await Promise.race([replied, new Promise((resolve) => (timer = setTimeout(resolve, replyDeadlineMs)))]);
    clearTimeout(timer);
  }
  const repliesEnded = performance.now();
  if (expectReplies && graceMs > 0) await new Promise((resolve) => setTimeout(resolve, graceMs));
  untap();

  const items = [...byText.values()];
  const outOfOrderChats = [...replyOrder.values()].filter((seqs) => seqs.some((seq, i) => i > 0 && seq < seqs[i - 1])).length;
  return {
    items,
    unsent: items.filter((item) => item.status === null).length,
    failedAcks: items.filter((item) => item.status !== null && item.status !== 200).length,
    lost: expectReplies ? items.filter((item) => item.status === 200 && item.replies.length === 0).length : 0,
    doubled: items.filter((item) => item.replies.length > 1).length,
    ...strays,
    outOfOrderChats,
    chats: new Set(items.map((item) => item.chatId)).size,
    began,
    maxSendLagMs,
    sendSeconds: (sendEnded - began) / 1000,
    replySeconds: (Math.max(...items.flatMap((item) => item.replies), began) - began) / 1000,
    timedOut: expectReplies && outstanding > 0 ? `${outstanding} updates unanswered after waiting ${((repliesEnded - sendEnded) / 1000).toFixed(0)} s` : null,
  };
}
