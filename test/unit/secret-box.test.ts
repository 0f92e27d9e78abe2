import { describe, expect, it } from "vitest";
import { openJson, sealJson } from "../../worker/crypto/secret-box";

const KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));

describe("secret box (AES-GCM)", () => {
  it("round-trips a value and never stores it in the clear", async () => {
    const sealed = await sealJson(KEY, "channel:ch_1", { botToken: "123:secret-token-value" });
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain("secret-token-value");
    expect(await openJson(KEY, "channel:ch_1", sealed)).toEqual({ botToken: "123:secret-token-value" });
  });

  it("uses a fresh IV every time", async () => {
    const a = await sealJson(KEY, "row", "same");
    const b = await sealJson(KEY, "row", "same");
    expect(a).not.toBe(b);
  });

  it("refuses a ciphertext moved to another row, a wrong key, or tampering", async () => {
    const sealed = await sealJson(KEY, "channel:ch_1", { token: "x" });
    await expect(openJson(KEY, "channel:ch_2", sealed)).rejects.toThrow();
    const otherKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
    await expect(openJson(otherKey, "channel:ch_1", sealed)).rejects.toThrow();
    const [version, iv, data] = sealed.split(".");
    const flipped = data!.slice(0, 5) + (data![5] === "A" ? "B" : "A") + data!.slice(6);
    await expect(openJson(KEY, "channel:ch_1", `${version}.${iv}.${flipped}`)).rejects.toThrow();
  });

  it("derives a key from a passphrase with HKDF", async () => {
    const sealed = await sealJson("correct horse battery staple", "row", { a: 1 });
    expect(await openJson("correct horse battery staple", "row", sealed)).toEqual({ a: 1 });
    await expect(openJson("another passphrase", "row", sealed)).rejects.toThrow();
  });
});
