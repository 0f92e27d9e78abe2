// The Worker serves the admin UI's pages with a strict Content-Security-Policy, and keeps API and
// webhook misses as JSON errors rather than the app's page.
import { describe, expect, it } from "vitest";
import { worker } from "../support/harness";

const navigate = { headers: { "sec-fetch-mode": "navigate", accept: "text/html" } };

describe("admin UI serving", () => {
  it("serves the app with a strict CSP for / and for client-side routes", async () => {
    for (const path of ["/", "/channels/ch_123/logs", "/workspaces"]) {
      const response = await worker(path, navigate);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      const csp = response.headers.get("content-security-policy")!;
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain("unsafe-inline");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      const html = await response.text();
      expect(html).toContain('<script type="module" src="/app.js">');
      // Everything comes from our own origin: no CDN.
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it("serves the bundled script and stylesheet", async () => {
    const script = await worker("/app.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("javascript");
    expect((await worker("/app.css")).status).toBe(200);
  });

  it("answers API and webhook misses with JSON, not the app", async () => {
    for (const path of ["/api/nope", "/auth/nope", "/push/nope", "/webhooks/nope"]) {
      const response = await worker(path, navigate);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.headers.get("content-type"), path).toContain("application/json");
    }
  });

  it("puts the security headers on API errors too", async () => {
    const response = await worker("/api/channels");
    expect(response.status).toBe(401);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
  });
});
