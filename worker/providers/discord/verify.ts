// Discord signs every interaction: Ed25519 over (timestamp + raw body) with the application's
// public key. WebCrypto's Ed25519 does this natively in workerd, so no dependency is needed
// (`discord-interactions`' verifyKey is a wrapper over the same call).

export const SIGNATURE_HEADER = "x-signature-ed25519";
export const TIMESTAMP_HEADER = "x-signature-timestamp";
/**
 * Discord documents no freshness window; ours refuses replays of captured requests older than
 * this (the interaction id is de-duplicated as well).
 */
const MAX_SKEW_SECONDS = 5 * 60;

const keyCache = new Map<string, Promise<CryptoKey>>();

/** True when the signature headers prove the request came from Discord, recently. */
export async function verifyDiscordSignature(publicKeyHex: string, headers: Headers, rawBody: string, nowMs = Date.now()): Promise<boolean> {
  const signature = hexToBytes(headers.get(SIGNATURE_HEADER) ?? "");
  const timestamp = headers.get(TIMESTAMP_HEADER) ?? "";
  if (!signature || signature.length !== 64 || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SKEW_SECONDS) return false;
  try {
    const key = await importPublicKey(publicKeyHex);
    return await crypto.subtle.verify("Ed25519", key, signature, new TextEncoder().encode(timestamp + rawBody));
  } catch {
    // A malformed key or signature is a failed check, not a server error.
    return false;
  }
}

function importPublicKey(publicKeyHex: string): Promise<CryptoKey> {
  let key = keyCache.get(publicKeyHex);
  if (!key) {
    const bytes = hexToBytes(publicKeyHex);
    if (!bytes || bytes.length !== 32) return Promise.reject(new Error("public key must be 32 bytes of hex"));
    key = crypto.subtle.importKey("raw", bytes, { name: "Ed25519" }, false, ["verify"]);
    key.catch(() => keyCache.delete(publicKeyHex));
    keyCache.set(publicKeyHex, key);
  }
  return key;
}

function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}
