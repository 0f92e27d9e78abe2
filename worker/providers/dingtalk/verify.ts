// DingTalk signs each robot callback with two headers: `timestamp` (Unix ms) and
// `sign` = base64(HMAC-SHA256(key = AppSecret, message = timestamp + "\n" + AppSecret)).
// The signature does not cover the body: it proves the sender knows the secret and is replayable
// for the hour it is valid, so the channel also de-duplicates on msgId (and never trusts the
// body's reply URL beyond DingTalk's own hosts, see parse.ts).
import { base64ToBytes } from "../../crypto/encoding";

export const TIMESTAMP_HEADER = "timestamp";
export const SIGN_HEADER = "sign";
/** DingTalk's documented window, both ways. */
export const MAX_CLOCK_SKEW_MS = 60 * 60 * 1000;

/** True when the request carries a valid `sign` for a `timestamp` within the window. */
export async function verifyDingTalkSign(headers: Headers, appSecret: string, nowMs = Date.now()): Promise<boolean> {
  const timestamp = headers.get(TIMESTAMP_HEADER) ?? "";
  const sign = headers.get(SIGN_HEADER) ?? "";
  if (!appSecret || !/^\d{10,16}$/.test(timestamp) || Math.abs(nowMs - Number(timestamp)) > MAX_CLOCK_SKEW_MS) return false;
  let given: Uint8Array;
  try {
    given = base64ToBytes(sign);
  } catch {
    return false;
  }
  if (given.length !== 32) return false;
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(appSecret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  // WebCrypto's verify compares in constant time.
  return crypto.subtle.verify("HMAC", key, given, encoder.encode(`${timestamp}\n${appSecret}`));
}
