// Calls to the Lark Open Platform as the app: the tenant_access_token is fetched, cached in memory
// and refreshed once when Lark calls it invalid, so callers only name the endpoint.
//
// Why not `@larksuiteoapi/node-sdk`: it is built on axios and Node's crypto, and Switchboard calls
// four endpoints; what it needs from a client is the error classification in request.ts.
import { ProviderError } from "../errors";
import { AccessTokenCache, type IssuedToken } from "../token-cache";
import type { ProviderEnv } from "../types";
import { LarkTokenRefused, larkRequest, type LarkAnswer, type LarkApp } from "./request";

/** Feishu (mainland China) and Lark (international): the same API on two hosts. */
export const LARK_DOMAINS = ["open.feishu.cn", "open.larksuite.com"] as const;
export type LarkDomain = (typeof LARK_DOMAINS)[number];

/**
 * A tenant_access_token lives 2 hours; Lark hands out a new one when asked in its last 30
 * minutes. Replacing it 5 minutes early means a send never carries a token about to expire.
 */
const tokens = new AccessTokenCache(5 * 60_000);

/** LARK_API_BASE (a fake, a proxy) wins; otherwise the host the channel's domain names. */
export function larkAppOf(env: ProviderEnv, credentials: Record<string, string>): LarkApp {
  const base = (env.LARK_API_BASE || `https://${credentials.domain ?? LARK_DOMAINS[0]}`).replace(/\/+$/, "");
  return { base, appId: credentials.appId ?? "", appSecret: credentials.appSecret ?? "" };
}

/** Calls `path` as the app (tenant_access_token), refreshing the token once if Lark refuses it. */
export async function callLark<T extends LarkAnswer>(app: LarkApp, method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const token = await tokens.get(tokenKey(app), () => issueTenantToken(app));
    try {
      return await larkRequest<T>(app, method, path, { token, body });
    } catch (error) {
      if (attempt > 0 || !(error instanceof LarkTokenRefused)) throw error;
      // Expired before our clock said so, or revoked: drop it, fetch a new one, try once more.
      await tokens.forget(tokenKey(app), token);
    }
  }
}

interface TokenAnswer extends LarkAnswer {
  tenant_access_token: string;
  expire: number;
}

/** Asks Lark for a tenant_access_token; a refused app id or secret is "unauthorized". */
export async function issueTenantToken(app: LarkApp): Promise<IssuedToken> {
  const answer = await larkRequest<TokenAnswer>(app, "POST", "/open-apis/auth/v3/tenant_access_token/internal", {
    body: { app_id: app.appId, app_secret: app.appSecret },
  }).catch((error: unknown) => {
    // Lark answers a wrong app id or secret with a non-zero code (10003, 10014): the credential is bad.
    if (error instanceof ProviderError && error.kind === "permanent") throw new ProviderError("unauthorized", error.message);
    throw error;
  });
  return { token: answer.tenant_access_token, expiresInSeconds: answer.expire };
}

/** One entry per API host, app and secret: two channels of one app with different secrets never share a token. */
function tokenKey(app: LarkApp): string {
  return `${app.base}\n${app.appId}\n${app.appSecret}`;
}
