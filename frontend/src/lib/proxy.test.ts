import { describe, expect, it } from "vitest";

import { pickHeaders, REQUEST_HEADERS, RESPONSE_HEADERS, targetUrl } from "./proxy";

describe("targetUrl", () => {
  it("maps /api/<path>?<query> onto the backend", () => {
    expect(targetUrl("http://localhost:3000/api/todo?completed=true&limit=5", "http://127.0.0.1:8123")).toBe(
      "http://127.0.0.1:8123/todo?completed=true&limit=5",
    );
    expect(targetUrl("http://localhost:3000/api/todo/abc", "http://b:1/")).toBe("http://b:1/todo/abc");
  });

  it("keeps a trailing slash", () => {
    expect(targetUrl("http://x/api/todo/", "http://b")).toBe("http://b/todo/");
  });

  it("falls back to the default backend when BACKEND_URL is unset or empty", () => {
    expect(targetUrl("http://x/api/me", undefined)).toBe("http://127.0.0.1:8000/me");
    expect(targetUrl("http://x/api/me", "  ")).toBe("http://127.0.0.1:8000/me");
  });

  it("does not strip /api from paths that merely start with it", () => {
    expect(targetUrl("http://x/apiary", "http://b")).toBe("http://b/apiary");
  });
});

describe("pickHeaders", () => {
  it("forwards the API's request headers and drops the rest", () => {
    const incoming = new Headers({
      Authorization: "Bearer t",
      "If-Match": '"2"',
      "Idempotency-Key": "k",
      "Content-Type": "application/json",
      "X-Request-ID": "r",
      Cookie: "secret=1",
      Host: "localhost:3000",
    });
    const out = pickHeaders(incoming, REQUEST_HEADERS);
    expect(out.get("authorization")).toBe("Bearer t");
    expect(out.get("if-match")).toBe('"2"');
    expect(out.get("idempotency-key")).toBe("k");
    expect(out.get("x-request-id")).toBe("r");
    expect(out.has("cookie")).toBe(false);
    expect(out.has("host")).toBe(false);
  });

  it("passes back ETag, Location, Link, Retry-After and WWW-Authenticate", () => {
    const upstream = new Headers({
      ETag: '"3"',
      Location: "/todo/1",
      Link: '<http://b/todo?cursor=x>; rel="next"',
      "Retry-After": "5",
      "WWW-Authenticate": "Bearer",
      "Content-Encoding": "gzip",
    });
    const out = pickHeaders(upstream, RESPONSE_HEADERS);
    expect([...out.keys()].sort()).toEqual(["etag", "link", "location", "retry-after", "www-authenticate"]);
  });
});
