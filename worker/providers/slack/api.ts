// A minimal Slack Web API client over fetch: one call, one classified error.
//
// Why not `@slack/web-api`: version 8 finally uses fetch, but it still imports node:zlib,
// node:path, node:querystring and node:util (so it needs nodejs_compat and grows the bundle), and
// we call three methods (auth.test, chat.postMessage, chat.update). What we need from a client is
// the error classification below (HTTP 429 + Retry-After, `ok: false` codes), which the outbox and
// the status machine act on; that is a few lines of our own either way.
import { ProviderError, kindForStatus, type ProviderErrorKind } from "../errors";
import { requestJson } from "../http";
import type { ProviderEnv } from "../types";

const DEFAULT_BASE = "https://slack.com/api";

/** `ok: false` codes that mean the bot token no longer works, with what to tell the operator. */
const UNAUTHORIZED: Record<string, string> = {
  invalid_auth: "the token is not valid",
  not_authed: "no token was sent",
  account_inactive: "the app was uninstalled or the workspace deactivated",
  token_revoked: "the token was revoked",
  token_expired: "the token expired (turn token rotation off for this app)",
};

/** `ok: false` codes for a hiccup on Slack's side: worth retrying. */
const TRANSIENT = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout"]);

interface SlackResponse {
  ok?: boolean;
  error?: string;
}

/** Calls `method` with a JSON body (none for read methods); returns Slack's answer or throws ProviderError. */
export async function callSlack<T>(env: ProviderEnv, token: string, method: string, params?: Record<string, unknown>): Promise<T> {
  const base = (env.SLACK_API_BASE || DEFAULT_BASE).replace(/\/+$/, "");
  const { response, body: raw } = await requestJson(`${base}/${method}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      ...(params ? { "content-type": "application/json; charset=utf-8" } : {}),
    },
    body: params ? JSON.stringify(params) : undefined,
  }, `Slack ${method}`);
  if (response.status === 429) {
    // Slack says how long to wait in Retry-After (seconds); without it the outbox backs off.
    const seconds = Number(response.headers.get("retry-after") ?? Number.NaN);
    throw new ProviderError("rate-limited", `Slack ${method}: rate limited`, Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined);
  }
  const body = raw as SlackResponse | null;
  if (response.ok && body?.ok) return body as T;

  const code = body?.error;
  const kind: ProviderErrorKind = code ? kindForSlackError(code, response.status) : kindForStatus(response.ok ? 500 : response.status);
  const explanation = code && UNAUTHORIZED[code] ? ` (${UNAUTHORIZED[code]})` : "";
  throw new ProviderError(kind, `Slack ${method}: ${code ?? `HTTP ${response.status}`}${explanation}`);
}

/** Slack reports most failures as HTTP 200 with `ok: false`; the code says what kind they are. */
function kindForSlackError(code: string, status: number): ProviderErrorKind {
  if (code in UNAUTHORIZED) return "unauthorized";
  if (code === "ratelimited") return "rate-limited";
  if (TRANSIENT.has(code) || status >= 500) return "transient";
  return "permanent";
}
