// Access control from the chat user's side: pairing codes, invite codes, policies, user states.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  api,
  approvedUser,
  channelLogs,
  deliver,
  dmUpdate,
  eventually,
  newUser,
  sentTexts,
  startTelegramChannel,
  waitForTexts,
} from "../support/harness";

const CODE = /pairing code is ([2-9A-HJ-NP-Z]{8})/;

describe("pairing", () => {
  it("an unknown user gets a code, the admin approves, the user is told and the first message answered", async () => {
    const channel = await startTelegramChannel();
    const user = newUser("Grace");
    expect((await deliver(channel, dmUpdate(user, "What is our refund policy?"))).status).toBe(200);

    const [codeMessage] = await waitForTexts(channel.bot, user.id, 1);
    const code = CODE.exec(codeMessage!)![1];
    const pairing = await api("GET", `/channels/${channel.id}/pairing`);
    expect(pairing.body.requests).toEqual([
      expect.objectContaining({
        code,
        heldMessage: true,
        user: expect.objectContaining({ providerUserId: String(user.id), username: user.username, displayName: "Grace" }),
      }),
    ]);
    const expiresIn = pairing.body.requests[0].expiresAt - pairing.body.requests[0].createdAt;
    expect(expiresIn).toBe(60 * 60 * 1000);

    const approve = await api("POST", `/channels/${channel.id}/pairing/${pairing.body.requests[0].id}/approve`);
    expect(approve).toEqual({ status: 200, body: { ok: true } });
    const texts = await waitForTexts(channel.bot, user.id, 3);
    expect(texts.slice(1)).toEqual(["You're approved! You are now connected to Default (echo).", "Echo: What is our refund policy?"]);
    expect((await api("GET", `/channels/${channel.id}/pairing`)).body.requests).toEqual([]);
    const users = (await api("GET", `/channels/${channel.id}/users?state=approved`)).body.users;
    expect(users.map((item: any) => item.providerUserId)).toEqual([String(user.id)]);

    // Deciding twice is refused.
    const again = await api("POST", `/channels/${channel.id}/pairing/${pairing.body.requests[0].id}/approve`);
    expect(again).toEqual({ status: 409, body: { error: "pairing request is already approved" } });
  });

  it("answers every message sent while waiting, in order, not only the first (at most 20 held)", async () => {
    const channel = await startTelegramChannel();
    const user = newUser("Lin");
    await deliver(channel, dmUpdate(user, "first question"));
    await waitForTexts(channel.bot, user.id, 1);
    await deliver(channel, dmUpdate(user, "second question"));
    await deliver(channel, dmUpdate(user, "/help"));
    await deliver(channel, dmUpdate(user, "third question"));
    const [request] = await eventually(async () => {
      const { body } = await api("GET", `/channels/${channel.id}/pairing`);
      expect(body.requests[0].heldMessages).toBe(3);
      return body.requests;
    });
    expect(request.heldMessage).toBe(true);
    await api("POST", `/channels/${channel.id}/pairing/${request.id}/approve`);
    await eventually(async () => {
      const texts = await sentTexts(channel.bot, user.id);
      // Commands sent while waiting are not replayed; every question is, in order.
      expect(texts.filter((text) => text.startsWith("Echo: "))).toEqual(["Echo: first question", "Echo: second question", "Echo: third question"]);
    });
    // Approving again changes nothing and answers nothing twice.
    expect((await api("POST", `/channels/${channel.id}/pairing/${request.id}/approve`)).status).toBe(409);

    const flood = newUser("Flo");
    for (let i = 0; i < 23; i++) await deliver(channel, dmUpdate(flood, `message ${i}`));
    const held = async () => (await api("GET", `/channels/${channel.id}/pairing`)).body.requests[0]?.heldMessages;
    await eventually(async () => expect(await held()).toBe(20));
    // The three beyond the bound are not held: the count stays at 20.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await held()).toBe(20);
  });

  it("speaks with the channel's display name, not the workspace's internal name", async () => {
    const channel = await startTelegramChannel();
    expect((await api("PATCH", `/channels/${channel.id}`, { displayName: "Acme Help" })).status).toBe(200);
    const user = newUser();
    await deliver(channel, dmUpdate(user, "hello"));
    await waitForTexts(channel.bot, user.id, 1);
    const [request] = (await api("GET", `/channels/${channel.id}/pairing`)).body.requests;
    await api("POST", `/channels/${channel.id}/pairing/${request.id}/approve`);
    expect((await waitForTexts(channel.bot, user.id, 3))[1]).toBe("You're approved! You are now connected to Acme Help.");
    await deliver(channel, dmUpdate(user, "/start"));
    expect((await waitForTexts(channel.bot, user.id, 4))[3]).toBe("You are connected to Acme Help. Send a message to start; /help lists the commands.");
  });

  it("holds one pending request per user and re-shows its code", async () => {
    const channel = await startTelegramChannel();
    const user = newUser();
    await deliver(channel, dmUpdate(user, "hi"));
    await deliver(channel, dmUpdate(user, "hello?"));
    const texts = await waitForTexts(channel.bot, user.id, 2);
    const code = CODE.exec(texts[0]!)![1];
    expect(texts[1]).toBe(`Still waiting for an admin to approve your pairing code ${code}.`);
    expect((await api("GET", `/channels/${channel.id}/pairing`)).body.requests).toHaveLength(1);
  });

  it("reject tells the user; new requests are rate-limited per user", async () => {
    const channel = await startTelegramChannel();
    const user = newUser();
    for (let round = 0; round < 3; round++) {
      await deliver(channel, dmUpdate(user, `try ${round}`));
      const requests = await eventually(async () => {
        const { body } = await api("GET", `/channels/${channel.id}/pairing`);
        expect(body.requests).toHaveLength(1);
        return body.requests;
      });
      expect((await api("POST", `/channels/${channel.id}/pairing/${requests[0].id}/reject`)).status).toBe(200);
    }
    await deliver(channel, dmUpdate(user, "one more time"));
    const texts = await waitForTexts(channel.bot, user.id, 7);
    expect(texts.filter((text) => text === "Your pairing request was declined by an admin.")).toHaveLength(3);
    expect(texts[6]).toBe("Too many pairing requests. Please try again later.");
    expect((await api("GET", `/channels/${channel.id}/pairing`)).body.requests).toEqual([]);
    expect((await channelLogs(channel.id, "warn"))[0]).toMatchObject({ event: "pairing.rate_limited" });
  });

  it("expires a code after an hour: it cannot be approved, and the user gets a new one", async () => {
    const channel = await startTelegramChannel();
    const user = newUser();
    await deliver(channel, dmUpdate(user, "hello"));
    const first = CODE.exec((await waitForTexts(channel.bot, user.id, 1))[0]!)![1];
    const [request] = (await api("GET", `/channels/${channel.id}/pairing`)).body.requests;
    await env.DB.prepare("UPDATE pairing_requests SET expires_at = ? WHERE id = ?").bind(Date.now() - 1, request.id).run();

    expect((await api("GET", `/channels/${channel.id}/pairing`)).body.requests).toEqual([]);
    expect(await api("POST", `/channels/${channel.id}/pairing/${request.id}/approve`)).toEqual({
      status: 409,
      body: { error: "pairing request has expired" },
    });
    await deliver(channel, dmUpdate(user, "hello again"));
    const second = CODE.exec((await waitForTexts(channel.bot, user.id, 2))[1]!)![1];
    expect(second).not.toBe(first);
  });

  it("404s an unknown request", async () => {
    const channel = await startTelegramChannel();
    expect((await api("POST", `/channels/${channel.id}/pairing/pr_nope/approve`)).status).toBe(404);
  });
});

describe("invite codes", () => {
  it("/start CODE approves at once; a code works only once", async () => {
    const channel = await startTelegramChannel();
    const invite = await api("POST", `/channels/${channel.id}/invite-codes`);
    expect(invite.status).toBe(201);
    expect(invite.body.inviteCode.code).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
    expect(invite.body.inviteCode.expiresAt).toBeGreaterThan(Date.now());

    const first = newUser();
    await deliver(channel, dmUpdate(first, `/start ${invite.body.inviteCode.code.toLowerCase()}`));
    await deliver(channel, dmUpdate(first, "hi"));
    expect(await waitForTexts(channel.bot, first.id, 2)).toEqual([
      "Invite code accepted. You are now connected to Default (echo).",
      "Echo: hi",
    ]);

    const second = newUser();
    await deliver(channel, dmUpdate(second, `/start ${invite.body.inviteCode.code}`));
    // Under the pairing policy a failed code says the user can simply write to get a pairing code.
    expect(await waitForTexts(channel.bot, second.id, 1)).toEqual(["That invite code is not valid or has expired. You don't need one: simply write a message here to get a pairing code that an admin can approve."]);
  });

  it("locks the sender out after repeated wrong codes, even for a right one", async () => {
    const channel = await startTelegramChannel();
    const invite = await api("POST", `/channels/${channel.id}/invite-codes`);
    const user = newUser();
    for (let i = 0; i < 5; i++) await deliver(channel, dmUpdate(user, `/start WRONG${i}XX`));
    await deliver(channel, dmUpdate(user, `/start ${invite.body.inviteCode.code}`));
    const texts = await waitForTexts(channel.bot, user.id, 6);
    expect(texts.slice(0, 4)).toEqual(Array(4).fill("That invite code is not valid or has expired. You don't need one: simply write a message here to get a pairing code that an admin can approve."));
    expect(texts[4]).toBe("Too many wrong codes. Try again in 15 minutes.");
    expect(texts[5]).toMatch(/^Too many wrong codes\. Try again in 1[45] minutes\.$/);
    const users = (await api("GET", `/channels/${channel.id}/users?state=approved`)).body.users;
    expect(users).toEqual([]);
  });
});

describe("user management", () => {
  it("a disabled user is refused with a clear message, re-enabled users are answered again", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    const [stored] = (await api("GET", `/channels/${channel.id}/users`)).body.users;
    const disabled = await api("PATCH", `/channels/${channel.id}/users/${stored.id}`, { disabled: true });
    expect(disabled.body.user.state).toBe("disabled");

    await deliver(channel, dmUpdate(user, "still here?"));
    expect((await waitForTexts(channel.bot, user.id, 2))[1]).toBe("Your access to this assistant has been disabled by an admin.");
    expect(await channelLogs(channel.id)).toContainEqual(expect.objectContaining({ event: "inbound.refused", message: "Refused: user is disabled" }));

    await api("PATCH", `/channels/${channel.id}/users/${stored.id}`, { disabled: false });
    await deliver(channel, dmUpdate(user, "back again"));
    expect((await waitForTexts(channel.bot, user.id, 3))[2]).toBe("Echo: back again");
  });

  it("a removed user must pair again", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    const [stored] = (await api("GET", `/channels/${channel.id}/users`)).body.users;
    expect((await api("DELETE", `/channels/${channel.id}/users/${stored.id}`)).status).toBe(200);
    await deliver(channel, dmUpdate(user, "hello"));
    expect((await waitForTexts(channel.bot, user.id, 2))[1]).toMatch(CODE);
  });

  it("searches users by name", async () => {
    const channel = await startTelegramChannel();
    await approvedUser(channel, "Katherine");
    await approvedUser(channel, "Dorothy");
    const found = (await api("GET", `/channels/${channel.id}/users?q=doro`)).body.users;
    expect(found.map((user: any) => user.displayName)).toEqual(["Dorothy"]);
  });
});

describe("DM policies", () => {
  it("open answers anyone at once", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "open" } });
    const user = newUser();
    await deliver(channel, dmUpdate(user, "hi"));
    expect(await waitForTexts(channel.bot, user.id, 1)).toEqual(["Echo: hi"]);
  });

  it("allowlist refuses strangers without creating requests, but takes invite codes", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "allowlist" } });
    const user = newUser();
    await deliver(channel, dmUpdate(user, "hi"));
    expect(await waitForTexts(channel.bot, user.id, 1)).toEqual([
      "This assistant only answers users an admin has added. Ask an admin for an invite code.",
    ]);
    expect((await api("GET", `/channels/${channel.id}/pairing`)).body.requests).toEqual([]);
    await approvedUser(channel);
  });

  it("disabled drops DMs with a logged reason and no reply", async () => {
    const channel = await startTelegramChannel({ settings: { dmPolicy: "disabled" } });
    const user = newUser();
    await deliver(channel, dmUpdate(user, "hi"));
    await eventually(async () => expect((await channelLogs(channel.id))[0]).toMatchObject({ event: "inbound.dropped", message: "Dropped: direct messages are disabled for this channel" }));
    expect(await sentTexts(channel.bot, user.id)).toEqual([]);
  });
});

describe("invite code list", () => {
  it("lists codes with their state — unused, used by whom, expired, revoked — and revokes an unused one", async () => {
    const channel = await startTelegramChannel();
    const used = (await api("POST", `/channels/${channel.id}/invite-codes`)).body.inviteCode;
    const expired = (await api("POST", `/channels/${channel.id}/invite-codes`)).body.inviteCode;
    const revoked = (await api("POST", `/channels/${channel.id}/invite-codes`)).body.inviteCode;
    const unused = (await api("POST", `/channels/${channel.id}/invite-codes`)).body.inviteCode;
    await env.DB.prepare("UPDATE invite_codes SET expires_at = ? WHERE id = ?").bind(Date.now() - 1, expired.id).run();
    const grace = newUser("Grace");
    await deliver(channel, dmUpdate(grace, `/start ${used.code}`));
    await waitForTexts(channel.bot, grace.id, 1);

    expect((await api("DELETE", `/channels/${channel.id}/invite-codes/${revoked.id}`)).status).toBe(200);
    expect((await api("DELETE", `/channels/${channel.id}/invite-codes/${revoked.id}`)).status).toBe(404);
    expect((await api("DELETE", `/channels/${channel.id}/invite-codes/${used.id}`)).status).toBe(404);

    const list = (await api("GET", `/channels/${channel.id}/invite-codes`)).body.inviteCodes;
    const byId = new Map(list.map((item: any) => [item.id, item]));
    expect(list[0].id).toBe(unused.id);
    expect(byId.get(unused.id)).toMatchObject({ state: "unused", code: unused.code, redeemedBy: null });
    expect(byId.get(used.id)).toMatchObject({ state: "used", redeemedBy: { displayName: "Grace", providerUserId: String(grace.id) } });
    expect(byId.get(expired.id)).toMatchObject({ state: "expired" });
    expect(byId.get(revoked.id)).toMatchObject({ state: "revoked" });

    // A revoked code no longer works.
    const late = newUser("Late");
    await deliver(channel, dmUpdate(late, `/start ${revoked.code}`));
    expect((await waitForTexts(channel.bot, late.id, 1))[0]).toMatch(/^That invite code is not valid or has expired\./);
  });
});
