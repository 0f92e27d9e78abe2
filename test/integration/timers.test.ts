// Timers end with the work they limit: a Bot API call or an agent turn that is over leaves no
// timer armed. workerd allows 10,000 active timers per Durable Object; a timer that stayed armed
// until it fired (AbortSignal.timeout: 15 s per Bot API call, 5 min per agent turn) made a busy
// channel fail real messages with "You have exceeded the number of active timeouts you may set".
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { callTelegram } from "../../worker/providers/telegram/api";
import { approvedUser, createBot, deliver, dmUpdate, eventually, sentTexts, startTelegramChannel } from "../support/harness";
import { trackTimersPerTest } from "../support/timers";

const track = trackTimersPerTest();

describe("timers end with the work", () => {
  it("a Bot API call leaves no timer armed, whether it succeeds, is refused or cannot connect", async () => {
    const bot = await createBot();
    const tracker = track();
    await callTelegram(env, bot.token, "getMe");
    await expect(callTelegram(env, "123:not-a-bot", "getMe")).rejects.toThrow("Telegram getMe: Unauthorized");
    await expect(callTelegram({ TELEGRAM_API_BASE: "http://127.0.0.1:9" }, bot.token, "getMe")).rejects.toThrow("Telegram getMe failed: network error");
    expect(tracker.armed()).toEqual([]);
  });

  it("an answered agent turn leaves no timer armed", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    const tracker = track();
    expect((await deliver(channel, dmUpdate(user, "hello"))).status).toBe(200);
    await eventually(async () => expect(await sentTexts(channel.bot, user.id)).toContain("Echo: hello"));
    await eventually(async () => expect(tracker.armed()).toEqual([]));
  });

  it("more Bot API calls than the runtime's 10,000 active timers, within one call's time limit, all succeed", async () => {
    const bot = await createBot();
    const total = 10_100;
    const failures: string[] = [];
    let started = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (started < total) {
          started += 1;
          await callTelegram(env, bot.token, "getMe").catch((error: Error) => failures.push(error.message));
        }
      }),
    );
    // Before timers were cleared, every call past the 10,000th failed while the first were still
    // armed (the calls take about 5 s here, well within one call's 15 s limit).
    expect({ failed: failures.length, first: failures[0] }).toEqual({ failed: 0, first: undefined });
  }, 60_000);
});
