// Calls to DingTalk as the app's robot: the access token is fetched, cached in memory and
// refreshed once when DingTalk calls it invalid; session webhooks are posted to as they are.
//
// Why not `dingtalk-stream` or Alibaba's OpenAPI SDK: the first is Node-only (axios, `ws`) and
// for Stream mode, the second a generated client for hundreds of APIs; Switchboard calls four
// endpoints and needs its own error classification (request.ts).
import { ProviderError } from "../errors";
import { AccessTokenCache, type IssuedToken } from "../token-cache";
import type { ProviderEnv } from "../types";
import { DingTalkTokenRefused, dingTalkRequest } from "./request";

const DEFAULT_BASE = "https://api.dingtalk.com";
/** Where DingTalk's session webhooks live; a reply URL anywhere else is never posted to. */
const WEBHOOK_ORIGINS = ["https://oapi.dingtalk.com/", "https://api.dingtalk.com/"];

/** An access token lives 2 hours (`expireIn` 7200); it is replaced 5 minutes before that. */
const tokens = new AccessTokenCache(5 * 60_000);

export interface DingTalkApp {
  base: string;
  appKey: string;
  appSecret: string;
  /** The robot's code for the send APIs: the AppKey unless the robot page shows another. */
  robotCode: string;
}

export function dingTalkAppOf(env: ProviderEnv, credentials: Record<string, string>): DingTalkApp {
  const appKey = credentials.appKey ?? "";
  return { base: (env.DINGTALK_API_BASE || DEFAULT_BASE).replace(/\/+$/, ""), appKey, appSecret: credentials.appSecret ?? "", robotCode: credentials.robotCode || appKey };
}

/** Asks for an access token (POST /v1.0/oauth2/accessToken); a refused AppKey or AppSecret is "unauthorized". */
export async function issueAccessToken(app: DingTalkApp): Promise<IssuedToken> {
  const path = "/v1.0/oauth2/accessToken";
  const answer = await dingTalkRequest<{ accessToken: string; expireIn: number }>({ url: `${app.base}${path}`, what: `DingTalk ${path}`, body: { appKey: app.appKey, appSecret: app.appSecret } }).catch(
    (error: unknown) => {
      // DingTalk answers a wrong key or secret with HTTP 400 `invalidClientIdOrSecret`.
      if (error instanceof ProviderError && error.kind === "permanent") throw new ProviderError("unauthorized", error.message);
      throw error;
    },
  );
  return { token: answer.accessToken, expiresInSeconds: answer.expireIn };
}

/** POSTs to a v1.0 API as the app, refreshing the token once if DingTalk refuses it. */
export async function callDingTalk<T>(app: DingTalkApp, path: string, body: unknown): Promise<T> {
  const key = `${app.base}\n${app.appKey}\n${app.appSecret}`;
  for (let attempt = 0; ; attempt++) {
    const token = await tokens.get(key, () => issueAccessToken(app));
    try {
      return await dingTalkRequest<T>({ url: `${app.base}${path}`, what: `DingTalk ${path}`, body, token });
    } catch (error) {
      if (attempt > 0 || !(error instanceof DingTalkTokenRefused)) throw error;
      // Expired before our clock said so, or revoked: drop it, fetch a new one, try once more.
      await tokens.forget(key, token);
    }
  }
}

/** Posts a text to a session webhook; false when DingTalk refused it (expired session): use the API. */
export async function postSessionWebhook(url: string, text: string): Promise<boolean> {
  const answer = await dingTalkRequest<{ errcode?: number }>({ url, what: "DingTalk session webhook", body: { msgtype: "text", text: { content: text } } });
  return (answer.errcode ?? 0) === 0;
}

/**
 * The callback's signature does not cover its body, so its `sessionWebhook` is only trusted on
 * DingTalk's own hosts (or under DINGTALK_API_BASE, for a proxy or the fake): a forged body cannot
 * make the Worker post answers elsewhere.
 */
export function isDingTalkWebhook(url: string, env: ProviderEnv): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  if (target.username || target.password) return false;
  const allowed = env.DINGTALK_API_BASE ? [...WEBHOOK_ORIGINS, `${env.DINGTALK_API_BASE.replace(/\/+$/, "")}/`] : WEBHOOK_ORIGINS;
  return allowed.some((prefix) => {
    const base = new URL(prefix);
    return target.origin === base.origin && target.pathname.startsWith(base.pathname);
  });
}
