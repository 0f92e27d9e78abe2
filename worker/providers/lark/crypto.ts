// Lark's two crypto recipes, both keyed by the app's Encrypt Key (WebCrypto only):
// - bodies: `{"encrypt": base64}` where the bytes are IV (16) + AES-256-CBC ciphertext (PKCS#7),
//   and the AES key is SHA-256 of the Encrypt Key;
// - signatures: X-Lark-Signature = hex SHA-256 of timestamp + nonce + Encrypt Key + raw body
//   (a plain hash, not an HMAC).
import { base64ToBytes, bytesToBase64, sha256Hex } from "../../crypto/encoding";

const IV_BYTES = 16;

async function aesKey(encryptKey: string, usage: "decrypt" | "encrypt"): Promise<CryptoKey> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(encryptKey));
  return crypto.subtle.importKey("raw", digest, { name: "AES-CBC" }, false, [usage]);
}

/** Decrypts Lark's `encrypt` value into the event JSON text; throws when it does not decrypt. */
export async function decryptLarkPayload(encrypted: string, encryptKey: string): Promise<string> {
  const bytes = base64ToBytes(encrypted);
  if (bytes.length < IV_BYTES * 2 || bytes.length % IV_BYTES !== 0) throw new Error("not a Lark ciphertext");
  const plain = await crypto.subtle.decrypt({ name: "AES-CBC", iv: bytes.slice(0, IV_BYTES) }, await aesKey(encryptKey, "decrypt"), bytes.slice(IV_BYTES));
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(plain);
}

/** Encrypts like Lark does (a random IV first): the tests build Lark's deliveries with it. */
export async function encryptLarkPayload(plainText: string, encryptKey: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const cipher = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, await aesKey(encryptKey, "encrypt"), new TextEncoder().encode(plainText)));
  const out = new Uint8Array(IV_BYTES + cipher.length);
  out.set(iv);
  out.set(cipher, IV_BYTES);
  return bytesToBase64(out);
}

/** X-Lark-Signature for a body sent at `timestamp` with `nonce`. */
export function larkSignature(timestamp: string, nonce: string, encryptKey: string, rawBody: string): Promise<string> {
  return sha256Hex(timestamp + nonce + encryptKey + rawBody);
}
