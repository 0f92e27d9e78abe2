import { describe, expect, it } from "vitest";
import { CODE_ALPHABET, newCode, newId, newWebhookSecret, randomString } from "../../worker/crypto/random";

describe("pairing codes", () => {
  it("are 8 characters without look-alikes (0/O/1/I)", () => {
    for (let i = 0; i < 500; i++) {
      const code = newCode();
      expect(code).toMatch(/^[2-9A-HJ-NP-Z]{8}$/);
      expect(code).not.toMatch(/[01OI]/);
    }
    expect(CODE_ALPHABET).not.toMatch(/[01OI]/);
  });

  it("use the whole alphabet roughly evenly (no modulo bias)", () => {
    const counts = new Map<string, number>();
    const samples = 64_000;
    for (const char of randomString(CODE_ALPHABET, samples)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(CODE_ALPHABET.length);
    const expected = samples / CODE_ALPHABET.length;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.1);
  });

  it("rarely repeat", () => {
    const codes = new Set(Array.from({ length: 5000 }, () => newCode()));
    expect(codes.size).toBe(5000);
  });
});

describe("ids and secrets", () => {
  it("ids carry their prefix", () => {
    expect(newId("ch")).toMatch(/^ch_[a-z0-9]{16}$/);
  });

  it("webhook secrets fit Telegram's secret_token rules", () => {
    expect(newWebhookSecret()).toMatch(/^[A-Za-z0-9_-]{48}$/);
  });
});
