import { describe, expect, it } from "vitest";

import { contentSecurityPolicy, newNonce, policyDirectives, STATIC_SECURITY_HEADERS } from "./content-security-policy";

/** The policy as { directive: sources[] }. */
function parse(policy: string): Record<string, string[]> {
  return Object.fromEntries(
    policy.split(";").map((part) => {
      const [name = "", ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe("contentSecurityPolicy in production", () => {
  const policy = parse(contentSecurityPolicy({ nonce: "abc123==", development: false }));

  it("allows scripts by nonce and what they load, nothing inline or by host", () => {
    expect(policy["script-src"]).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
  });

  it("never allows eval or inline code", () => {
    const all = Object.values(policy).flat();
    expect(all).not.toContain("'unsafe-eval'");
    expect(all).not.toContain("'unsafe-inline'");
  });

  it("allows styles from this origin or with the nonce", () => {
    expect(policy["style-src"]).toEqual(["'self'", "'nonce-abc123=='"]);
  });

  it("locks down everything else", () => {
    expect(policy).toMatchObject({
      "default-src": ["'self'"],
      "connect-src": ["'self'"],
      "object-src": ["'none'"],
      "base-uri": ["'none'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
    });
  });

  it("is one header line of '; '-separated directives", () => {
    const value = contentSecurityPolicy({ nonce: "n", development: false });
    expect(value).not.toMatch(/[\r\n]/);
    expect(value.split("; ")).toHaveLength(policyDirectives({ nonce: "n", development: false }).length);
  });
});

describe("contentSecurityPolicy under next dev", () => {
  const policy = parse(contentSecurityPolicy({ nonce: "abc123==", development: true }));

  it("adds 'unsafe-eval' to scripts (React's dev error stacks)", () => {
    expect(policy["script-src"]).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'", "'unsafe-eval'"]);
  });

  it("allows inline styles (the dev overlay's), without the nonce that would disable 'unsafe-inline'", () => {
    expect(policy["style-src"]).toEqual(["'self'", "'unsafe-inline'"]);
  });

  it("is otherwise the production policy", () => {
    const production = parse(contentSecurityPolicy({ nonce: "abc123==", development: false }));
    const rest = (p: Record<string, string[]>) => ({ ...p, "script-src": [], "style-src": [] });
    expect(rest(policy)).toEqual(rest(production));
  });
});

describe("newNonce", () => {
  it("is 128 random bits in base64, different every time", () => {
    const nonces = new Set(Array.from({ length: 50 }, () => newNonce()));
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) {
      expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(atob(nonce)).toHaveLength(16);
    }
  });
});

describe("STATIC_SECURITY_HEADERS", () => {
  it("forbids sniffing, referrers and framing", () => {
    expect(Object.fromEntries(STATIC_SECURITY_HEADERS.map(({ key, value }) => [key, value]))).toEqual({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "X-Frame-Options": "DENY",
    });
  });
});
