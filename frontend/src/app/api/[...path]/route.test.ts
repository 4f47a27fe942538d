import { afterEach, describe, expect, it, vi } from "vitest";

import { DELETE, GET, PATCH } from "./route";

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
    expect(new TextDecoder().decode(call?.init.body as ArrayBuffer)).toBe('{"title":"x"}');

    expect(response.status).toBe(412);
    expect(response.headers.get("etag")).toBe('"4"');
    expect(response.headers.has("set-cookie")).toBe(false);
    expect(await response.json()).toEqual({ detail: "stale" });
  });

  it("answers 502 with a FastAPI-shaped error when the backend is down", async () => {
    vi.stubGlobal("fetch", () => Promise.reject(new TypeError("fetch failed")));
    const response = await DELETE(new Request("http://frontend/api/todo/1", { method: "DELETE" }));
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ detail: "The backend is not reachable." });
  });
});
