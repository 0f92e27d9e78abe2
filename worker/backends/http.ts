// Outbound HTTP for backends: every request carries the run's AbortSignal, and every failure
// becomes a BackendError whose message says what went wrong (for the log) without ever
// containing a key, a token-bearing URL path or a query string.
import { redact } from "./redact";
import { BackendError } from "./types";

/** Who a backend is talking to and what must never show up in an error message. */
export interface BackendCall {
  /** Named in messages, e.g. "the OpenAI-compatible server", "AnythingLLM". */
  service: string;
  /** Secret values (API keys, signing secrets) to scrub from anything we repeat. */
  secrets: readonly unknown[];
  signal: AbortSignal;
  /** What a 401/403 means here, when it is not a refused API key (a webhook's signature). */
  refusedMeaning?: string;
}

/** Fetches with the run's signal; network failures and aborts become BackendError. */
export async function backendFetch(url: string, init: RequestInit, call: BackendCall): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: call.signal });
  } catch (error) {
    throw toBackendError(error, call, `could not reach ${describeUrl(url)}`);
  }
}

/**
 * Turns anything thrown while talking to a backend (abort, timeout, broken connection, a parse
 * error) into a BackendError; a BackendError passes through unchanged.
 */
export function toBackendError(error: unknown, call: BackendCall, doing: string): BackendError {
  if (error instanceof BackendError) return error;
  if (call.signal.aborted) {
    const reason: unknown = call.signal.reason;
    const timedOut = reason instanceof Error && reason.name === "TimeoutError";
    return new BackendError(`${call.service}: ${timedOut ? "no complete answer before the run timed out" : "the run was cancelled"}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new BackendError(`${call.service}: ${doing}: ${redact(connectionHint(message), call.secrets)}`);
}

/**
 * The runtime reports a host it cannot connect to (a name that does not resolve, a refused or
 * private address) as an opaque "internal error; reference = …": say what to check instead.
 */
export function connectionHint(message: string): string {
  if (!/internal error;? *reference/i.test(message) && !/network connection lost|connection refused|dns|getaddrinfo|ENOTFOUND|ECONNREFUSED/i.test(message)) return message;
  return (
    "the connection failed. Check that the host name in the URL is spelled right, that the server is running, " +
    "and that it is reachable from the internet (a deployed Worker cannot reach localhost or private addresses)"
  );
}

/**
 * Builds the BackendError for a non-2xx answer: the status, what it usually means, and the
 * backend's own error text (`{error:{message}}`, `{error}`, `{message}`, `{detail}` or plain
 * text), scrubbed of secrets.
 */
export async function errorFromResponse(response: Response, call: BackendCall): Promise<BackendError> {
  const detail = await readErrorDetail(response);
  const refused = response.status === 401 || response.status === 403;
  const meaning = refused && call.refusedMeaning ? call.refusedMeaning : statusMeaning(response.status);
  const text = detail ? `: ${redact(detail, call.secrets)}` : "";
  return new BackendError(`${call.service} answered ${response.status}${meaning ? ` (${meaning})` : ""}${text}`);
}

/** What a status code usually means for someone reading the log. */
export function statusMeaning(status: number): string {
  if (status === 401 || status === 403) return "the API key was refused";
  if (status === 404) return "not found: check the base URL, model or slug";
  if (status === 408 || status === 504) return "the server timed out";
  if (status === 413) return "the request was too large";
  if (status === 429) return "rate limited or out of quota";
  if (status >= 500) return "server error";
  return "";
}

/**
 * Extracts the most useful error text from a response body (never throws). Neither clipped nor
 * redacted: the caller redacts the whole text and clips after, so no key is ever cut in two.
 */
export async function readErrorDetail(response: Response): Promise<string> {
  let body: string;
  try {
    body = (await response.text()).trim();
  } catch {
    return "";
  }
  if (!body) return "";
  try {
    const detail = errorText(JSON.parse(body));
    if (detail) return detail;
  } catch {
    // Not JSON: use the text itself unless it is an HTML error page.
  }
  return /^\s*</.test(body) ? "" : body;
}

/** The human part of the error shapes backends use. */
export function errorText(value: unknown): string {
  if (typeof value === "string") return value;
  if (!value || typeof value !== "object") return "";
  const record = value as Record<string, unknown>;
  // Cloudflare's API: { success: false, errors: [{ code, message }] }.
  if (Array.isArray(record.errors) && record.errors.length > 0) {
    const first = errorText(record.errors[0]);
    if (first) return first;
  }
  for (const key of ["error", "message", "detail", "description"]) {
    const inner = record[key];
    if (typeof inner === "string" && inner) return inner;
    if (inner && typeof inner === "object") {
      const nested = errorText(inner);
      if (nested) return nested;
    }
  }
  return "";
}

/** Scheme and host only: paths and queries of webhook URLs often carry tokens. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return "the configured URL";
  }
}

/** Joins a base URL (with or without a trailing slash) and a path. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
}

/** The `Authorization` header for a bearer key, or nothing when there is no key. */
export function bearer(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}

/** Parses a JSON body, turning invalid JSON into a BackendError that names the service. */
export async function readJsonBody(response: Response, call: BackendCall): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw toBackendError(error, call, "the answer broke off");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new BackendError(`${call.service} answered ${response.status} with something that is not JSON`);
  }
}
