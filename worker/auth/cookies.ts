// The session cookie: HttpOnly, SameSite=Strict, and on https Secure with the `__Host-` prefix
// (which browsers only accept from a secure origin, for path /, with no Domain). The value is
// base64url and dots only, so it needs no encoding.
import type { Context } from "hono";

const NAME = "sb_session";

function cookieName(c: Context): { name: string; secure: boolean } {
  const secure = new URL(c.req.url).protocol === "https:";
  return { name: secure ? `__Host-${NAME}` : NAME, secure };
}

export function readSessionCookie(c: Context): string | undefined {
  const { name } = cookieName(c);
  for (const part of (c.req.header("cookie") ?? "").split(";")) {
    const equals = part.indexOf("=");
    if (equals > 0 && part.slice(0, equals).trim() === name) return part.slice(equals + 1).trim();
  }
  return undefined;
}

function setCookie(c: Context, value: string, maxAgeSeconds: number): void {
  const { name, secure } = cookieName(c);
  c.header("set-cookie", `${name}=${value}; Max-Age=${maxAgeSeconds}; Path=/; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`, { append: true });
}

export function writeSessionCookie(c: Context, value: string, expiresAt: number): void {
  setCookie(c, value, Math.max(0, Math.floor((expiresAt - Date.now()) / 1000)));
}

export function clearSessionCookie(c: Context): void {
  setCookie(c, "", 0);
}
