// Push-API keys: 32 random bytes shown once as `sbk_<base64url>`; only their SHA-256 is stored.
// A fast hash is enough because the key has 256 bits of entropy (no guessing to slow down).
import { sha256Hex } from "./encoding";

const PREFIX = "sbk_";

export function newApiKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return PREFIX + btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function looksLikeApiKey(value: string): boolean {
  return /^sbk_[A-Za-z0-9_-]{43}$/.test(value);
}

export function hashApiKey(key: string): Promise<string> {
  return sha256Hex(key);
}
