// A minimal Telegram Bot API client over fetch: one call, one classified error.
import { ProviderError, kindForStatus } from "../errors";
import { requestJson } from "../http";
import type { ProviderEnv } from "../types";

const DEFAULT_BASE = "https://api.telegram.org";

interface TelegramResponse<T> {
  ok: boolean;
  result?: T;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** Calls `method` with JSON `params` (or multipart FormData for uploads); returns `result` or throws ProviderError. */
export async function callTelegram<T>(
  env: ProviderEnv,
  token: string,
  method: string,
  params: Record<string, unknown> | FormData = {},
): Promise<T> {
  const base = (env.TELEGRAM_API_BASE || DEFAULT_BASE).replace(/\/+$/, "");
  // The token is part of the URL: requestJson never puts the URL into an error.
  const { response, body: raw } = await requestJson(
    `${base}/bot${token}/${method}`,
    {
      method: "POST",
      ...(params instanceof FormData ? { body: params } : { headers: { "content-type": "application/json" }, body: JSON.stringify(params) }),
    },
    `Telegram ${method}`,
  );
  const body = raw as TelegramResponse<T> | null;
  if (response.ok && body?.ok) return body.result as T;

  const status = body?.error_code ?? response.status;
  const description = body?.description ?? `HTTP ${response.status}`;
  const retryAfter = body?.parameters?.retry_after;
  throw new ProviderError(
    kindForStatus(status === 200 ? 500 : status),
    `Telegram ${method}: ${description}`,
    retryAfter !== undefined ? retryAfter * 1000 : undefined,
  );
}
