// A minimal Discord REST client over fetch: one call, one classified error. Bot routes carry the
// bot token; interaction webhook routes (follow-ups, @original) are authorised by the interaction
// token in their path and must never name it in an error message.
import { ProviderError, kindForStatus } from "../errors";
import { requestJson } from "../http";
import type { ProviderEnv } from "../types";

const DEFAULT_BASE = "https://discord.com/api/v10";
/** Discord asks bots to identify themselves in this form. */
const USER_AGENT = "DiscordBot (switchboard, 0.1.0)";

/** Discord's JSON error codes that mean "this interaction token no longer works". */
const INVALID_WEBHOOK_TOKEN = 50027;
const UNKNOWN_WEBHOOK = 10015;
export const UNKNOWN_MESSAGE = 10008;

export interface DiscordCall {
  method: "GET" | "POST" | "PUT" | "PATCH";
  path: string;
  /** Bot routes; webhook routes are authorised by the token in the path instead. */
  botToken?: string;
  body?: unknown;
}

interface DiscordErrorBody {
  code?: number;
  message?: string;
  retry_after?: number;
}

/** The interaction token was refused (expired after 15 minutes, or never valid). */
export class InteractionGoneError extends ProviderError {
  constructor(label: string) {
    super("permanent", `${label}: the interaction has expired (Discord accepts replies for 15 minutes after a slash command)`);
  }
}

/** A Discord error with its JSON `code`, so callers can tell "unknown message" from other 404s. */
export class DiscordApiError extends ProviderError {
  constructor(kind: ProviderError["kind"], message: string, readonly code: number | undefined, retryAfterMs?: number) {
    super(kind, message, retryAfterMs);
  }
}

/** Calls one route; returns the parsed JSON (undefined for 204) or throws a classified ProviderError. */
export async function callDiscord<T>(env: ProviderEnv, call: DiscordCall): Promise<T> {
  const base = (env.DISCORD_API_BASE || DEFAULT_BASE).replace(/\/+$/, "");
  const label = `Discord ${call.method} ${redact(call.path)}`;
  const { response, body: raw } = await requestJson(`${base}${call.path}`, {
    method: call.method,
    headers: {
      "user-agent": USER_AGENT,
      ...(call.botToken ? { authorization: `Bot ${call.botToken}` } : {}),
      ...(call.body !== undefined ? { "content-type": "application/json" } : {}),
    },
    body: call.body !== undefined ? JSON.stringify(call.body) : undefined,
  }, label);
  // A 204 has no body: callers get undefined.
  const body = raw ?? undefined;
  if (response.ok) return body as T;
  throw classify(label, response, (body ?? {}) as DiscordErrorBody, call.botToken === undefined);
}

function classify(label: string, response: Response, body: DiscordErrorBody, webhookRoute: boolean): ProviderError {
  const { status } = response;
  if (webhookRoute && (status === 401 || body.code === INVALID_WEBHOOK_TOKEN || body.code === UNKNOWN_WEBHOOK)) {
    // Not the bot token's fault: a 401 here must not put the channel in "token revoked".
    return new InteractionGoneError(label);
  }
  const message = `${label}: ${body.message ?? `HTTP ${status}`}${body.code ? ` (code ${body.code})` : ""}`;
  if (status === 429) {
    const seconds = body.retry_after ?? Number(response.headers.get("retry-after") ?? NaN);
    return new DiscordApiError("rate-limited", message, body.code, Number.isFinite(seconds) ? Math.ceil(seconds * 1000) : undefined);
  }
  return new DiscordApiError(kindForStatus(status), message, body.code);
}

/** Interaction tokens are credentials for 15 minutes: keep them out of logs. */
function redact(path: string): string {
  return path.replace(/^(\/webhooks\/\d+\/)[^/]+/, "$1…");
}
