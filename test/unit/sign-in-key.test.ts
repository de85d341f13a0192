import { describe, expect, it } from "vitest";
import { signInKey } from "../../src/worker/sign-in-key";

describe("guest sign-ins are counted", () => {
  it("per IPv4 address", () => {
    expect(signInKey("203.0.113.7")).toBe("203.0.113.7");
    expect(signInKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("per IPv6 /64, however the address is written", () => {
    const key = "2001:db8:1234:5678::/64";
    for (const address of ["2001:db8:1234:5678::1", "2001:0db8:1234:5678:aaaa:bbbb:cccc:dddd", "2001:DB8:1234:5678:0:0:0:ffff", "2001:db8:1234:5678::1%eth0"]) {
      expect(signInKey(address)).toBe(key);
    }
    expect(signInKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(signInKey("2001:db8:1234:5679::1")).not.toBe(key);
  });
});
