import { describe, expect, it } from "vitest";

import { clientAddress, normaliseAddress, parseTrustedProxies, requestScheme } from "./client-address.mjs";

const nobody = parseTrustedProxies(undefined);
const loadBalancers = parseTrustedProxies("10.0.0.0/8, 192.168.1.7, fd00::/8");

describe("clientAddress", () => {
  it("is the socket's peer when nothing in front is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.9", undefined, nobody)).toBe("203.0.113.9");
    expect(clientAddress("203.0.113.9", "1.2.3.4", nobody)).toBe("203.0.113.9");
    expect(clientAddress("127.0.0.1", "1.2.3.4, 5.6.7.8", nobody)).toBe("127.0.0.1");
  });

  it("ignores X-Forwarded-For from a peer outside TRUSTED_PROXIES", () => {
    expect(clientAddress("203.0.113.9", "10.0.0.1", loadBalancers)).toBe("203.0.113.9");
  });

  it("believes a trusted peer, taking the first untrusted hop from the right", () => {
    expect(clientAddress("10.1.2.3", "198.51.100.4", loadBalancers)).toBe("198.51.100.4");
    // The client wrote 6.6.6.6 itself; our proxies appended the real hops after it.
    expect(clientAddress("10.1.2.3", "6.6.6.6, 198.51.100.4, 192.168.1.7", loadBalancers)).toBe("198.51.100.4");
    // Repeated headers arrive as a list.
    expect(clientAddress("10.1.2.3", ["6.6.6.6", "198.51.100.4"], loadBalancers)).toBe("198.51.100.4");
    expect(clientAddress("fd00::1", "2001:db8::5", loadBalancers)).toBe("2001:db8::5");
  });

  it("matches CIDR networks and single addresses exactly", () => {
    expect(clientAddress("10.255.255.255", "198.51.100.4", loadBalancers)).toBe("198.51.100.4");
    expect(clientAddress("11.0.0.1", "198.51.100.4", loadBalancers)).toBe("11.0.0.1");
    expect(clientAddress("192.168.1.8", "198.51.100.4", loadBalancers)).toBe("192.168.1.8");
  });

  it("reads IPv4-mapped IPv6 as the plain IPv4 address, for the peer, the hops and the list", () => {
    expect(clientAddress("::ffff:203.0.113.9", undefined, nobody)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:10.1.2.3", "::FFFF:198.51.100.4", loadBalancers)).toBe("198.51.100.4");
    expect(clientAddress("10.1.2.3", "198.51.100.4", parseTrustedProxies("::ffff:10.1.2.3"))).toBe("198.51.100.4");
  });

  it("falls back to the peer when the hop to believe is garbage, or every hop is trusted", () => {
    expect(clientAddress("10.1.2.3", "not-an-address", loadBalancers)).toBe("10.1.2.3");
    expect(clientAddress("10.1.2.3", "1.2.3.4, 198.51.100.4:8080", loadBalancers)).toBe("10.1.2.3");
    expect(clientAddress("10.1.2.3", "", loadBalancers)).toBe("10.1.2.3");
    expect(clientAddress("10.1.2.3", " , ,", loadBalancers)).toBe("10.1.2.3");
    expect(clientAddress("10.1.2.3", undefined, loadBalancers)).toBe("10.1.2.3");
    expect(clientAddress("10.1.2.3", "10.9.9.9, 192.168.1.7", loadBalancers)).toBe("10.1.2.3");
  });

  it("is undefined only when the socket has no address", () => {
    expect(clientAddress(undefined, "1.2.3.4", nobody)).toBeUndefined();
  });
});

describe("parseTrustedProxies", () => {
  it("refuses an entry that is not an address or network, naming it", () => {
    for (const bad of ["proxy.internal", "10.0.0.0/33", "10.0.0.0/x", "::1/129", "10.0.0.1/8/8", "10.0.0"]) {
      expect(() => parseTrustedProxies(`127.0.0.1, ${bad}`)).toThrow(`"${bad}"`);
    }
  });

  it("accepts host bits in a network, as the backend does (strict=False)", () => {
    expect(clientAddress("10.200.0.1", "198.51.100.4", parseTrustedProxies("10.1.2.3/8"))).toBe("198.51.100.4");
  });
});

describe("normaliseAddress", () => {
  it("unwraps IPv4-mapped addresses only", () => {
    expect(normaliseAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normaliseAddress(" ::1 ")).toBe("::1");
    expect(normaliseAddress("::ffff:999.0.0.1")).toBe("::ffff:999.0.0.1");
  });
});

describe("requestScheme", () => {
  it("is https on a TLS socket, whoever the peer", () => {
    expect(requestScheme(true, "203.0.113.9", undefined, nobody)).toBe("https");
  });

  it("believes X-Forwarded-Proto from a trusted proxy only", () => {
    expect(requestScheme(false, "10.1.2.3", "https", loadBalancers)).toBe("https");
    expect(requestScheme(false, "::ffff:10.1.2.3", "HTTPS", loadBalancers)).toBe("https");
    expect(requestScheme(false, "203.0.113.9", "https", loadBalancers)).toBe("http");
    expect(requestScheme(false, "127.0.0.1", "https", nobody)).toBe("http");
    expect(requestScheme(false, undefined, "https", loadBalancers)).toBe("http");
  });

  it("reads the rightmost value: the one our own proxy wrote", () => {
    expect(requestScheme(false, "10.1.2.3", "https, http", loadBalancers)).toBe("http");
    expect(requestScheme(false, "10.1.2.3", ["http", "https"], loadBalancers)).toBe("https");
    expect(requestScheme(false, "10.1.2.3", "ftp", loadBalancers)).toBe("http");
    expect(requestScheme(false, "10.1.2.3", undefined, loadBalancers)).toBe("http");
  });
});
