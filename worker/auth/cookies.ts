// The session cookie: HttpOnly, SameSite=Strict, and on https Secure with the `__Host-` prefix
// (which browsers only accept from a secure origin, for path /, with no Domain).
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";

export const SESSION_COOKIE = "sb_session";

function isHttps(c: Context): boolean {
  return new URL(c.req.url).protocol === "https:";
}

export function readSessionCookie(c: Context): string | undefined {
  return isHttps(c) ? getCookie(c, SESSION_COOKIE, "host") : getCookie(c, SESSION_COOKIE);
}

export function writeSessionCookie(c: Context, value: string, expiresAt: number): void {
  const secure = isHttps(c);
  setCookie(c, SESSION_COOKIE, value, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    secure,
    maxAge: Math.max(0, Math.floor((expiresAt - Date.now()) / 1000)),
    ...(secure ? { prefix: "host" as const } : {}),
  });
}

export function clearSessionCookie(c: Context): void {
  const secure = isHttps(c);
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure, httpOnly: true, sameSite: "Strict", ...(secure ? { prefix: "host" as const } : {}) });
}
