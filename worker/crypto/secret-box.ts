// AES-GCM encryption of stored credentials. Format: "v1.<iv b64>.<ciphertext b64>", with the
// owning row id as additional authenticated data so a ciphertext cannot be moved to another row.
import { base64ToBytes, bytesToBase64 } from "./encoding";

const VERSION = "v1";
const keyCache = new Map<string, Promise<CryptoKey>>();

/** Imports ENCRYPTION_KEY: 32 bytes of base64 are used as-is, anything else is HKDF-derived. */
function importKey(secret: string): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = deriveKey(secret);
    keyCache.set(secret, key);
  }
  return key;
}

async function deriveKey(secret: string): Promise<CryptoKey> {
  const raw = tryBase64Key(secret);
  if (raw) return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new TextEncoder().encode("switchboard/credentials"), info: new Uint8Array() },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

function tryBase64Key(secret: string): Uint8Array | null {
  try {
    const bytes = base64ToBytes(secret);
    return bytes.length === 32 ? bytes : null;
  } catch {
    return null;
  }
}

/** Encrypts a JSON value for the row `aad`. */
export async function sealJson(secret: string, aad: string, value: unknown): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const key = await importKey(secret);
  const plain = new TextEncoder().encode(JSON.stringify(value));
  const cipher = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(aad) }, key, plain);
  return `${VERSION}.${bytesToBase64(iv)}.${bytesToBase64(new Uint8Array(cipher))}`;
}

/** Decrypts what `sealJson` produced for the same row; throws on tampering or a wrong key. */
export async function openJson<T>(secret: string, aad: string, sealed: string): Promise<T> {
  const [version, ivB64, dataB64] = sealed.split(".");
  if (version !== VERSION || !ivB64 || !dataB64) throw new Error("unsupported credential format");
  const key = await importKey(secret);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: base64ToBytes(ivB64), additionalData: new TextEncoder().encode(aad) },
    key,
    base64ToBytes(dataB64),
  );
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}
