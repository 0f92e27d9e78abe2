// Signs a body the way Discord signs interactions: Ed25519 over (timestamp + body), hex-encoded.

export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A fresh Ed25519 key pair and its public key as the developer portal shows it (hex). */
export async function newSigningKeys(): Promise<{ privateKey: CryptoKey; publicKey: string }> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer);
  return { privateKey: pair.privateKey, publicKey: toHex(raw) };
}

export async function signedHeaders(privateKey: CryptoKey, body: string, timestamp = Math.floor(Date.now() / 1000)): Promise<Record<string, string>> {
  const signature = await crypto.subtle.sign("Ed25519", privateKey, new TextEncoder().encode(`${timestamp}${body}`));
  return { "x-signature-ed25519": toHex(new Uint8Array(signature)), "x-signature-timestamp": String(timestamp) };
}
