// Slack signs every Events API request with the app's signing secret (scheme `v0`):
// X-Slack-Signature = "v0=" + hex(HMAC-SHA256(secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body)).

export const TIMESTAMP_HEADER = "x-slack-request-timestamp";
export const SIGNATURE_HEADER = "x-slack-signature";
/** A signed request older (or newer) than this is refused, so a captured one cannot be replayed later. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/** True when the request carries a valid, fresh v0 signature over `rawBody`. */
export async function verifySlackSignature(headers: Headers, rawBody: string, signingSecret: string, nowMs = Date.now()): Promise<boolean> {
  const timestamp = headers.get(TIMESTAMP_HEADER);
  const signature = headers.get(SIGNATURE_HEADER);
  if (!timestamp || !signature || !signingSecret || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) return false;
  const given = /^v0=([0-9a-f]{64})$/i.exec(signature)?.[1];
  if (!given) return false;
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", encoder.encode(signingSecret), { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  // WebCrypto's verify compares in constant time: no hex string comparison of our own.
  return crypto.subtle.verify("HMAC", key, hexToBytes(given), encoder.encode(`v0:${timestamp}:${rawBody}`));
}

function hexToBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
