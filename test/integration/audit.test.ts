// The audit log: admin actions through the API are recorded with who did them (the bearer token
// or a UI session), what and to what; reads are not.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { api, deliver, dmUpdate, newUser, startTelegramChannel, waitForTexts, worker } from "../support/harness";

describe("audit log", () => {
  it("records channel, pairing, invite and user actions with the actor, newest first", async () => {
    const channel = await startTelegramChannel();
    await api("PATCH", `/channels/${channel.id}`, { displayName: "Audit bot", settings: { requireMention: false } });
    const user = newUser("Ada");
    await deliver(channel, dmUpdate(user, "hello"));
    await waitForTexts(channel.bot, user.id, 1);
    const [request] = (await api("GET", `/channels/${channel.id}/pairing`)).body.requests;
    await api("POST", `/channels/${channel.id}/pairing/${request.id}/approve`);
    const invite = (await api("POST", `/channels/${channel.id}/invite-codes`)).body.inviteCode;
    await api("DELETE", `/channels/${channel.id}/invite-codes/${invite.id}`);
    const [approved] = (await api("GET", `/channels/${channel.id}/users`)).body.users;
    await api("PATCH", `/channels/${channel.id}/users/${approved.id}`, { disabled: true });
    await api("DELETE", `/channels/${channel.id}/users/${approved.id}`);
    await api("POST", `/channels/${channel.id}/stop`);
    // Refused actions are not recorded (the request went with the removed user).
    expect((await api("POST", `/channels/${channel.id}/pairing/${request.id}/approve`)).status).toBe(404);

    const { body } = await api("GET", `/audit?channelId=${channel.id}`);
    expect(body.entries.map((entry: any) => entry.action)).toEqual([
      "channel.stopped",
      "user.removed",
      "user.disabled",
      "invite.revoked",
      "invite.created",
      "pairing.approved",
      "channel.updated",
      "channel.started",
      "channel.created",
    ]);
    const byAction = new Map<string, any>(body.entries.map((entry: any) => [entry.action, entry]));
    expect(byAction.get("pairing.approved")).toMatchObject({ actor: { kind: "token", id: null }, target: { type: "pairing", id: request.id }, summary: `Approved pairing code ${request.code} (Ada)` });
    expect(byAction.get("user.removed")).toMatchObject({ summary: "Removed Ada", target: { type: "user", id: approved.id } });
    expect(byAction.get("user.disabled")).toMatchObject({ summary: "Disabled Ada" });
    expect(byAction.get("channel.updated")).toMatchObject({ summary: "Changed displayName, settings.requireMention" });
    expect(byAction.get("invite.created").summary).toBe(`Generated invite code ${invite.code}`);
    expect(byAction.get("channel.created")).toMatchObject({ workspaceId: "ws_default", channelId: channel.id });
    // Never a credential: the created channel's token is not in the log.
    expect(JSON.stringify(body)).not.toContain(channel.bot.token);
  });

  it("names a UI session by the start of its id, and keeps workspace actions", async () => {
    const login = await worker("/auth/login", { method: "POST", headers: { "content-type": "application/json", origin: "https://switchboard.example" }, body: JSON.stringify({ token: env.ADMIN_TOKEN }) });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const created = await worker("/api/workspaces", {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrfToken, origin: "https://switchboard.example", "content-type": "application/json" },
      body: JSON.stringify({ name: "Audited", backend: "echo", secrets: { apiKey: "sk-never-logged" } }),
    });
    expect(created.status).toBe(201);
    const { workspace } = (await created.json()) as { workspace: { id: string } };
    const { body } = await api("GET", `/audit?workspaceId=${workspace.id}`);
    expect(body.entries).toEqual([
      expect.objectContaining({ action: "workspace.created", actor: { kind: "session", id: expect.stringMatching(/^ses_[a-z0-9]{8}$/) }, summary: "Created the workspace Audited (echo)" }),
    ]);
    expect(JSON.stringify(body)).not.toContain("sk-never-logged");
  });
});
