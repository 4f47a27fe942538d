// @vitest-environment node
import { unstable_doesMiddlewareMatch, unstable_getResponseFromNextConfig } from "next/experimental/testing/server";
import { NextRequest } from "next/server";
import { afterEach, describe, expect, it, vi } from "vitest";

import nextConfig from "../next.config";
import { config, proxy } from "./proxy";

afterEach(() => {
  vi.unstubAllEnvs();
});

const nonceOf = (policy: string | null) => /'nonce-([^']+)'/.exec(policy ?? "")?.[1];
/** A signed-in browser's session cookie (its shape is all the hook looks at). */
const SESSION = { cookie: "mi_session=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" };

describe("src/proxy.ts (Next.js' request hook)", () => {
  it("gives each page response its own nonce, and the same policy to the renderer", () => {
    const first = proxy(new NextRequest("http://frontend/", { headers: SESSION }));
    const second = proxy(new NextRequest("http://frontend/", { headers: SESSION }));
    const policy = first.headers.get("Content-Security-Policy");
    expect(nonceOf(policy)).toBeTruthy();
    expect(nonceOf(second.headers.get("Content-Security-Policy"))).not.toBe(nonceOf(policy));
    // NextResponse.next({ request: { headers } }) hands request headers to the
    // renderer this way; Next.js takes its nonce from there.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
  });

  it("adds 'unsafe-eval' only under next dev", () => {
    vi.stubEnv("NODE_ENV", "production");
    expect(proxy(new NextRequest("http://frontend/", { headers: SESSION })).headers.get("Content-Security-Policy")).not.toContain("unsafe-eval");
    vi.stubEnv("NODE_ENV", "development");
    expect(proxy(new NextRequest("http://frontend/", { headers: SESSION })).headers.get("Content-Security-Policy")).toContain("'unsafe-eval'");
  });

  it("runs for pages, not for the /api/* proxy or static files", () => {
    const matches = (url: string, headers: Record<string, string> = {}) =>
      unstable_doesMiddlewareMatch({ config, url, headers });
    for (const page of ["/", "/?filter=active", "/login", "/signup?next=%2F", "/account", "/no-such-page", "/apiary"]) {
      expect(matches(page), page).toBe(true);
    }
    for (const other of ["/api", "/api/todo", "/api/me/password", "/_next/static/chunks/main.js", "/favicon.ico"]) {
      expect(matches(other), other).toBe(false);
    }
  });

  it("runs whatever the request's headers say: a prefetch gets a page's policy too", () => {
    // Without the hook such a request got the whole HTML page with no policy.
    const prefetches: Record<string, string>[] = [
      { "next-router-prefetch": "1" },
      { purpose: "prefetch" },
      { "sec-purpose": "prefetch" },
      { rsc: "1", "next-router-prefetch": "1" },
    ];
    for (const headers of prefetches) {
      for (const page of ["/", "/login"]) {
        // A copy: the function adds a Host header to the object it is given.
        const matched = unstable_doesMiddlewareMatch({ config, url: page, headers: { ...headers } });
        expect(matched, `${page} ${JSON.stringify(headers)}`).toBe(true);
      }
      const response = proxy(new NextRequest("http://frontend/", { headers: { ...headers, ...SESSION } }));
      expect(nonceOf(response.headers.get("Content-Security-Policy"))).toBeTruthy();
    }
  });
});

describe("where the session cookie says a visitor belongs", () => {
  it.each(["/", "/?filter=active", "/lists/abc", "/account", "/due/today"])("%s without a session goes to the log-in page, and back after", (page) => {
    const response = proxy(new NextRequest(`http://frontend${page}`));
    expect(response.status).toBe(307);
    const target = new URL(response.headers.get("location") ?? "");
    expect(target.pathname).toBe("/login");
    expect(target.searchParams.get("next") ?? "/").toBe(page);
  });

  it("the log-in and sign-up pages with a session go on to ?next= (this site's paths only)", () => {
    const to = (url: string) => new URL(proxy(new NextRequest(url, { headers: SESSION })).headers.get("location") ?? "");
    expect(to("http://frontend/login?next=%2Flists%2Fabc").pathname).toBe("/lists/abc");
    expect(to("http://frontend/signup").pathname).toBe("/");
    expect(to("http://frontend/login?next=%2F%2Fevil.example").href).toBe("http://frontend/");
  });

  it("leaves other pages alone", () => {
    for (const page of ["/login", "/signup", "/no-such-page"]) {
      expect(proxy(new NextRequest(`http://frontend${page}`)).headers.get("location"), page).toBeNull();
    }
  });
});

describe("next.config.ts headers", () => {
  it.each(["/", "/login", "/api/todo", "/_next/static/chunks/main.js"])("%s gets nosniff, no-referrer, DENY", async (url) => {
    const response = await unstable_getResponseFromNextConfig({ url: `http://frontend${url}`, nextConfig });
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
  });
});
