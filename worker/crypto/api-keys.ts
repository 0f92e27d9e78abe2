// Push-API keys: 32 random bytes shown once as `sbk_<base64url>`; only their SHA-256 is stored.
// A fast hash is enough because the key has 256 bits of entropy (no guessing to slow down).

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

export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
