// A minimal Zalo Bot Platform client over fetch: `POST /bot<token>/<method>` with JSON, answered
// with `{ ok, result }` or `{ ok: false, error_code, description }`.
import { ProviderError, kindForStatus } from "../errors";
import { requestJson } from "../http";
import type { ProviderEnv } from "../types";

const DEFAULT_BASE = "https://bot-api.zaloplatforms.com";

interface ZaloResponse<T> {
  ok: boolean;
  result?: T;
  error_code?: number;
  description?: string;
  /** Not documented by Zalo; read in case it answers rate limits the way Telegram does. */
  parameters?: { retry_after?: number };
}

/** Calls `method` with JSON `params`; returns `result` or throws a classified ProviderError. */
export async function callZalo<T>(env: ProviderEnv, token: string, method: string, params: Record<string, unknown> = {}): Promise<T> {
  const base = (env.ZALO_API_BASE || DEFAULT_BASE).replace(/\/+$/, "");
  const { response, body: raw } = await requestJson(`${base}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
  }, `Zalo ${method}`);
  const body = raw as ZaloResponse<T> | null;
  if (response.ok && body?.ok) return body.result as T;

  const status = body?.error_code ?? response.status;
  const retryAfter = body?.parameters?.retry_after ?? Number(response.headers.get("retry-after") ?? NaN);
  throw new ProviderError(
    kindForStatus(status === 200 ? 500 : status),
    `Zalo ${method}: ${body?.description ?? `HTTP ${response.status}`}`,
    Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined,
  );
}
