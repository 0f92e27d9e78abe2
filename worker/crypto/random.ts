// Random identifiers and codes.

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
/** Pairing and invite codes: no 0/O/1/I look-alikes, so a code read aloud or typed is unambiguous. */
export const CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

/** Picks `length` characters uniformly from `alphabet` (rejection sampling, no modulo bias). */
export function randomString(alphabet: string, length: number): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    // getRandomValues fills at most 64 KiB per call.
    for (const byte of crypto.getRandomValues(new Uint8Array(Math.min((length - out.length) * 2, 65_536)))) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}

/** A prefixed random id, e.g. `ch_k3j9…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomString(ID_ALPHABET, 16)}`;
}

/** An 8-character pairing/invite code. */
export function newCode(): string {
  return randomString(CODE_ALPHABET, 8);
}

/** A webhook secret token (Telegram allows A-Z a-z 0-9 _ -, 1–256 chars). */
export function newWebhookSecret(): string {
  return randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 48);
}
