// One request to the Lark Open Platform over fetch, and the classification of Lark's answers —
// HTTP 429 or code 99991400 with `x-ogw-ratelimit-reset`, an invalid token (99991663), any other
// non-zero code — into the ProviderError the outbox and the status machine act on.
import { ProviderError, kindForStatus } from "../errors";
import { requestJson } from "../http";

/** The tenant_access_token is missing or no longer valid (expired, or the app was reset). */
const TOKEN_INVALID = new Set([99991661, 99991663]);
const RATE_LIMITED = 99991400;

/** What a call needs: where the API is and which app is calling. */
export interface LarkApp {
  base: string;
  appId: string;
  appSecret: string;
}

/** Lark's envelope: `code` 0 is success; the payload sits in `data` (or beside it, for older APIs). */
export interface LarkAnswer {
  code: number;
  msg?: string;
  [key: string]: unknown;
}

/** Lark refused the access token itself; the caller may fetch a new one. */
export class LarkTokenRefused extends ProviderError {
  constructor(message: string) {
    super("unauthorized", message);
  }
}

/** One request; Lark's answer when `code` is 0, else a classified ProviderError. */
export async function larkRequest<T extends LarkAnswer>(app: LarkApp, method: "GET" | "POST", path: string, options: { token?: string; body?: unknown } = {}): Promise<T> {
  const what = `Lark ${path.split("?")[0]}`;
  const { response, body: raw } = await requestJson(`${app.base}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { "content-type": "application/json; charset=utf-8" } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  }, what);
  const answer = raw as LarkAnswer | null;
  const code = typeof answer?.code === "number" ? answer.code : undefined;
  if (response.ok && code === 0) return answer as T;

  const described = code !== undefined ? `${what}: code ${code}${answer?.msg ? ` (${answer.msg})` : ""}` : `${what}: HTTP ${response.status}`;
  if (response.status === 429 || code === RATE_LIMITED) {
    // Seconds until the limit's window resets; without it the outbox backs off.
    const seconds = Number(response.headers.get("x-ogw-ratelimit-reset") ?? response.headers.get("retry-after") ?? Number.NaN);
    throw new ProviderError("rate-limited", `${what}: rate limited`, Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined);
  }
  if (code !== undefined && TOKEN_INVALID.has(code)) throw new LarkTokenRefused(described);
  if (code === undefined) throw new ProviderError(kindForStatus(response.ok ? 500 : response.status), described);
  // A non-zero code (mostly with HTTP 400: bot not in the chat, missing permission, bad content)
  // means this request cannot succeed as it is; Lark's own 5xx are worth retrying.
  throw new ProviderError(response.status >= 500 ? "transient" : "permanent", described);
}
