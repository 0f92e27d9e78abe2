/// <reference types="vite/client" />
// Fuzzes every provider's parser with mutations of its own payload samples (samples/*.json beside
// each adapter): a parser either returns a well-formed acknowledgement and events, or throws
// (the channel answers 400). It never returns an event the core would trip over (a 5xx), and a
// request that fails verification never stores an event or sends a message. FUZZ_CASES raises
// the count per provider (`npm run fuzz`); the default keeps `npm test` quick.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { findProvider } from "../../worker/providers/registry";
import type { ChannelContext } from "../../worker/providers/types";
import { api, telegramCalls, startTelegramChannel, worker } from "../support/harness";
import { random } from "../support/seeded-random";
import { fuzzBody } from "./mutate";

const CASES = Number(env.FUZZ_CASES ?? 2000);
const SEED = 20261129;

const sampleFiles = import.meta.glob<{ headers: Record<string, string>; body: unknown }>("../../worker/providers/*/samples/*.json", { eager: true, import: "default" });
const samplesByProvider = new Map<string, { headers: Record<string, string>; body: unknown }[]>();
for (const [path, sample] of Object.entries(sampleFiles)) {
  const provider = /providers\/([^/]+)\/samples/.exec(path)![1]!;
  samplesByProvider.set(provider, [...(samplesByProvider.get(provider) ?? []), sample]);
}

/** Credentials a provider's parser may read (e.g. a decryption key); anything else is generic. */
const contextCredentials: Record<string, Record<string, string>> = {
  slack: { botToken: "xoxb-1-fuzz", signingSecret: "fuzz-signing-secret" },
  telegram: { botToken: "123456789:AAfuzzfuzzfuzzfuzzfuzzfuzzfuzz" },
};

function contextFor(provider: string): ChannelContext {
  return {
    channelId: "ch_fuzz",
    credentials: contextCredentials[provider] ?? { secret: "fuzz-secret-value", botToken: "fuzz-token", appSecret: "fuzz-app-secret", encryptKey: "fuzz-encrypt-key" },
    webhookSecret: "fuzz-webhook-secret",
    account: { id: "T0ACME0001:U0BOTUSER1", name: "switch_test_bot", details: { user_id: "U0BOTUSER1", bot_id: "B0BOTID001", team_id: "T0ACME0001", id: "7000001" } },
    env: {},
  };
}

const messageSchema = z.object({
  eventId: z.string().min(1),
  chat: z.object({ id: z.string().min(1), type: z.enum(["direct", "group"]) }),
  sender: z.object({ id: z.string().min(1) }),
  address: z.string().min(1),
  text: z.string(),
  addressedToBot: z.boolean(),
  sentAt: z.number().finite(),
});
const parsedSchema = z.object({
  ack: z.object({ status: z.number().int().min(200).max(599), contentType: z.string().min(1), body: z.string() }),
  events: z.array(
    z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("message"), message: messageSchema }),
      z.object({ kind: z.literal("ignored"), reason: z.string() }),
      z.object({ kind: z.literal("login") }),
      z.object({ kind: z.literal("credentials"), credentials: z.record(z.string(), z.string()) }),
    ]),
  ),
});

describe("parser fuzzing", () => {
  for (const [providerId, samples] of samplesByProvider) {
    it(`${providerId}: ${CASES} mutated samples parse into well-formed results or a clean refusal`, () => {
      const adapter = findProvider(providerId);
      expect(adapter, `samples for unregistered provider ${providerId}`).toBeDefined();
      const rng = random(SEED);
      const context = contextFor(providerId);
      let parsedCount = 0;
      for (let index = 0; index < CASES; index++) {
        const sample = samples[Math.floor(rng() * samples.length)]!;
        const rawBody = fuzzBody(sample.body, rng);
        const request = { method: "POST", url: `https://switchboard.example/webhooks/${providerId}/ch_fuzz`, headers: new Headers(sample.headers), rawBody };
        let result: unknown;
        try {
          result = adapter!.parse(context, request);
        } catch (error) {
          expect(error, `case ${index} threw a non-Error`).toBeInstanceOf(Error);
          continue;
        }
        const check = parsedSchema.safeParse(result);
        expect(check.success, `case ${index} (seed ${SEED}): ${rawBody.slice(0, 300)}\n${check.error?.message}`).toBe(true);
        parsedCount += 1;
      }
      // The mutations must not be so wild that nothing reaches the parser's inner paths.
      expect(parsedCount).toBeGreaterThan(CASES / 10);
    });
  }
});

describe("webhook endpoint fuzzing", () => {
  it("unsigned or wrongly signed junk never gets a 5xx, never stores, never sends", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    const rng = random(SEED + 1);
    const samples = samplesByProvider.get("telegram")!;
    const statuses = new Set<number>();
    for (let index = 0; index < 200; index++) {
      const sample = samples[Math.floor(rng() * samples.length)]!;
      // Missing, one character short, or with the last character changed: never the secret itself.
      const last = channel.secret.at(-1) === "x" ? "y" : "x";
      const secret = rng() < 0.5 ? null : `${channel.secret.slice(0, -1)}${rng() < 0.5 ? last : ""}`;
      const response = await worker(`/webhooks/telegram/${channel.id}`, {
        method: rng() < 0.9 ? "POST" : "GET",
        headers: { "content-type": "application/json", ...(secret === null ? {} : { "x-telegram-bot-api-secret-token": secret }) },
        body: undefined,
        ...(rng() < 0.9 ? { method: "POST", body: fuzzBody(sample.body, rng) } : {}),
      });
      statuses.add(response.status);
      expect(response.status, `case ${index}`).toBeLessThan(500);
    }
    expect([...statuses]).toEqual([401]);
    const inbox = await api("GET", `/channels/${channel.id}/users`);
    expect(inbox.body.users).toEqual([]);
    expect(await telegramCalls(channel.bot, "sendMessage")).toEqual([]);
  });

  it("correctly signed junk gets 200 or 400, never a 5xx", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    const rng = random(SEED + 2);
    const samples = samplesByProvider.get("telegram")!;
    for (let index = 0; index < 200; index++) {
      const sample = samples[Math.floor(rng() * samples.length)]!;
      const response = await worker(`/webhooks/telegram/${channel.id}`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": channel.secret },
        body: fuzzBody(sample.body, rng),
      });
      expect([200, 400], `case ${index}`).toContain(response.status);
    }
  });
});
