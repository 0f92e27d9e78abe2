// The admin-token rate limit lives in D1 (login_attempts), so it holds across Worker isolates. It
// counts logins and bearer tokens on /api alike, per client and for all clients together.
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { GLOBAL_MAX_ATTEMPTS, LOGIN_MAX_ATTEMPTS, LOGIN_WINDOW_MS } from "../../worker/auth/login-limiter";
import { worker } from "../support/harness";

let clientCounter = 0;
function clientAddress(): string {
  clientCounter += 1;
  return `203.0.${Math.floor(clientCounter / 250)}.${(clientCounter % 250) + 1}`;
}

function login(address: string, token: string) {
  return worker("/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": address },
    body: JSON.stringify({ token }),
  });
}

function bearer(address: string, token: string) {
  return worker("/api/workspaces", { headers: { authorization: `Bearer ${token}`, "cf-connecting-ip": address } });
}

async function attemptRows(): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from login_attempts").first<{ n: number }>();
  return row!.n;
}

/** Ages every window, as if the lockout period went by. */
async function ageWindows(): Promise<void> {
  await env.DB.prepare("update login_attempts set window_start = window_start - ?").bind(LOGIN_WINDOW_MS).run();
}

// The count for all clients together would otherwise carry over from one test to the next.
beforeEach(async () => {
  await env.DB.prepare("delete from login_attempts").run();
});

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
    await ageWindows();
    expect((await login(address, env.ADMIN_TOKEN!)).status).toBe(200);
  });

  it("does not count a correct token, and it does not wipe the failures before it", async () => {
    const address = clientAddress();
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS - 1; i++) await login(address, "wrong");
    expect((await login(address, env.ADMIN_TOKEN!)).status).toBe(200);
    expect((await login(address, "wrong")).status).toBe(401);
    expect((await login(address, env.ADMIN_TOKEN!)).status).toBe(429);
  });

  it("sweeps ended windows on every attempt, not only after a success", async () => {
    await login(clientAddress(), "wrong");
    await ageWindows();
    await login(clientAddress(), "wrong");
    const stale = await env.DB.prepare("select count(*) as n from login_attempts where window_start <= ?").bind(Date.now() - LOGIN_WINDOW_MS).first<{ n: number }>();
    expect(stale!.n).toBe(0);
    expect(await attemptRows()).toBeGreaterThan(0);
  });
});

describe("bearer tokens on /api", () => {
  it("counts wrong tokens and locks the client out with 429 JSON and Retry-After, even with the right token", async () => {
    const address = clientAddress();
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS; i++) expect((await bearer(address, `guess-${i}`)).status).toBe(401);
    const locked = await bearer(address, env.ADMIN_TOKEN!);
    expect(locked.status).toBe(429);
    expect(locked.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await locked.json()) as { error: string; retryAfterSeconds: number };
    expect(body.error).toMatch(/too many failed admin token attempts; try again in \d+ minutes?/);
    expect(Number(locked.headers.get("retry-after"))).toBe(body.retryAfterSeconds);
    expect(body.retryAfterSeconds).toBeGreaterThan(LOGIN_WINDOW_MS / 1000 - 60);
    // A client that is not limited still gets in with the right token.
    expect((await bearer(clientAddress(), env.ADMIN_TOKEN!)).status).toBe(200);
  });

  it("shares one budget with logins: both guess the same token", async () => {
    const address = clientAddress();
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS / 2; i++) expect((await login(address, `guess-${i}`)).status).toBe(401);
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS / 2; i++) expect((await bearer(address, `guess-${i}`)).status).toBe(401);
    expect((await login(address, env.ADMIN_TOKEN!)).status).toBe(429);
  });

  it("lets a script that sends the right token make any number of calls", async () => {
    const address = clientAddress();
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS * 3; i++) expect((await bearer(address, env.ADMIN_TOKEN!)).status).toBe(200);
    const parallel = await Promise.all(Array.from({ length: LOGIN_MAX_ATTEMPTS }, () => bearer(address, env.ADMIN_TOKEN!)));
    expect(parallel.map((response) => response.status)).toEqual(Array(LOGIN_MAX_ATTEMPTS).fill(200));
    expect((await bearer(address, "wrong")).status).toBe(401);
  });

  it("counts parallel wrong tokens atomically", async () => {
    const address = clientAddress();
    const responses = await Promise.all(Array.from({ length: LOGIN_MAX_ATTEMPTS + 5 }, (_, i) => bearer(address, `parallel-${i}`)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(LOGIN_MAX_ATTEMPTS);
    expect(statuses.filter((status) => status === 429)).toHaveLength(5);
  });
});

describe("who counts as one client", () => {
  it("keys IPv6 clients by their /64, however the address is written", async () => {
    for (let i = 0; i < LOGIN_MAX_ATTEMPTS; i++) expect((await login(`2001:db8:1:2::${(i + 1).toString(16)}`, "wrong")).status).toBe(401);
    expect((await bearer("2001:db8:1:2:ffff:ffff:ffff:ffff", env.ADMIN_TOKEN!)).status).toBe(429);
    expect((await login("2001:0DB8:0001:0002:0000:0000:0000:0abc", env.ADMIN_TOKEN!)).status).toBe(429);
    // The neighbouring /64 is another client.
    expect((await bearer("2001:db8:1:3::1", env.ADMIN_TOKEN!)).status).toBe(200);
  });

  it("caps failures from all clients together, so spreading guesses over addresses does not help", async () => {
    for (let i = 0; i < GLOBAL_MAX_ATTEMPTS; i++) {
      const address = clientAddress();
      expect((await (i % 2 ? login(address, "wrong") : bearer(address, "wrong"))).status).toBe(401);
    }
    const fresh = clientAddress();
    const locked = await bearer(fresh, env.ADMIN_TOKEN!);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await login(clientAddress(), env.ADMIN_TOKEN!)).status).toBe(429);
    await ageWindows();
    expect((await bearer(fresh, env.ADMIN_TOKEN!)).status).toBe(200);
  });

  it("does not let a client that is already locked out use up everyone's budget", async () => {
    const address = clientAddress();
    for (let i = 0; i < GLOBAL_MAX_ATTEMPTS + LOGIN_MAX_ATTEMPTS; i++) await bearer(address, "wrong");
    expect((await bearer(clientAddress(), env.ADMIN_TOKEN!)).status).toBe(200);
  });
});
