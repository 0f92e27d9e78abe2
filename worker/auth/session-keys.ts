// The admin session's HMAC key, derived from both secrets with HKDF: rotating ADMIN_TOKEN (or
// ENCRYPTION_KEY) invalidates every session, and a weak ADMIN_TOKEN alone never keys the MAC.
import { base64ToBytes, bytesToBase64 } from "../crypto/encoding";

const keyCache = new Map<string, Promise<CryptoKey>>();

/** The HMAC-SHA-256 key that signs session cookies and derives CSRF tokens. */
export function sessionKey(adminToken: string, encryptionKey: string): Promise<CryptoKey> {
  const cacheKey = `${adminToken}\u0000${encryptionKey}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = deriveKey(adminToken, encryptionKey);
    keyCache.set(cacheKey, key);
  }
  return key;
}

async function deriveKey(adminToken: string, encryptionKey: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(`${encryptionKey}\u0000${adminToken}`), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new TextEncoder().encode("switchboard/admin-session"), info: new TextEncoder().encode("v1") },
    material,
    { name: "HMAC", hash: "SHA-256", length: 256 },
    false,
    ["sign", "verify"],
  );
}

/** HMAC of `message`, base64url without padding (cookie- and header-safe). */
export async function sign(key: CryptoKey, message: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message));
  return toBase64Url(new Uint8Array(mac));
}

/** Checks a base64url HMAC in constant time (WebCrypto's verify). */
export async function verify(key: CryptoKey, message: string, signature: string): Promise<boolean> {
  const mac = fromBase64Url(signature);
  if (!mac) return false;
  return crypto.subtle.verify("HMAC", key, mac, new TextEncoder().encode(message));
}

function toBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(text)) return null;
  try {
    return base64ToBytes(text.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (text.length % 4)) % 4));
  } catch {
    return null;
  }
}
