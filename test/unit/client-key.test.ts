// Which part of an address names one client for the admin-token rate limit.
import { describe, expect, it } from "vitest";
import { addressBucket } from "../../worker/auth/client-key";

describe("addressBucket", () => {
  it("keeps an IPv4 address whole", () => {
    expect(addressBucket("203.0.113.7")).toBe("203.0.113.7");
    expect(addressBucket("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("cuts an IPv6 address to its /64, however it is written", () => {
    const bucket = "2001:db8:1:2::/64";
    for (const address of ["2001:db8:1:2::1", "2001:DB8:1:2:ffff:ffff:ffff:ffff", "2001:0db8:0001:0002:0000:0000:0000:0001", "2001:db8:1:2:0:0:192.0.2.1", "2001:db8:1:2::1%eth0"]) {
      expect(addressBucket(address), address).toBe(bucket);
    }
    expect(addressBucket("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
    expect(addressBucket("2001:db8:1:3::1")).not.toBe(bucket);
  });

  it("leaves anything that is not an address as it is", () => {
    expect(addressBucket("unknown")).toBe("unknown");
    expect(addressBucket("1:2:3")).toBe("1:2:3");
    expect(addressBucket("1::2::3")).toBe("1::2::3");
  });
});
