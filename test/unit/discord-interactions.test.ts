// Contract: the interaction samples kept beside the adapter (worker/providers/discord/samples),
// signed here with a real Ed25519 key pair, verified and parsed the way the webhook does.
import { describe, expect, it } from "vitest";
import { discordAdapter } from "../../worker/providers/discord/adapter";
import { snowflakeTime } from "../../worker/providers/discord/address";
import type { ChannelContext, InboundRequest } from "../../worker/providers/types";
import askGuild from "../../worker/providers/discord/samples/command-ask-guild.json";
import component from "../../worker/providers/discord/samples/component-button.json";
import ping from "../../worker/providers/discord/samples/ping.json";
import startDm from "../../worker/providers/discord/samples/command-start-dm.json";
import switchGuild from "../../worker/providers/discord/samples/command-switch-guild.json";
import threadsDm from "../../worker/providers/discord/samples/command-threads-dm.json";
import { signedHeaders, toHex } from "../support/discord-signing";

interface Sample {
  headers: Record<string, string>;
  body: Record<string, any>;
}

const keys = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
const publicKey = toHex(new Uint8Array((await crypto.subtle.exportKey("raw", keys.publicKey)) as ArrayBuffer));

const channel: ChannelContext = {
  channelId: "ch_contract",
  credentials: { botToken: "x.y.z", applicationId: "1290412385551548416", publicKey },
  webhookSecret: "unused",
  account: { id: "1290412385551548416", name: "switchboard", details: {} },
  env: {},
};

async function request(sample: Sample, options: { body?: string; timestamp?: number } = {}): Promise<InboundRequest> {
  const rawBody = options.body ?? JSON.stringify(sample.body);
  const headers = await signedHeaders(keys.privateKey, JSON.stringify(sample.body), options.timestamp);
  return { method: "POST", url: "https://switchboard.example/webhooks/discord/ch_contract", headers: new Headers({ ...sample.headers, ...headers }), rawBody };
}

async function parse(sample: Sample) {
  const incoming = await request(sample);
  expect(await discordAdapter.verify(channel, incoming)).toBe(true);
  return discordAdapter.parse(channel, incoming);
}

describe("Discord interaction signatures", () => {
  it("accepts Discord's signature and refuses a changed body, another key, a stale timestamp or no headers", async () => {
    expect(await discordAdapter.verify(channel, await request(ping))).toBe(true);
    expect(await discordAdapter.verify(channel, await request(ping, { body: JSON.stringify({ ...ping.body, type: 2 }) }))).toBe(false);
    const other = { ...channel, credentials: { ...channel.credentials, publicKey: "ab".repeat(32) } };
    expect(await discordAdapter.verify(other, await request(ping))).toBe(false);
    expect(await discordAdapter.verify(channel, await request(ping, { timestamp: Math.floor(Date.now() / 1000) - 600 }))).toBe(false);
    const bare = { ...(await request(ping)), headers: new Headers({ "content-type": "application/json" }) };
    expect(await discordAdapter.verify(channel, bare)).toBe(false);
    expect(await discordAdapter.verify(channel, { ...(await request(ping)), method: "GET" })).toBe(false);
  });
});

describe("Discord interaction parsing", () => {
  it("answers PING with PONG and no events", async () => {
    expect(await parse(ping)).toEqual({ ack: { status: 200, contentType: "application/json", body: '{"type":1}' }, events: [] });
  });

  it("turns /start CODE in a DM into one message from `user`, deferred in public", async () => {
    const parsed = await parse(startDm);
    expect(JSON.parse(parsed.ack.body)).toEqual({ type: 5 });
    expect(JSON.parse(parsed.stoppedAck!.body)).toEqual({ type: 4, data: { content: expect.stringContaining("not available"), flags: 64 } });
    expect(parsed.events).toEqual([
      {
        kind: "message",
        message: {
          eventId: startDm.body.id,
          chat: { id: "1290498871216820254", type: "direct", title: undefined },
          sender: { id: "812735629014581268", username: "ada.lovelace", displayName: "Ada" },
          address: `i:${startDm.body.id}:dm.812735629014581268:${startDm.body.token}`,
          text: "/start K7MPQ2XZ",
          addressedToBot: true,
          sentAt: snowflakeTime(startDm.body.id),
        },
      },
    ]);
    expect(new Date(snowflakeTime(startDm.body.id)).toISOString()).toMatch(/^2024-10-01T/);
  });

  it("an ask in a server is a public question from `member.user`, answered in the channel after expiry", async () => {
    const parsed = await parse(askGuild);
    expect(JSON.parse(parsed.ack.body)).toEqual({ type: 5 });
    expect(parsed.events[0]).toMatchObject({
      kind: "message",
      message: {
        chat: { id: "1101384957382049843", type: "group", title: "support" },
        sender: { id: "655019380275871754", username: "grace.h", displayName: "Grace (ops)" },
        address: `i:${askGuild.body.id}:pub.1101384957382049843:${askGuild.body.token}`,
        text: "What changed in the deploy checklist?",
        addressedToBot: true,
      },
    });
  });

  it("a command in a server is private: an ephemeral deferral and an ephemeral address", async () => {
    const parsed = await parse(switchGuild);
    expect(JSON.parse(parsed.ack.body)).toEqual({ type: 5, data: { flags: 64 } });
    expect(parsed.events[0]).toMatchObject({ message: { text: "/switch 2", address: `i:${switchGuild.body.id}:eph:${switchGuild.body.token}` } });
  });

  it("writes option-less commands as the bare command", async () => {
    expect((await parse(threadsDm)).events[0]).toMatchObject({ message: { text: "/threads", chat: { type: "direct" } } });
  });

  it("acknowledges what it does not handle, with a reason", async () => {
    const clicked = await parse(component);
    expect(JSON.parse(clicked.ack.body)).toEqual({ type: 6 });
    expect(clicked.events).toEqual([{ kind: "ignored", eventId: component.body.id, reason: "component interactions are not handled" }]);

    const stale = { ...threadsDm, body: { ...threadsDm.body, data: { ...threadsDm.body.data, name: "old-command" } } };
    const unknown = await parse(stale);
    expect(JSON.parse(unknown.ack.body)).toEqual({ type: 4, data: { content: "This command is not available.", flags: 64 } });
    expect(unknown.events).toEqual([{ kind: "ignored", eventId: threadsDm.body.id, reason: 'command "old-command" is not one of Switchboard\'s' }]);
  });

  it("throws on a body that is not an interaction (the webhook answers 400)", async () => {
    expect(() => discordAdapter.parse(channel, { method: "POST", url: "", headers: new Headers(), rawBody: '{"hello":1}' })).toThrow();
    expect(() => discordAdapter.parse(channel, { method: "POST", url: "", headers: new Headers(), rawBody: "{not json" })).toThrow();
  });
});
