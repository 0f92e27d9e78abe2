// Admin UI login: session cookie, CSRF checks, expiry and logout (worker/auth, worker/http/auth.ts).
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createSession, SESSION_TTL_MS } from "../../worker/auth/sessions";
import { getDb } from "../../worker/db/client";
import { ADMIN, worker } from "../support/harness";

const ORIGIN = "https://switchboard.example";
const secrets = { ADMIN_TOKEN: env.ADMIN_TOKEN!, ENCRYPTION_KEY: env.ENCRYPTION_KEY! };
let clientCounter = 0;

/** A distinct client address per login, so the login rate limit of one test never touches another. */
function clientAddress(): string {
  clientCounter += 1;
  return `198.51.100.${clientCounter}`;
}

async function login(token = env.ADMIN_TOKEN!, headers: Record<string, string> = {}, body: BodyInit = JSON.stringify({ token })) {
  return worker("/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, "cf-connecting-ip": clientAddress(), ...headers },
    body,
  });
}

/** Logs in and returns the cookie pair to send back and the CSRF token. */
async function session() {
  const response = await login();
  expect(response.status).toBe(200);
  const body = (await response.json()) as { csrfToken: string };
  const cookie = response.headers.get("set-cookie")!.split(";")[0]!;
  return { cookie, csrfToken: body.csrfToken };
}

function withCookie(cookie: string, method = "GET", headers: Record<string, string> = {}, body?: unknown): RequestInit {
  return {
    method,
    headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

const newWorkspace = { name: "Session test", backend: "echo" };

describe("login", () => {
  it("sets an HttpOnly, SameSite=Strict, Secure __Host- cookie for the right token", async () => {
    const response = await login();
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ authenticated: true, csrfToken: expect.any(String), expiresAt: expect.any(Number) });
    const cookie = response.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^__Host-sb_session=ses_[0-9a-z]{32}\.\d+\.[A-Za-z0-9_-]+;/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("Secure");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/");
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
    expect(maxAge).toBeGreaterThan(SESSION_TTL_MS / 1000 - 10);
    expect(maxAge).toBeLessThanOrEqual(SESSION_TTL_MS / 1000);
    expect(response.headers.get("cache-control")).toBe("no-store");
    // Neither the token nor anything derived from it in the clear is echoed back.
    expect(JSON.stringify(body)).not.toContain(env.ADMIN_TOKEN);
  });

  it("says clearly when the token is wrong, and sets no cookie", async () => {
    const response = await login("not-the-token");
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: "wrong admin token" });
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("refuses a login posted from another origin", async () => {
    const response = await login(env.ADMIN_TOKEN!, { origin: "https://evil.example" });
    expect(response.status).toBe(403);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("refuses an oversized login body with 413 before reading it, with or without Content-Length", async () => {
    const huge = JSON.stringify({ token: env.ADMIN_TOKEN, pad: "x".repeat(64 * 1024) });
    const declared = await login(env.ADMIN_TOKEN!, {}, huge);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ error: "request body too large" });
    expect(declared.headers.get("cache-control")).toBe("no-store");

    // A streamed body has no Content-Length: it is counted as it arrives and cut off at the limit.
    const bytes = new TextEncoder().encode(huge);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 4096) controller.enqueue(bytes.slice(at, at + 4096));
        controller.close();
      },
    });
    const streamed = await login(env.ADMIN_TOKEN!, {}, stream);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toEqual({ error: "request body too large" });
    expect(streamed.headers.get("set-cookie")).toBeNull();
  });

  it("reports the session to the page that holds the cookie", async () => {
    const { cookie, csrfToken } = await session();
    const response = await worker("/auth/session", withCookie(cookie));
    expect(await response.json()).toEqual({ authenticated: true, csrfToken, expiresAt: expect.any(Number) });
    const anonymous = await worker("/auth/session");
    expect(await anonymous.json()).toEqual({ authenticated: false });
  });
});

describe("the API with a session cookie", () => {
  it("reads without a CSRF token", async () => {
    const { cookie } = await session();
    const response = await worker("/api/workspaces", withCookie(cookie));
    expect(response.status).toBe(200);
  });

  it("refuses a state-changing request without the CSRF token, and changes nothing", async () => {
    const { cookie } = await session();
    const before = ((await (await worker("/api/workspaces", { headers: ADMIN })).json()) as { workspaces: unknown[] }).workspaces.length;
    const response = await worker("/api/workspaces", withCookie(cookie, "POST", { origin: ORIGIN }, newWorkspace));
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toMatch(/CSRF token/);
    const after = ((await (await worker("/api/workspaces", { headers: ADMIN })).json()) as { workspaces: unknown[] }).workspaces.length;
    expect(after).toBe(before);
  });

  it("refuses a wrong CSRF token, a foreign Origin and a cross-site fetch", async () => {
    const { cookie, csrfToken } = await session();
    const other = await session();
    const attempts: Record<string, string>[] = [
      { "x-csrf-token": other.csrfToken, origin: ORIGIN },
      { "x-csrf-token": `${csrfToken}x`, origin: ORIGIN },
      { "x-csrf-token": csrfToken, origin: "https://evil.example" },
      { "x-csrf-token": csrfToken, "sec-fetch-site": "cross-site" },
      { "x-csrf-token": csrfToken, "sec-fetch-site": "same-site" },
    ];
    for (const headers of attempts) {
      const response = await worker("/api/workspaces", withCookie(cookie, "POST", headers, newWorkspace));
      expect(response.status, JSON.stringify(headers)).toBe(403);
    }
  });

  it("accepts a same-origin request with the session's CSRF token", async () => {
    const { cookie, csrfToken } = await session();
    const headers = { "x-csrf-token": csrfToken, origin: ORIGIN, "sec-fetch-site": "same-origin" };
    const created = await worker("/api/workspaces", withCookie(cookie, "POST", headers, newWorkspace));
    expect(created.status).toBe(201);
    const id = ((await created.json()) as { workspace: { id: string } }).workspace.id;
    const deleted = await worker(`/api/workspaces/${id}`, withCookie(cookie, "DELETE", headers));
    expect(deleted.status).toBe(200);
  });

  it("keeps the bearer token working for scripts, without CSRF", async () => {
    const response = await worker("/api/workspaces", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify(newWorkspace),
    });
    expect(response.status).toBe(201);
  });

  it("does not fall back to the cookie when a wrong bearer token is sent", async () => {
    const { cookie } = await session();
    const response = await worker("/api/workspaces", withCookie(cookie, "GET", { authorization: "Bearer wrong" }));
    expect(response.status).toBe(401);
  });
});

describe("session lifetime", () => {
  it("refuses an expired session", async () => {
    const db = getDb(env.DB);
    const { cookie } = await createSession(secrets, db, Date.now() - SESSION_TTL_MS - 1000);
    const response = await worker("/api/workspaces", withCookie(`__Host-sb_session=${cookie}`));
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toMatch(/expired/);
  });

  it("refuses a cookie whose expiry was edited", async () => {
    const { cookie } = await session();
    const [name, value] = cookie.split("=") as [string, string];
    const [id, expires, signature] = value.split(".") as [string, string, string];
    const extended = `${name}=${id}.${Number(expires) + 86_400_000}.${signature}`;
    expect((await worker("/api/workspaces", withCookie(extended))).status).toBe(401);
  });

  it("refuses a cookie signed with other secrets (e.g. before ADMIN_TOKEN was rotated)", async () => {
    const db = getDb(env.DB);
    const { cookie } = await createSession({ ...secrets, ADMIN_TOKEN: "an-older-admin-token" }, db);
    expect((await worker("/api/workspaces", withCookie(`__Host-sb_session=${cookie}`))).status).toBe(401);
  });

  it("ignores a cookie without the __Host- prefix on https", async () => {
    const { cookie } = await session();
    expect((await worker("/api/workspaces", withCookie(cookie.replace("__Host-", "")))).status).toBe(401);
  });

  it("logout needs the CSRF token, ends the session for good and clears the cookie", async () => {
    const { cookie, csrfToken } = await session();
    const refused = await worker("/auth/logout", withCookie(cookie, "POST", { origin: ORIGIN }));
    expect(refused.status).toBe(403);
    expect((await worker("/api/workspaces", withCookie(cookie))).status).toBe(200);

    const response = await worker("/auth/logout", withCookie(cookie, "POST", { origin: ORIGIN, "x-csrf-token": csrfToken }));
    expect(response.status).toBe(200);
    expect(response.headers.get("set-cookie")).toMatch(/^__Host-sb_session=;.*Max-Age=0/);
    // A copy of the cookie kept from before logout no longer works.
    expect((await worker("/api/workspaces", withCookie(cookie))).status).toBe(401);
    expect(await (await worker("/auth/session", withCookie(cookie))).json()).toEqual({ authenticated: false });
  });
});
