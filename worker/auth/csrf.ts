// CSRF defence for cookie-authenticated requests: SameSite=Strict keeps the cookie off
// cross-site requests, and on top of that every state-changing request must (1) carry the
// session's CSRF token in `x-csrf-token` — a header a cross-site form cannot set — and (2) come
// from our own origin when the browser says where it comes from (Origin, Sec-Fetch-Site).
import type { Context } from "hono";
import { timingSafeEqual } from "../crypto/encoding";
import { ApiError } from "../http/errors";

export const CSRF_HEADER = "x-csrf-token";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** Throws 403 unless the request comes from one of our own origins. */
export function requireSameOrigin(c: Context, publicUrl?: string): void {
  const origin = c.req.header("origin");
  if (origin !== undefined) {
    const allowed = [new URL(c.req.url).origin, ...(publicUrl && URL.canParse(publicUrl) ? [new URL(publicUrl).origin] : [])];
    if (!allowed.includes(origin)) throw new ApiError(403, "cross-origin request refused");
  }
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined && site !== "same-origin") throw new ApiError(403, "cross-site request refused");
}

/** Throws 403 unless the request is same-origin and carries the session's CSRF token. */
export function requireCsrf(c: Context, expectedToken: string, publicUrl?: string): void {
  requireSameOrigin(c, publicUrl);
  const token = c.req.header(CSRF_HEADER) ?? "";
  if (!token || !timingSafeEqual(token, expectedToken)) {
    throw new ApiError(403, "missing or wrong CSRF token; reload the page and try again");
  }
}
