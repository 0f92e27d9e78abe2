import { describe, expect, it } from "vitest";
import { api, approvedUser, deliver, dmUpdate, startTelegramChannel, waitForTexts, worker } from "../support/harness";

describe("smoke", () => {
  it("health", async () => {
    const response = await worker("/healthz");
    expect(response.status).toBe(200);
  });
  it("echo", async () => {
    const channel = await startTelegramChannel();
    const user = await approvedUser(channel);
    await deliver(channel, dmUpdate(user, "hello"));
    const texts = await waitForTexts(channel.bot, user.id, 2);
    expect(texts[1]).toBe("Echo: hello");
    void api;
  });
});
