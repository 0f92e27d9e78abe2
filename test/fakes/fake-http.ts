// Small Node HTTP helpers shared by the agent-backend fakes (OpenAI-compatible, AnythingLLM,
// webhook agent, Workers AI recorder). Plain erasable TypeScript: Node runs it directly.
import type { IncomingMessage, ServerResponse } from "node:http";

export function readRawBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

/** Parses a JSON body; `undefined` when empty, the string `"<invalid json>"` when unparsable. */
export function parseJson(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return "<invalid json>";
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  response.end(JSON.stringify(body));
}

export function sendText(response: ServerResponse, status: number, text: string, contentType = "text/plain; charset=utf-8"): void {
  response.writeHead(status, { "content-type": contentType });
  response.end(text);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Writes SSE events the way a real server's TCP writes arrive: each event's bytes are split at an
 * awkward offset (inside a line, inside a multi-byte character, between "\r" and "\n") and sent
 * in two writes with a pause, so clients must reassemble across chunk boundaries.
 */
export class SseWriter {
  private readonly response: ServerResponse;
  private readonly delayMs: number;
  private readonly lineEnding: string;
  private count = 0;

  constructor(response: ServerResponse, options: { delayMs?: number; lineEnding?: string } = {}) {
    this.response = response;
    this.delayMs = options.delayMs ?? 10;
    this.lineEnding = options.lineEnding ?? "\n";
  }

  start(status = 200): void {
    this.response.writeHead(status, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    this.response.flushHeaders();
  }

  /** One `data:` event (objects are JSON-encoded); optionally with an `event:` field. */
  async data(payload: unknown, event?: string): Promise<void> {
    const data = typeof payload === "string" ? payload : JSON.stringify(payload);
    const text = `${event ? `event: ${event}${this.lineEnding}` : ""}data: ${data}${this.lineEnding}${this.lineEnding}`;
    await this.writeSplit(Buffer.from(text, "utf8"));
  }

  /** A comment line, as servers send for keep-alive. */
  async comment(text: string): Promise<void> {
    await this.writeSplit(Buffer.from(`: ${text}${this.lineEnding}${this.lineEnding}`, "utf8"));
  }

  end(): void {
    this.response.end();
  }

  /** Breaks the connection mid-stream, like a crashed server or a dropped tunnel. */
  destroy(): void {
    this.response.socket?.destroy();
  }

  private async writeSplit(bytes: Buffer): Promise<void> {
    this.count += 1;
    // Vary the split point: a third, a half, or one byte before the end (between "\r" and "\n").
    const offsets = [Math.floor(bytes.length / 3), Math.floor(bytes.length / 2) + 1, bytes.length - 1];
    const cut = Math.max(1, Math.min(bytes.length - 1, offsets[this.count % offsets.length]!));
    if (this.response.destroyed) return;
    this.response.write(bytes.subarray(0, cut));
    await sleep(this.delayMs);
    if (this.response.destroyed) return;
    this.response.write(bytes.subarray(cut));
    await sleep(this.delayMs);
  }
}

/** Splits text into `parts` pieces by characters (never inside a surrogate pair). */
export function splitText(text: string, parts: number): string[] {
  const characters = [...text];
  const size = Math.max(1, Math.ceil(characters.length / parts));
  const pieces: string[] = [];
  for (let index = 0; index < characters.length; index += size) pieces.push(characters.slice(index, index + size).join(""));
  return pieces;
}
