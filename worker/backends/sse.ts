// Server-sent events over a fetch body. Network chunks may split an event, a line, a `\r\n`
// pair or a multi-byte character anywhere; this reader only yields complete events.
// Follows the WHATWG event-stream rules (fields, comments, multi-line data), plus one
// tolerance: an event still pending when the stream ends is delivered, because several servers
// close without the final blank line.

export interface SseEvent {
  /** The `event:` field, or "message" when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
}

/**
 * Yields each event of an SSE body as it completes. Breaking out of the loop cancels the body,
 * so stop early only when the answer is complete (AnythingLLM saves a truncated reply when its
 * client disconnects). `signal` cancels bodies that no fetch signal governs (a Workers AI stream):
 * the pending read ends and the abort reason is thrown.
 */
export async function* readSse(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const onAbort = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    finished = true;
    yield* parser.end(decoder.decode());
  } finally {
    signal?.removeEventListener("abort", onAbort);
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** Incremental SSE parser: feed text, get the events completed by it. */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private event = "";

  /** Adds decoded text and returns the events it completes. */
  push(text: string): SseEvent[] {
    this.buffer += text;
    const events: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A trailing "\r" may be the first half of "\r\n": wait for the next chunk.
      if (!match || (match[0] === "\r" && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  /** Flushes what is left when the stream ends. */
  end(text = ""): SseEvent[] {
    const events = this.push(text);
    if (this.buffer) {
      const event = this.line(this.buffer.replace(/\r$/, ""));
      this.buffer = "";
      if (event) events.push(event);
    }
    const pending = this.dispatch();
    if (pending) events.push(pending);
    return events;
  }

  private line(line: string): SseEvent | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    return null;
  }

  private dispatch(): SseEvent | null {
    if (this.data.length === 0) {
      this.event = "";
      return null;
    }
    const event = { event: this.event || "message", data: this.data.join("\n") };
    this.data = [];
    this.event = "";
    return event;
  }
}
