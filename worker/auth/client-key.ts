// Who a client is, for the admin-token rate limit (worker/auth/login-limiter.ts).
import { sign } from "./session-keys";

/**
 * A client's key: a keyed hash of its address bucket, so the table holds no IP addresses (and a
 * plain hash of the small IPv4 space could be reversed). Only Cloudflare's own header is trusted:
 * a client can set X-Forwarded-For to anything. Without it (local dev) all clients share one key.
 */
export async function clientKeyOf(headers: Headers, key: CryptoKey): Promise<string> {
  return sign(key, `login-client.${addressBucket(headers.get("cf-connecting-ip") ?? "unknown")}`);
}

/**
 * The part of an address that names one client: an IPv4 address whole, an IPv6 address by its
 * /64. One subscriber is normally given at least a whole /64, so keying by the full address
 * would hand them 2^64 fresh budgets. Anything unparseable is used as it is.
 */
export function addressBucket(address: string): string {
  const ip = address.trim().toLowerCase().replace(/%.*$/, "");
  if (!ip.includes(":")) return ip;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (mapped) return mapped[1]!;
  const groups = ipv6Groups(ip);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : address;
}

/** The eight 16-bit groups of an IPv6 address in hex without leading zeros; null if it is none. */
function ipv6Groups(ip: string): string[] | null {
  const halves = ip.split("::");
  if (halves.length > 2) return null;
  const parts = halves.map((half) => (half ? half.split(":") : []));
  // A dotted IPv4 at the end (…:192.0.2.1) stands for the last two groups, outside the /64.
  const last = parts[parts.length - 1]!;
  if (last.at(-1)?.includes(".")) last.splice(-1, 1, "0", "0");
  const head = parts[0]!;
  const tail = parts.length === 2 ? parts[1]! : [];
  const missing = 8 - head.length - tail.length;
  if (parts.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(parts.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  return groups.map((group) => parseInt(group, 16).toString(16));
}
