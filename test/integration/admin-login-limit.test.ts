// The admin login rate limit lives in D1 (login_attempts), so it holds across Worker isolates.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LOGIN_MAX_ATTEMPTS, LOGIN_WINDOW_MS } from "../../worker/auth/login-limiter";
import { worker } from "../support/harness";

let clientCounter = 0;
function clientAddress(): string {
  clientCounter += 1;
  return `203.0.113.${clientCounter}`;
}

function login(address: string, token: string) {
  return worker("/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": address },
    body: JSON.stringify({ token }),
  });
}

async function attemptRows(): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from login_attempts").first<{ n: number }>();
  return row!.n;
}

describe("login rate limit", () => {
  it("locks a client out after too many attempts, even with the right token, and says for how long", async () => {
    const address = clientAddress();
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS; i++) expect((await login(address, `guess-${i}`)).status).toBe(401);
    const locked = await login(address, env.ADMIN_TOKEN!);
    expect(locked.status).toBe(429);
    const body = (await locked.json()) as { error: string; retryAfterSeconds: number };
    expect(body.error).toMatch(/too many login attempts; try again in \d+ minutes?/);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(LOGIN_WINDOW_MS / 1000 - 60);
    expect(locked.headers.get("set-cookie")).toBeNull();
    // Another client is not affected.
    expect((await login(clientAddress(), env.ADMIN_TOKEN!)).status).toBe(200);
  });

  it("counts parallel guesses atomically: no more than the budget get through", async () => {
    const address = clientAddress();
    const responses = await Promise.all(Array.from({ length: LOGIN_MAX_ATTEMPTS + 8 }, (_, i) => login(address, `parallel-${i}`)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(LOGIN_MAX_ATTEMPTS);
    expect(statuses.filter((status) => status === 429)).toHaveLength(8);
  });

  it("keeps the count in D1, not in the isolate, and stores no IP address", async () => {
    const address = clientAddress();
    await login(address, "wrong");
    const rows = await env.DB.prepare("select client_key, attempts from login_attempts").all<{ client_key: string; attempts: number }>();
    expect(rows.results.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows.results)).not.toContain(address);
  });

  it("opens again when the window has passed", async () => {
    const address = clientAddress();
    for (let i = 0; i <= LOGIN_MAX_ATTEMPTS; i++) await login(address, "wrong");
    expect((await login(address, env.ADMIN_TOKEN!)).status).toBe(429);
    // Age every window, as if the lockout period went by.
    await env.DB.prepare("update login_attempts set window_start = window_start - ?").bind(LOGIN_WINDOW_MS).run();
    expect((await login(address, env.ADMIN_TOKEN!)).status).toBe(200);
  });

  it("clears the client's count after a successful login", async () => {
    const address = clientAddress();
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS - 1; i++) await login(address, "wrong");
    expect((await login(address, env.ADMIN_TOKEN!)).status).toBe(200);
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS; i++) expect((await login(address, "wrong")).status).toBe(401);
    expect(await attemptRows()).toBeGreaterThan(0);
  });
});
