import { afterEach, describe, expect, it, vi } from "vitest";

import { DELETE, GET, PATCH, POST } from "./route";

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

/** Replaces global fetch (the proxy's upstream call) and records its arguments. */
function stubBackend(response: Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal("fetch", (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return Promise.resolve(response);
  });
  return calls;
}

/** A POST whose body arrives as a stream of chunks of these sizes, with no Content-Length (chunked). */
function streamedRequest(url: string, sizes: number[]): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const size of sizes) controller.enqueue(new Uint8Array(size));
      controller.close();
    },
  });
  // Sent by one of this site's pages, as the CSRF check asks (src/lib/csrf.ts).
  const headers = { "Sec-Fetch-Site": "same-origin" };
  const init: RequestInit & { duplex: "half" } = { method: "POST", body, headers, duplex: "half" };
  return new Request(url, init);
}

describe("the /api/* proxy", () => {
  it("reads BACKEND_URL on each request, not at build time", async () => {
    const calls = stubBackend(Response.json([]));
    vi.stubEnv("BACKEND_URL", "http://127.0.0.1:1111");
    await GET(new Request("http://frontend/api/todo?limit=5"));
    vi.stubEnv("BACKEND_URL", "http://127.0.0.1:2222");
    await GET(new Request("http://frontend/api/todo?limit=5"));
    expect(calls.map((c) => c.url)).toEqual(["http://127.0.0.1:1111/todo?limit=5", "http://127.0.0.1:2222/todo?limit=5"]);
  });

  it("passes method, API headers and body through, and status and headers back", async () => {
    const calls = stubBackend(
      new Response('{"detail":"stale"}', {
        status: 412,
        headers: { "Content-Type": "application/json", ETag: '"4"', "Set-Cookie": "x=1" },
      }),
    );
    vi.stubEnv("BACKEND_URL", "http://backend:8000");
    const response = await PATCH(
      new Request("http://frontend/api/todo/abc", {
        method: "PATCH",
        headers: { Authorization: "Bearer t", "If-Match": '"3"', "Content-Type": "application/json", Cookie: "s=1" },
        body: '{"title":"x"}',
      }),
    );
    const [call] = calls;
    expect(call?.url).toBe("http://backend:8000/todo/abc");
    expect(call?.init.method).toBe("PATCH");
    const sent = new Headers(call?.init.headers);
    expect(sent.get("authorization")).toBe("Bearer t");
    expect(sent.get("if-match")).toBe('"3"');
    expect(sent.has("cookie")).toBe(false);
    expect(await new Response(call?.init.body).text()).toBe('{"title":"x"}');

    expect(response.status).toBe(412);
    expect(response.headers.get("etag")).toBe('"4"');
    expect(response.headers.has("set-cookie")).toBe(false);
    expect(await response.json()).toEqual({ detail: "stale" });
  });

  it("tells the backend the client address server.mjs wrote, and nothing a client could", async () => {
    const calls = stubBackend(Response.json({}));
    await GET(new Request("http://frontend/api/me", { headers: { "X-Forwarded-For": "127.0.0.2" } }));
    await GET(new Request("http://frontend/api/me", { headers: { "X-Forwarded-For": "6.6.6.6, 127.0.0.2" } }));
    await GET(new Request("http://frontend/api/me"));
    expect(calls.map((c) => new Headers(c.init.headers).get("x-forwarded-for"))).toEqual(["127.0.0.2", null, null]);
  });

  it("refuses a Content-Length over MAX_BODY_BYTES with 413, without calling the backend", async () => {
    const calls = stubBackend(Response.json({}, { status: 201 }));
    vi.stubEnv("MAX_BODY_BYTES", "2048");
    const response = await POST(
      new Request("http://frontend/api/todo", { method: "POST", headers: { "Content-Length": "2049", "Sec-Fetch-Site": "same-origin" }, body: "x".repeat(2049) }),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ detail: "Request body exceeds 2048 bytes" });
    expect(calls).toEqual([]);
  });

  it("streams the body and stops the upload with 413 once it passes MAX_BODY_BYTES", async () => {
    let uploaded = 0;
    let aborted = false;
    // Like fetch: reads the body as it uploads it, and fails when the body stream does.
    vi.stubGlobal("fetch", async (_url: string, init: RequestInit & { duplex?: string }) => {
      expect(init.duplex).toBe("half");
      init.signal?.addEventListener("abort", () => (aborted = true));
      const reader = (init.body as ReadableStream<Uint8Array>).getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) uploaded += chunk.value.byteLength;
      return Response.json({}, { status: 201 });
    });
    const response = await POST(streamedRequest("http://frontend/api/todo", [40_000, 40_000, 40_000]));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ detail: "Request body exceeds 65536 bytes" });
    expect(uploaded).toBe(40_000);
    expect(aborted).toBe(true);
  });

  it("streams a body within MAX_BODY_BYTES to the backend whole, never holding it", async () => {
    const calls = stubBackend(Response.json({}, { status: 201 }));
    const response = await POST(streamedRequest("http://frontend/api/todo", [30_000, 35_536]));
    expect(response.status).toBe(201);
    expect(calls[0]?.init.body).toBeInstanceOf(ReadableStream);
    expect((await new Response(calls[0]?.init.body).arrayBuffer()).byteLength).toBe(65_536);
  });

  it("streams the live events through as they come, with the headers that keep them unbuffered", async () => {
    const encoder = new TextEncoder();
    let upstream: ReadableStreamDefaultController<Uint8Array> | undefined;
    const events = new ReadableStream<Uint8Array>({
      start(controller) {
        upstream = controller;
      },
    });
    const calls = stubBackend(
      new Response(events, {
        headers: {
          "Content-Type": "text/event-stream",
          "Cache-Control": "no-cache, no-transform",
          "X-Accel-Buffering": "no",
        },
      }),
    );
    vi.stubEnv("BACKEND_URL", "");
    const response = await GET(
      new Request("http://frontend/api/events", {
        headers: { Authorization: "Bearer t", Accept: "text/event-stream", "Last-Event-ID": "c42" },
      }),
    );
    const sent = new Headers(calls[0]?.init.headers);
    expect(calls[0]?.url).toBe("http://127.0.0.1:8000/events");
    expect(sent.get("last-event-id")).toBe("c42");
    expect(sent.get("accept")).toBe("text/event-stream");
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
    expect(response.headers.get("x-accel-buffering")).toBe("no");

    // Each chunk reaches the browser while the stream is still open.
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    upstream?.enqueue(encoder.encode("retry: 2000\n\n"));
    expect(decoder.decode((await reader.read()).value)).toBe("retry: 2000\n\n");
    upstream?.enqueue(encoder.encode(": keep-alive\n\n"));
    expect(decoder.decode((await reader.read()).value)).toBe(": keep-alive\n\n");
    upstream?.close();
    expect((await reader.read()).done).toBe(true);
  });

  it("ends the request to the backend when the browser goes away", async () => {
    const calls = stubBackend(new Response(new ReadableStream(), { headers: { "Content-Type": "text/event-stream" } }));
    const browser = new AbortController();
    await GET(new Request("http://frontend/api/events", { signal: browser.signal }));
    const signal = calls[0]?.init.signal;
    expect(signal?.aborted).toBe(false);
    browser.abort();
    expect(signal?.aborted).toBe(true);
  });

  it("passes on no HTML page from the backend, whatever the path (/docs, /redoc, …)", async () => {
    for (const path of ["docs", "redoc", "docs/oauth2-redirect", "todo"]) {
      stubBackend(
        new Response("<!doctype html><script>alert(1)</script>", {
          headers: { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": "default-src 'none'" },
        }),
      );
      const response = await GET(new Request(`http://frontend/api/${path}`));
      expect(response.status, path).toBe(502);
      expect(response.headers.get("content-type"), path).toBe("application/json");
      expect(await response.text(), path).not.toContain("<script>");
    }
  });

  it("answers 502 with a FastAPI-shaped error when the backend is down", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("fetch failed")));
    const response = await DELETE(new Request("http://frontend/api/todo/1", { method: "DELETE", headers: { "Sec-Fetch-Site": "same-origin" } }));
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ detail: "The backend is not reachable." });
  });
});
