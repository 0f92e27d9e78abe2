// The shared backend helpers: SSE parsing across arbitrary chunk boundaries, <think> stripping,
// the bounded transcript, and error text that never carries a secret.
import { describe, expect, it } from "vitest";
import { describeUrl, errorFromResponse } from "../../worker/backends/http";
import { redact } from "../../worker/backends/redact";
import { readSse, SseParser, type SseEvent } from "../../worker/backends/sse";
import { stripThink } from "../../worker/backends/think";
import { buildChatMessages } from "../../worker/backends/transcript";
import { turns } from "../support/backend-fakes";

const SAMPLE =
  ': keep-alive\r\n\r\n' +
  'data: {"a":"héllo 👋"}\r\n\r\n' +
  "event: error\r\ndata: line one\r\ndata: line two\r\n\r\n" +
  "data:no-space\r\r" +
  "id: 7\nretry: 100\ndata: {\"b\":1}\n\n" +
  "data: [DONE]";

const EXPECTED: SseEvent[] = [
  { event: "message", data: '{"a":"héllo 👋"}' },
  { event: "error", data: "line one\nline two" },
  { event: "message", data: "no-space" },
  { event: "message", data: '{"b":1}' },
  { event: "message", data: "[DONE]" },
];

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readSse(stream)) events.push(event);
  return events;
}

describe("readSse", () => {
  it("yields the same events however the bytes are split (inside lines, CRLF pairs and UTF-8 characters)", async () => {
    const bytes = new TextEncoder().encode(SAMPLE);
    expect(await collect(streamOf([bytes]))).toEqual(EXPECTED);
    expect(await collect(streamOf([...bytes].map((byte) => Uint8Array.of(byte))))).toEqual(EXPECTED);
    for (let cut = 1; cut < bytes.length; cut += 1) {
      expect(await collect(streamOf([bytes.slice(0, cut), bytes.slice(cut)])), `split at byte ${cut}`).toEqual(EXPECTED);
    }
  });

  it("cancels the body when the consumer stops early", async () => {
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode("data: tick\n\n"));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readSse(stream)) {
      expect(event.data).toBe("tick");
      break;
    }
    expect(cancelled).toBe(true);
  });

  it("stops with the abort reason when the signal fires while waiting for data", async () => {
    const stream = new ReadableStream<Uint8Array>({ pull: () => new Promise(() => undefined) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DOMException("slow", "TimeoutError")), 20);
    await expect(collect2(readSse(stream, controller.signal))).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("does not dispatch a data-less event and keeps a lone trailing \\r pending until the next chunk", () => {
    const parser = new SseParser();
    expect(parser.push("event: ping\n\n")).toEqual([]);
    expect(parser.push("data: x\r")).toEqual([]);
    // Had the "\r" ended the line, this "\n" would be a blank line dispatching "x" alone.
    expect(parser.push("\ndata: y\r\n\r\n")).toEqual([{ event: "message", data: "x\ny" }]);
  });
});

async function collect2(events: AsyncGenerator<SseEvent>): Promise<void> {
  for await (const _ of events) {
    // drain
  }
}

describe("stripThink", () => {
  it("removes complete sections anywhere and trims the answer", () => {
    expect(stripThink("<think>plan\nmore</think>\n\nHello!")).toBe("Hello!");
    expect(stripThink("A <THINK>x</THINK>B <think>y</think>C")).toBe("A B C");
  });

  it("removes a section left open, and everything before a lone closing tag", () => {
    expect(stripThink("Answer. <think>still thinking")).toBe("Answer.");
    expect(stripThink("reasoning without an opening tag</think>The answer")).toBe("The answer");
  });

  it("holds back a possible start of <think> only while streaming", () => {
    expect(stripThink("Hello <th", { partial: true })).toBe("Hello");
    expect(stripThink("Hello <", { partial: true })).toBe("Hello");
    expect(stripThink("Hello <th")).toBe("Hello <th");
    expect(stripThink("1 < 2", { partial: true })).toBe("1 < 2");
  });

  it("leaves text without thinking alone", () => {
    expect(stripThink("Use <b>bold</b> tags")).toBe("Use <b>bold</b> tags");
  });
});

describe("buildChatMessages", () => {
  it("sends the system prompt, the last N history messages starting at a user turn, and the new message", () => {
    const messages = buildChatMessages("Be brief.", turns(10), "new question", { maxTurns: 5, maxChars: 100_000 });
    expect(messages[0]).toEqual({ role: "system", content: "Be brief." });
    // The last 5 are turns 5..9; turn 5 is an assistant message, so the context starts at turn 6.
    expect(messages.slice(1).map((message) => message.content.slice(0, 8))).toEqual(["turn 006", "turn 007", "turn 008", "turn 009", "new ques"]);
    expect(messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "user", "assistant", "user"]);
  });

  it("keeps whole messages within the character budget, newest first, without gaps", () => {
    const history = [
      { role: "user" as const, text: "a".repeat(50) },
      { role: "assistant" as const, text: "b".repeat(10) },
      { role: "user" as const, text: "c".repeat(40) },
      { role: "assistant" as const, text: "d".repeat(10) },
    ];
    // Budget 80 - "sys"(3) - "q"(1) = 76: d(10) + c(40) fit, b(10) would fit but a(50) not; no gap allowed, and b is an assistant turn.
    const messages = buildChatMessages("sys", history, "q", { maxTurns: 20, maxChars: 80 });
    expect(messages.map((message) => message.content)).toEqual(["sys", "c".repeat(40), "d".repeat(10), "q"]);
  });

  it("always sends the new message, even when it alone exceeds the budget", () => {
    const messages = buildChatMessages(undefined, turns(4), "x".repeat(500), { maxTurns: 20, maxChars: 100 });
    expect(messages).toEqual([{ role: "user", content: "x".repeat(500) }]);
  });

  it("joins consecutive messages of one role (a failed run leaves two user messages in a row)", () => {
    const history = [
      { role: "user" as const, text: "first" },
      { role: "assistant" as const, text: "reply" },
      { role: "user" as const, text: "unanswered" },
    ];
    expect(buildChatMessages("", history, "again", { maxTurns: 20, maxChars: 1000 })).toEqual([
      { role: "user", content: "first" },
      { role: "assistant", content: "reply" },
      { role: "user", content: "unanswered\n\nagain" },
    ]);
  });
});

describe("error text", () => {
  it("scrubs configured secrets, key-shaped strings and bearer tokens", () => {
    const text = redact("bad key my-own-secret-value; Incorrect API key provided: sk-pr**********cdef; Authorization: Bearer abc.def", ["my-own-secret-value"]);
    expect(text).not.toContain("my-own-secret-value");
    expect(text).not.toContain("sk-pr");
    expect(text).not.toContain("abc.def");
    expect(text).toContain("[redacted]");
  });

  it("redacts a secret that crosses the clipping point: scrubbed whole first, clipped after", async () => {
    const secret = "live_Q7fK2mZx9TbR4wLp8NcV1yHs6DgJ3aUe5XoB0tMiWqEr";
    const call = { service: "the server", secrets: [secret], signal: new AbortController().signal };
    // The secret starts 20 characters before the 300-character cut.
    const body = `${"x".repeat(279)} ${secret} was refused`;
    const message = (await errorFromResponse(new Response(body, { status: 401 }), call)).message;
    expect(message).not.toContain(secret.slice(0, 8));
    expect(message).toContain("[redacted]");
    expect(redact(`${"y".repeat(290)} ${secret}`, [secret])).not.toContain(secret.slice(0, 8));
    // A long body: whitespace collapses, so a secret cut off far into the raw text would show.
    const padded = `x${" ".repeat(4080)}${secret}`;
    expect((await errorFromResponse(new Response(padded, { status: 401 }), call)).message).not.toContain(secret.slice(0, 8));
  });

  it("redacts the URL-encoded and base64 forms of a secret", () => {
    const secret = "p@ss/w0rd+key=42&x";
    const base64 = btoa(secret);
    const base64Url = base64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    const forms = [
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
      new URLSearchParams({ k: secret }).toString().slice(2),
      base64,
      base64Url,
    ];
    for (const form of forms) {
      const text = redact(`rejected credential ${form} for this account`, [secret]);
      expect(text, form).toBe("rejected credential [redacted] for this account");
    }
  });

  it("names only scheme and host of a URL (webhook paths carry tokens)", () => {
    expect(describeUrl("https://hooks.example.com/T000/B000/secret-token?x=1")).toBe("https://hooks.example.com");
  });

  it("reads the common error shapes and explains the status", async () => {
    const call = { service: "the server", secrets: ["k3y-value"], signal: new AbortController().signal };
    const openAiShape = new Response(JSON.stringify({ error: { message: "The model `x` does not exist" } }), { status: 404 });
    expect((await errorFromResponse(openAiShape, call)).message).toBe("the server answered 404 (not found: check the base URL, model or slug): The model `x` does not exist");
    const cloudflareShape = new Response(JSON.stringify({ success: false, errors: [{ code: 10000, message: "Authentication error" }] }), { status: 403 });
    expect((await errorFromResponse(cloudflareShape, call)).message).toBe("the server answered 403 (the API key was refused): Authentication error");
    const html = new Response("<html><body>502 Bad Gateway</body></html>", { status: 502 });
    expect((await errorFromResponse(html, call)).message).toBe("the server answered 502 (server error)");
    const echoed = new Response("invalid token k3y-value", { status: 401 });
    expect((await errorFromResponse(echoed, call)).message).not.toContain("k3y-value");
  });
});
