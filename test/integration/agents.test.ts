// Named agents: `@name …` reaches an agent only when the channel's whitelist allows it.
import { describe, expect, it } from "vitest";
import { api, channelLogs, deliver, dmUpdate, newUser, startTelegramChannel, waitForTexts } from "../support/harness";

describe("agent whitelist", () => {
  it("refuses an agent the channel does not allow, naming the allowed ones", async () => {
    const workspace = await api("POST", "/workspaces", { name: "Ops", backend: "echo", agents: ["ops", "writer"] });
    const channel = await startTelegramChannel({
      workspaceId: workspace.body.workspace.id,
      settings: { dmPolicy: "open", agentWhitelist: ["writer"] },
    });
    const user = newUser();
    await deliver(channel, dmUpdate(user, "@ops restart the database"));
    await deliver(channel, dmUpdate(user, "@writer draft the notice"));
    await deliver(channel, dmUpdate(user, "@someone-else is a person, not an agent"));
    expect(await waitForTexts(channel.bot, user.id, 3)).toEqual([
      "The agent @ops is not available here. Allowed agents: @writer.",
      "Echo: @writer draft the notice",
      "Echo: @someone-else is a person, not an agent",
    ]);
    expect(await channelLogs(channel.id)).toContainEqual(expect.objectContaining({ event: "agent.refused" }));
  });

  it("says so plainly when no agent is allowed", async () => {
    const workspace = await api("POST", "/workspaces", { name: "Agents", backend: "echo", agents: ["ops"] });
    const channel = await startTelegramChannel({ workspaceId: workspace.body.workspace.id, settings: { dmPolicy: "open" } });
    const user = newUser();
    await deliver(channel, dmUpdate(user, "@ops status"));
    expect(await waitForTexts(channel.bot, user.id, 1)).toEqual(["The agent @ops is not available here."]);
  });

  it("validates agent names on the workspace", async () => {
    const bad = await api("POST", "/workspaces", { name: "Bad", backend: "echo", agents: ["two words"] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^agents\.0: agent names are letters, digits/);
  });
});
