import { describe, expect, it } from "vitest";

import {
  browserResponse,
  DEFAULT_MAX_BODY_BYTES,
  forwardedClient,
  isDocumentType,
  limitBody,
  bodyLimitFor,
  maxBodyBytes,
  pickHeaders,
  refuseDeclaredBody,
  REQUEST_HEADERS,
  RESPONSE_HEADERS,
  targetUrl,
} from "./proxy";

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
      "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0",
    });
    const out = pickHeaders(incoming, REQUEST_HEADERS);
    expect(out.get("authorization")).toBe("Bearer t");
    expect(out.get("if-match")).toBe('"2"');
    expect(out.get("idempotency-key")).toBe("k");
    expect(out.get("x-request-id")).toBe("r");
    expect(out.get("user-agent")).toBe("Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0");
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

describe("isDocumentType", () => {
  it("is true for the types a browser opens as a page that can run script", () => {
    const types = ["text/html", "text/html; charset=utf-8", " TEXT/HTML ", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"];
    for (const type of types) {
      expect(isDocumentType(type), type).toBe(true);
    }
  });

  it("is false for what the API answers, and for no type", () => {
    const types = ["application/json", "application/problem+json", "text/event-stream", "text/plain; version=0.0.4", "text/htmlx", null];
    for (const type of types) {
      expect(isDocumentType(type), String(type)).toBe(false);
    }
  });
});

describe("browserResponse", () => {
  /** An upstream answer whose body records whether it was cancelled. */
  function upstream(body: string, init: ResponseInit) {
    const stream = { cancelled: false };
    const response = new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(body));
        },
        cancel() {
          stream.cancelled = true;
        },
      }),
      init,
    );
    return { response, stream };
  }

  it("passes an API answer on: status, allowed headers, body", async () => {
    const { response } = upstream('{"id":"1"}', {
      status: 201,
      headers: { "Content-Type": "application/json", Location: "/todo/1", "Set-Cookie": "x=1" },
    });
    const passed = browserResponse(response);
    expect(passed.status).toBe(201);
    expect(passed.headers.get("location")).toBe("/todo/1");
    expect(passed.headers.has("set-cookie")).toBe(false);
    const reader = (passed.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('{"id":"1"}');
  });

  it("never passes a page on: the backend's docs become a 502 JSON error, its body dropped", async () => {
    const html = "<!doctype html><title>Swagger UI</title><script>SwaggerUIBundle({})</script>";
    const { response, stream } = upstream(html, {
      headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'none'", ETag: '"1"' },
    });
    const passed = browserResponse(response);
    expect(passed.status).toBe(502);
    expect(passed.headers.get("content-type")).toBe("application/json");
    expect(passed.headers.has("etag")).toBe(false);
    const body = await passed.text();
    expect(body).not.toContain("<");
    expect(JSON.parse(body)).toEqual({
      detail: "The backend answered with a page (text/html), which /api/* does not pass on; the API docs are at the backend's own address.",
    });
    expect(stream.cancelled).toBe(true);
  });

  it("keeps the status of an error page (from a proxy in front of the backend), as JSON", async () => {
    const { response } = upstream("<html><body>503 Service Unavailable</body></html>", {
      status: 503,
      headers: { "Content-Type": "text/html", "Retry-After": "5", "X-Request-ID": "r" },
    });
    const passed = browserResponse(response);
    expect(passed.status).toBe(503);
    expect(passed.headers.get("retry-after")).toBe("5");
    expect(passed.headers.get("x-request-id")).toBe("r");
    expect(passed.headers.get("content-type")).toBe("application/json");
    expect(await passed.json()).toHaveProperty("detail");
  });

  it("treats SVG and XHTML like HTML", () => {
    for (const type of ["image/svg+xml", "application/xhtml+xml"]) {
      expect(browserResponse(upstream("<svg/>", { headers: { "Content-Type": type } }).response).status).toBe(502);
    }
  });
});

describe("forwardedClient", () => {
  it("passes on the one address server.mjs wrote", () => {
    expect(forwardedClient("127.0.0.2")).toBe("127.0.0.2");
    expect(forwardedClient("2001:db8::1")).toBe("2001:db8::1");
  });

  it("passes on nothing else", () => {
    expect(forwardedClient(null)).toBeNull();
    expect(forwardedClient("1.2.3.4, 5.6.7.8")).toBeNull();
    expect(forwardedClient("unknown")).toBeNull();
  });
});

describe("bodyLimitFor", () => {
  it("gives the import routes the import limit, every other path MAX_BODY_BYTES", () => {
    expect(bodyLimitFor("/api/me/import", {})).toBe(4 * 1024 * 1024);
    expect(bodyLimitFor("/api/me/import/todomvc", { IMPORT_MAX_BYTES: "2048" })).toBe(2048);
    expect(bodyLimitFor("/api/todo", { IMPORT_MAX_BYTES: "2048" })).toBe(65536);
    expect(bodyLimitFor("/api/me/import/other", {})).toBe(65536);
    expect(() => bodyLimitFor("/api/me/import", { IMPORT_MAX_BYTES: "1k" })).toThrow("IMPORT_MAX_BYTES");
  });
});

describe("maxBodyBytes", () => {
  it("is the backend's default unless set", () => {
    expect(maxBodyBytes(undefined)).toBe(65536);
    expect(maxBodyBytes(" ")).toBe(DEFAULT_MAX_BODY_BYTES);
    expect(maxBodyBytes("1048576")).toBe(1048576);
  });

  it("refuses what the backend would refuse", () => {
    for (const bad of ["1023", "64k", "-1", "1e6", "65536.5"]) expect(() => maxBodyBytes(bad)).toThrow("MAX_BODY_BYTES");
  });
});

describe("refuseDeclaredBody", () => {
  it("lets bodies up to the limit, and requests without Content-Length, through", () => {
    expect(refuseDeclaredBody(null, 100)).toBeNull();
    expect(refuseDeclaredBody("0", 100)).toBeNull();
    expect(refuseDeclaredBody("100", 100)).toBeNull();
  });

  it("answers 413 with the backend's detail for a Content-Length over the limit", async () => {
    const response = refuseDeclaredBody("101", 100);
    expect(response?.status).toBe(413);
    expect(await response?.json()).toEqual({ detail: "Request body exceeds 100 bytes" });
    expect(refuseDeclaredBody("99999999999999999999999", 100)?.status).toBe(413);
  });

  it("answers 400 for a Content-Length that is not a number", async () => {
    for (const bad of ["abc", "-1", "1.5", "", "12, 12"]) {
      const response = refuseDeclaredBody(bad, 100);
      expect(response?.status).toBe(400);
      expect(await response?.json()).toEqual({ detail: "Invalid Content-Length header" });
    }
  });
});

describe("limitBody", () => {
  /** A stream of `sizes.length` chunks of the given sizes. */
  function chunks(...sizes: number[]): ReadableStream<Uint8Array> {
    return new ReadableStream({
      start(controller) {
        for (const size of sizes) controller.enqueue(new Uint8Array(size));
        controller.close();
      },
    });
  }

  it("passes a body of up to `limit` bytes through unchanged", async () => {
    let tooLarge = false;
    const body = limitBody(chunks(40, 60), 100, () => (tooLarge = true));
    expect((await new Response(body).arrayBuffer()).byteLength).toBe(100);
    expect(tooLarge).toBe(false);
  });

  it("stops at the chunk that goes past the limit, reports it and fails the stream", async () => {
    let tooLarge = 0;
    const reader = limitBody(chunks(60, 41, 1000), 100, () => (tooLarge += 1)).getReader();
    expect((await reader.read()).value?.byteLength).toBe(60);
    await expect(reader.read()).rejects.toThrow("Request body exceeds 100 bytes");
    expect(tooLarge).toBe(1);
  });
});
