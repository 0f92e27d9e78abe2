// Is this delivery from Lark, for this app? Switchboard requires the Encrypt Key, so every body is
// `{"encrypt": …}` and every event is signed. Three checks, all of which must pass:
// 1. the signature over the raw body (X-Lark-Signature), fresh enough;
// 2. the body decrypts with the Encrypt Key;
// 3. the Verification Token inside it matches.
// Lark sends the Request URL challenge without signature headers; a challenge is accepted on
// checks 2 and 3 alone (only a holder of both secrets can build one), nothing else is.
import { timingSafeEqual } from "../../crypto/encoding";
import type { InboundRequest } from "../types";
import { decryptLarkPayload, larkSignature } from "./crypto";

export const TIMESTAMP_HEADER = "x-lark-request-timestamp";
export const NONCE_HEADER = "x-lark-request-nonce";
export const SIGNATURE_HEADER = "x-lark-signature";

/**
 * Lark documents no window and retries for about 7 hours (15 s, 5 min, 1 h, 6 h); whether a retry
 * is signed anew is not documented either, so the window covers the last retry. Replays inside
 * it are stopped by de-duplication on event_id, which the channel remembers for 7 days.
 */
export const MAX_SIGNATURE_AGE_SECONDS = 8 * 60 * 60;
/** Clock skew tolerated the other way. */
export const MAX_CLOCK_AHEAD_SECONDS = 5 * 60;

export interface LarkSecrets {
  verificationToken: string;
  encryptKey: string;
}

/** The event JSON inside an encrypted body; throws when the body is not one or does not decrypt. */
export async function openLarkBody(rawBody: string, encryptKey: string): Promise<string> {
  const envelope: unknown = JSON.parse(rawBody);
  const encrypted = typeof envelope === "object" && envelope !== null ? (envelope as { encrypt?: unknown }).encrypt : undefined;
  if (typeof encrypted !== "string") throw new Error("the body is not encrypted (set the Encrypt Key in the Lark console)");
  return decryptLarkPayload(encrypted, encryptKey);
}

/** True when the request passes the checks above. */
export async function verifyLarkRequest(request: InboundRequest, secrets: LarkSecrets, nowMs = Date.now()): Promise<boolean> {
  if (request.method !== "POST" || !secrets.encryptKey || !secrets.verificationToken) return false;
  const signed = [TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER].some((name) => request.headers.has(name));
  if (signed && !(await hasFreshSignature(request, secrets.encryptKey, nowMs))) return false;
  let payload: unknown;
  try {
    payload = JSON.parse(await openLarkBody(request.rawBody, secrets.encryptKey));
  } catch {
    return false;
  }
  if (!signed && !isChallenge(payload)) return false;
  return timingSafeEqual(tokenOf(payload), secrets.verificationToken);
}

async function hasFreshSignature(request: InboundRequest, encryptKey: string, nowMs: number): Promise<boolean> {
  const timestamp = request.headers.get(TIMESTAMP_HEADER) ?? "";
  const nonce = request.headers.get(NONCE_HEADER) ?? "";
  const signature = (request.headers.get(SIGNATURE_HEADER) ?? "").toLowerCase();
  if (!/^\d{1,12}$/.test(timestamp) || !nonce || !/^[0-9a-f]{64}$/.test(signature)) return false;
  const age = nowMs / 1000 - Number(timestamp);
  if (age > MAX_SIGNATURE_AGE_SECONDS || age < -MAX_CLOCK_AHEAD_SECONDS) return false;
  return timingSafeEqual(await larkSignature(timestamp, nonce, encryptKey, request.rawBody), signature);
}

function isChallenge(payload: unknown): boolean {
  return typeof payload === "object" && payload !== null && (payload as { type?: unknown }).type === "url_verification";
}

/** Schema 2.0 events carry the token in `header`; the challenge and 1.0 events at the top. */
function tokenOf(payload: unknown): string {
  if (typeof payload !== "object" || payload === null) return "";
  const { header, token } = payload as { header?: { token?: unknown }; token?: unknown };
  const value = header?.token ?? token;
  return typeof value === "string" ? value : "";
}
