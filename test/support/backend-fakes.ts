// Test helpers (inside workerd) for the agent-backend fakes served by test/fakes/server.ts:
// each helper creates a fresh scope — one fake server with its own key and records — so tests
// running in parallel never read each other's calls. Also builders for backend requests.
import { env } from "cloudflare:test";
import { expect } from "vitest";
import type { AgentRequest, BackendWorkspace, RunContext, TranscriptTurn } from "../../worker/backends/types";
import { BackendError } from "../../worker/backends/types";

const fakes = env.FAKES_BASE;

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: "POST", body: JSON.stringify(body) });
  expect(response.status, await response.clone().text()).toBe(200);
  await response.arrayBuffer();
}

async function get<T>(url: string): Promise<T> {
  const response = await fetch(url);
  return (await response.json()) as T;
}

function scopeName(prefix: string): string {
  return `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
}

// ----------------------------------------------------------------- OpenAI-compatible

export interface OpenAiCall {
  method: string;
  endpoint: string;
  authorization: string | null;
  body: any;
}

export async function fakeOpenAi(options: Record<string, unknown> = {}) {
  const scope = scopeName("oa");
  await post(`${fakes}/openai/__control/scopes`, { scope, ...options });
  return {
    scope,
    baseUrl: `${fakes}/openai/${scope}/v1`,
    apiKey: (options.apiKey === undefined ? "sk-test-key" : options.apiKey) as string | null,
    calls: (endpoint?: string) =>
      get<{ calls: OpenAiCall[] }>(`${fakes}/openai/__control/calls?${new URLSearchParams({ scope, ...(endpoint ? { endpoint } : {}) })}`).then((body) => body.calls),
    fault: (endpoint: string, ...faults: unknown[]) => post(`${fakes}/openai/__control/faults`, { scope, endpoint, faults }),
  };
}

// ----------------------------------------------------------------- AnythingLLM

export interface AnythingCall {
  method: string;
  route: string;
  path: string;
  authorization: string | null;
  body: any;
}

export async function fakeAnythingLlm(options: Record<string, unknown> = {}) {
  const scope = scopeName("allm");
  await post(`${fakes}/anythingllm/__control/scopes`, { scope, ...options });
  const baseUrl = `${fakes}/anythingllm/${scope}`;
  const apiKey = (options.apiKey as string | undefined) ?? "anything-test-key";
  return {
    scope,
    baseUrl,
    apiKey,
    calls: (route?: string) =>
      get<{ calls: AnythingCall[] }>(`${fakes}/anythingllm/__control/calls?${new URLSearchParams({ scope, ...(route ? { route } : {}) })}`).then((body) => body.calls),
    fault: (route: string, ...faults: unknown[]) => post(`${fakes}/anythingllm/__control/faults`, { scope, route, faults }),
    /** The thread's stored history, read through the fake's own developer API. */
    threadHistory: async (workspace: string, thread: string) => {
      const response = await fetch(`${baseUrl}/api/v1/workspace/${workspace}/thread/${thread}/chats`, { headers: { authorization: `Bearer ${apiKey}` } });
      return ((await response.json()) as { history: { role: string; content: string }[] }).history;
    },
  };
}

// ----------------------------------------------------------------- webhook agent

export interface WebhookCall {
  headers: Record<string, string | undefined>;
  rawBody: string;
  body: any;
  verified: boolean;
  rejection: string | null;
}

export async function fakeWebhookAgent(options: { secret: string; replies?: unknown[] }) {
  const scope = scopeName("hook");
  await post(`${fakes}/webhook-agent/__control/scopes`, { scope, ...options });
  return {
    scope,
    url: `${fakes}/webhook-agent/${scope}`,
    calls: () => get<{ calls: WebhookCall[] }>(`${fakes}/webhook-agent/__control/calls?scope=${scope}`).then((body) => body.calls),
  };
}

// ----------------------------------------------------------------- Workers AI stand-in

export interface WorkersAiCall {
  model: string;
  inputs: any;
  options: any;
}

/** A unique marker to put in a request, so the stand-in's records and faults find this test's runs. */
export function workersAiMarker() {
  const marker = `marker-${crypto.randomUUID()}`;
  return {
    marker,
    calls: () => get<{ calls: WorkersAiCall[] }>(`${fakes}/workers-ai/__control/calls?contains=${marker}`).then((body) => body.calls),
    fault: (fault: { error?: string; delayMs?: number; reply?: string; chunkDelayMs?: number }) => post(`${fakes}/workers-ai/__control/faults`, { contains: marker, fault }),
  };
}

// ----------------------------------------------------------------- requests

export function workspace(config: Record<string, unknown>, secrets: Record<string, unknown> = {}): BackendWorkspace {
  return { id: "ws_test", name: "Test workspace", config, secrets };
}

export function agentRequest(ws: BackendWorkspace, message: string, extra: Partial<AgentRequest> = {}): AgentRequest {
  return {
    workspace: ws,
    thread: { id: "thr_test", title: "Test thread", backendRef: null },
    message,
    sender: { id: "4242", username: "ada", displayName: "Ada" },
    channel: { id: "ch_test", provider: "telegram" },
    history: [],
    ...extra,
  };
}

/** Alternating user/assistant turns, `count` of them, numbered so tests can tell which were sent. */
export function turns(count: number, size = 10): TranscriptTurn[] {
  return Array.from({ length: count }, (_, index) => ({
    role: index % 2 === 0 ? ("user" as const) : ("assistant" as const),
    text: `turn ${String(index).padStart(3, "0")} `.padEnd(size, "x"),
  }));
}

export function context(extra: Partial<RunContext> = {}): RunContext {
  return { env: { AI: env.AI }, signal: AbortSignal.timeout(10_000), ...extra };
}

/** Records every progress call, for asserting streamed previews. */
export function progressRecorder() {
  const seen: string[] = [];
  return { seen, onProgress: (text: string) => void seen.push(text) };
}

/** Awaits a rejection and checks it is a BackendError; returns its message. */
export async function backendError(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, "expected the call to fail").toBeInstanceOf(BackendError);
  return (error as BackendError).message;
}

/** A streamed preview is a sequence of growing prefixes of the final answer. */
export function expectGrowingPreview(seen: string[], final: string): void {
  expect(seen.length, `progress calls: ${JSON.stringify(seen)}`).toBeGreaterThan(1);
  for (const [index, text] of seen.entries()) {
    expect(final.startsWith(text), `preview ${JSON.stringify(text)} is not a prefix of ${JSON.stringify(final)}`).toBe(true);
    if (index > 0) expect(text.length).toBeGreaterThan(seen[index - 1]!.length);
  }
  expect(seen[seen.length - 1]).toBe(final);
}
