// One request to DingTalk over fetch, and the classification of its answers into the
// ProviderError the outbox and the status machine act on. The v1.0 API (api.dingtalk.com)
// answers success with plain JSON and failure with an HTTP error plus `{ code, message }`:
// `InvalidAuthentication` for a refused token, `Forbidden.AccessDenied.QpsLimit…` or HTTP 429
// when throttled. Session webhooks answer the older way: HTTP 200 with `{ errcode, errmsg }`.
import { ProviderError, kindForStatus } from "../errors";
import { requestJson } from "../http";


/** DingTalk refused the access token itself; the caller may fetch a new one. */
export class DingTalkTokenRefused extends ProviderError {
  constructor(message: string) {
    super("unauthorized", message);
  }
}

export interface DingTalkRequest {
  url: string;
  /** For logs and errors: the path, never the full URL (session webhooks carry a secret). */
  what: string;
  body: unknown;
  token?: string;
}

/** POSTs JSON; returns the parsed answer of a 2xx, else throws a classified ProviderError. */
export async function dingTalkRequest<T>(request: DingTalkRequest): Promise<T> {
  const { response, body } = await requestJson(request.url, {
    method: "POST",
    headers: {
      "content-type": "application/json; charset=utf-8",
      accept: "application/json",
      ...(request.token ? { "x-acs-dingtalk-access-token": request.token } : {}),
    },
    body: JSON.stringify(request.body),
  }, request.what);
  const answer = body as Record<string, unknown> | null;
  if (response.ok && answer) return answer as T;

  const code = typeof answer?.code === "string" ? answer.code : undefined;
  const described = code ? `${request.what}: ${code}${typeof answer?.message === "string" ? ` (${answer.message})` : ""}` : `${request.what}: HTTP ${response.status}`;
  if (response.status === 429 || /QpsLimit|Throttling/i.test(code ?? "")) {
    const seconds = Number(response.headers.get("retry-after") ?? Number.NaN);
    throw new ProviderError("rate-limited", `${request.what}: rate limited`, Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined);
  }
  if (code === "InvalidAuthentication" || (response.status === 401 && request.token)) throw new DingTalkTokenRefused(described);
  throw new ProviderError(kindForStatus(response.ok ? 500 : response.status), described);
}
