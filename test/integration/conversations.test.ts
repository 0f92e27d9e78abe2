// Reading a workspace's conversations through the admin API: a thread with its owner, and its
// messages newest first in pages, with the senders' names.
import { describe, expect, it } from "vitest";
import { api, approvedUser, deliver, dmUpdate, startTelegramChannel, waitForTexts } from "../support/harness";

describe("conversations", () => {
  it("reads a thread's messages page by page, with who wrote them", async () => {
    const channel = await startTelegramChannel();
    const ada = await approvedUser(channel, "Ada");
    for (const text of ["one", "two", "three"]) {
      await deliver(channel, dmUpdate(ada, text));
    }
    await waitForTexts(channel.bot, ada.id, 4);
    const threads = (await api("GET", "/workspaces/ws_default/threads")).body.threads as { id: string; ownerKey: string | null }[];
    const own = threads.find((thread) => thread.ownerKey === `${channel.id}:dm:${ada.id}`)!;

    const thread = await api("GET", `/workspaces/ws_default/threads/${own.id}`);
    expect(thread.body.thread.owner).toMatchObject({ channelId: channel.id, chat: { type: "direct", id: String(ada.id) }, userName: "Ada" });

    const first = await api("GET", `/workspaces/ws_default/threads/${own.id}/messages?limit=4`);
    expect(first.body.messages.map((message: any) => message.text)).toEqual(["Echo: three", "three", "Echo: two", "two"]);
    expect(first.body.messages[1].sender).toEqual({ id: String(ada.id), name: "Ada" });
    expect(first.body.messages[0]).toMatchObject({ role: "assistant", sender: null });
    const second = await api("GET", `/workspaces/ws_default/threads/${own.id}/messages?limit=4&before=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.messages.map((message: any) => message.text)).toEqual(["Echo: one", "one"]);
    expect(second.body.nextCursor).toBeNull();

    expect((await api("GET", `/workspaces/ws_default/threads/th_nope/messages`)).status).toBe(404);
    expect((await api("GET", `/workspaces/ws_default/threads/${own.id}/messages?before=oops`)).status).toBe(400);
  });
});
