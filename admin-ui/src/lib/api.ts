// The admin API client: JSON in and out, the session cookie sent by the browser, and the CSRF
// token added to every state-changing request (see docs/admin-ui.md).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onSessionLost: () => void = () => undefined;

/** Remembers the session's CSRF token (kept in memory only, never in storage). */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when the server says the session is gone (expired, logged out elsewhere). */
export function whenSessionLost(handler: () => void): void {
  onSessionLost = handler;
}

/** Calls the API; resolves with the JSON body or throws ApiError with the server's message. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && csrfToken) headers["x-csrf-token"] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "Cannot reach the server. Check your connection and try again.");
  }
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    if (response.status === 401 && path.startsWith("/api/")) onSessionLost();
    throw new ApiError(response.status, typeof data.error === "string" ? data.error : `The server answered ${response.status}.`, data);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => request<T>("GET", `/api${path}`),
  post: <T>(path: string, body?: unknown) => request<T>("POST", `/api${path}`, body ?? {}),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", `/api${path}`, body),
  delete: <T>(path: string) => request<T>("DELETE", `/api${path}`),
};
