// A minimal Telegram Bot API client over fetch: one call, one classified error.
import { deadline } from "../../core/deadline";
import { ProviderError, kindForStatus } from "../errors";
import type { ProviderEnv } from "../types";

const DEFAULT_BASE = "https://api.telegram.org";
/** Telegram answers within seconds; a hung call must not hold a channel's queue. */
const TIMEOUT_MS = 15_000;

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
  let response: Response;
  const limit = deadline(TIMEOUT_MS);
  try {
    response = await fetch(`${base}/bot${token}/${method}`, {
      method: "POST",
      ...(params instanceof FormData
        ? { body: params }
        : { headers: { "content-type": "application/json" }, body: JSON.stringify(params) }),
      signal: limit.signal,
    });
  } catch (error) {
    limit.clear();
    // The token is part of the URL: never include the URL in the message.
    throw new ProviderError("transient", `Telegram ${method} failed: ${(error as Error).name === "TimeoutError" ? "timed out" : "network error"}`);
  }
  let body: TelegramResponse<T> | null = null;
  try {
    body = (await response.json()) as TelegramResponse<T>;
  } catch {
    // Proxies and outages answer with HTML; classify by status alone.
  } finally {
    limit.clear();
  }
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
