// Many messages through everything that goes wrong at once — provider 429s and 5xx storms,
// failing backend calls, the channel's object restarted mid-run, every update delivered three
// times concurrently — and every message still gets exactly one answer: 0 lost, 0 doubled.
import { describe, expect, it } from "vitest";
import { fakeOpenAi } from "../support/backend-fakes";
import { api, chatMessages, deliver, dmUpdate, eventually, injectTelegramFaults, newUser, restartChannelObject, startTelegramChannel, type TestBot, type TestUser } from "../support/harness";

/** What the user sees: messages Telegram accepted (refused attempts are not in the chat). */
const seen = async (bot: TestBot, chatId: number) => (await chatMessages(bot, chatId)).map((message) => message.text);

const USERS = 8;
const MESSAGES_PER_USER = 3;

describe("fault storm", () => {
  it(`${USERS * MESSAGES_PER_USER} messages: one answer each through 429s, 5xx, backend failures, a restart and 3× redelivery`, async () => {
    const fake = await fakeOpenAi();
    const created = await api("POST", "/workspaces", { name: "Storm", backend: "openai", config: { baseUrl: fake.baseUrl, model: "gpt-test" }, secrets: { apiKey: fake.apiKey! } });
    const channel = await startTelegramChannel({ workspaceId: created.body.workspace.id, settings: { dmPolicy: "open" } });

    const storm = [
      { status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } } },
      { status: 502, body: { ok: false, error_code: 502, description: "Bad Gateway" } },
      { status: 500, body: { ok: false, error_code: 500, description: "Internal Server Error" } },
      { status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } } },
      { status: 503, body: { ok: false, error_code: 503, description: "Service Unavailable" } },
    ];
    await injectTelegramFaults(channel.bot, "sendMessage", storm);
    // Four backend calls fail: those users are told once that the assistant is unavailable.
    await fake.fault("chat/completions", { status: 500 }, { status: 503 }, { status: 500 }, { status: 502 });

    const users: TestUser[] = Array.from({ length: USERS }, (_, index) => newUser(`Storm${index}`));
    const updates = users.flatMap((user) => Array.from({ length: MESSAGES_PER_USER }, (_, n) => ({ user, update: dmUpdate(user, `question ${n} from ${user.first_name}`) })));
    for (const [index, { update }] of updates.entries()) {
      const responses = await Promise.all([deliver(channel, update), deliver(channel, update), deliver(channel, update)]);
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
      // Half-way, the object restarts: in-flight handling is lost and must be picked up again.
      if (index === Math.floor(updates.length / 2)) {
        await restartChannelObject(channel.id);
      }
    }

    for (const user of users) {
      const answers = await eventually(async () => {
        const texts = await seen(channel.bot, user.id);
        expect(texts.length).toBeGreaterThanOrEqual(MESSAGES_PER_USER);
        return texts;
      }, 30_000);
      // Each question answered once: by the agent, or by the one-line apology for a failed run.
      for (let n = 0; n < MESSAGES_PER_USER; n++) {
        const question = `question ${n} from ${user.first_name}`;
        const matching = answers.filter((text) => text === `You said: ${question}`);
        expect(matching.length, `${question}: ${JSON.stringify(answers)}`).toBeLessThanOrEqual(1);
      }
      expect(answers, JSON.stringify(answers)).toHaveLength(MESSAGES_PER_USER);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const all = (await Promise.all(users.map((user) => seen(channel.bot, user.id)))).flat();
    expect(all).toHaveLength(USERS * MESSAGES_PER_USER);
    expect(all.filter((text) => text.startsWith("The assistant is unavailable"))).toHaveLength(4);
  }, 60_000);
});
