// Logging in and out of the admin UI: the token is exchanged for an HttpOnly session cookie (the
// page never stores the token); the CSRF token comes back with the session.
import { request, setCsrfToken } from "./api";

interface SessionAnswer {
  authenticated: boolean;
  csrfToken?: string;
  expiresAt?: number;
}

/** Whether the browser holds a live session (and picks up its CSRF token). */
export async function checkSession(): Promise<boolean> {
  const answer = await request<SessionAnswer>("GET", "/auth/session");
  setCsrfToken(answer.csrfToken ?? null);
  return answer.authenticated;
}

export async function logIn(token: string): Promise<void> {
  const answer = await request<SessionAnswer>("POST", "/auth/login", { token });
  setCsrfToken(answer.csrfToken ?? null);
}

export async function logOut(): Promise<void> {
  try {
    await request("POST", "/auth/logout", {});
  } finally {
    setCsrfToken(null);
  }
}
