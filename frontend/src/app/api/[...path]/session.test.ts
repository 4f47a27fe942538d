import { afterEach, describe, expect, it, vi } from "vitest";

import { DELETE, GET, PATCH, POST, PUT } from "./route";

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A token shaped like the backend's (header.claims.signature), expiring in `seconds`. */
function token(seconds = 3600, marker = "a"): string {
  const claims = Buffer.from(JSON.stringify({ sub: marker, exp: Math.floor(Date.now() / 1000) + seconds })).toString(
    "base64url",
  );
  return `eyJhbGciOiJIUzI1NiJ9.${claims}.c2lnbmF0dXJl${marker}`;
}

function stubBackend(answer: () => Response) {
  const calls: { url: string; headers: Headers }[] = [];
  vi.stubGlobal("fetch", (url: string, init: RequestInit) => {
    calls.push({ url, headers: new Headers(init.headers) });
    return Promise.resolve(answer());
  });
  return calls;
}

const SAME_ORIGIN = { Host: "frontend", Origin: "http://frontend", "Sec-Fetch-Site": "same-origin" };
const loginForm = () => new URLSearchParams({ username: "user1", password: "pass" });

describe("the session cookie", () => {
  it("log-in answers 204 with the token in an HttpOnly cookie, never in the body", async () => {
    const issued = token();
    stubBackend(() => Response.json({ access_token: issued, token_type: "bearer" }));
    const response = await POST(
      new Request("http://frontend/api/auth/login", { method: "POST", headers: SAME_ORIGIN, body: loginForm() }),
    );
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(new RegExp(`^mi_session=${issued.replaceAll(".", "\\.")}; `));
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Secure");
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)?.[1]);
    expect(maxAge).toBeGreaterThan(3590);
    expect(maxAge).toBeLessThanOrEqual(3600);
  });

  it("over HTTPS (server.mjs' X-Forwarded-Proto) the cookie is __Host- and Secure", async () => {
    stubBackend(() => Response.json({ access_token: token() }));
    const response = await POST(
      new Request("https://frontend/api/auth/login", {
        method: "POST",
        headers: { ...SAME_ORIGIN, Origin: "https://frontend", "X-Forwarded-Proto": "https" },
        body: loginForm(),
      }),
    );
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-mi_session=/);
    expect(cookie).toContain("; Secure");
    expect(cookie).toContain("Path=/");
    expect(cookie).not.toContain("Domain");
  });

  it("a failed log-in sets no cookie and keeps the backend's answer", async () => {
    stubBackend(() => Response.json({ detail: "Incorrect username or password" }, { status: 401 }));
    const response = await POST(
      new Request("http://frontend/api/auth/login", { method: "POST", headers: SAME_ORIGIN, body: loginForm() }),
    );
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("log-in never sends a cookie it finds along (session fixation): the session after it is a new one", async () => {
    const planted = token(3600, "planted");
    const issued = token(3600, "fresh");
    const calls = stubBackend(() => Response.json({ access_token: issued }));
    const response = await POST(
      new Request("http://frontend/api/auth/login", {
        method: "POST",
        headers: { ...SAME_ORIGIN, Cookie: `mi_session=${planted}` },
        body: loginForm(),
      }),
    );
    expect(calls[0]?.headers.get("authorization")).toBeNull();
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(issued);
    expect(cookie).not.toContain(planted);
  });

  it("turns the cookie into the backend's Authorization header", async () => {
    const session = token();
    const calls = stubBackend(() => Response.json([]));
    await GET(new Request("http://frontend/api/todo", { headers: { Cookie: `theme=dark; mi_session=${session}` } }));
    expect(calls[0]?.headers.get("authorization")).toBe(`Bearer ${session}`);
    expect(calls[0]?.headers.get("cookie")).toBeNull();
  });

  it("over HTTPS only the __Host- cookie counts (one without the prefix may be planted over HTTP)", async () => {
    const calls = stubBackend(() => Response.json([]));
    await GET(
      new Request("https://frontend/api/todo", {
        headers: { Cookie: `mi_session=${token()}`, "X-Forwarded-Proto": "https" },
      }),
    );
    expect(calls[0]?.headers.get("authorization")).toBeNull();
  });

  it("ignores a cookie that is not shaped like a token", async () => {
    const calls = stubBackend(() => Response.json([]));
    await GET(new Request("http://frontend/api/todo", { headers: { Cookie: "mi_session=a b,c;d" } }));
    expect(calls[0]?.headers.get("authorization")).toBeNull();
  });

  it("a 401 on the cookie path clears the cookie", async () => {
    stubBackend(() => Response.json({ detail: "Not authenticated" }, { status: 401 }));
    const response = await GET(new Request("http://frontend/api/me", { headers: { Cookie: `mi_session=${token()}` } }));
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toMatch(/^mi_session=; .*Max-Age=0/);
  });

  it("a password change moves the fresh token into the cookie", async () => {
    const fresh = token(3600, "fresh");
    const calls = stubBackend(() => Response.json({ access_token: fresh }));
    const response = await PUT(
      new Request("http://frontend/api/me/password", {
        method: "PUT",
        headers: { ...SAME_ORIGIN, Cookie: `mi_session=${token(3600, "old")}`, "Content-Type": "application/json" },
        body: JSON.stringify({ current_password: "a", new_password: "b" }),
      }),
    );
    expect(calls[0]?.headers.get("authorization")).toContain("Bearer ");
    expect(response.status).toBe(204);
    expect(response.headers.get("set-cookie")).toContain(fresh);
  });

  it("log-out ends the session on the backend, then clears the cookie", async () => {
    const held = token();
    const calls = stubBackend(() => new Response(null, { status: 204 }));
    const response = await POST(
      new Request("http://frontend/api/auth/logout", {
        method: "POST",
        headers: { ...SAME_ORIGIN, Cookie: `mi_session=${held}` },
      }),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("set-cookie")).toMatch(/^mi_session=; Path=\/; Max-Age=0; HttpOnly/);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("http://127.0.0.1:8000/auth/logout");
    expect(calls[0]?.headers.get("authorization")).toBe(`Bearer ${held}`);
  });

  it("log-out clears the cookie even when the backend refuses or is down", async () => {
    for (const answer of [() => new Response(null, { status: 401 }), () => Promise.reject(new TypeError("down"))]) {
      vi.stubGlobal("fetch", answer);
      const response = await POST(
        new Request("http://frontend/api/auth/logout", {
          method: "POST",
          headers: { ...SAME_ORIGIN, Cookie: `mi_session=${token()}` },
        }),
      );
      expect(response.status).toBe(204);
      expect(response.headers.get("set-cookie")).toMatch(/^mi_session=; Path=\/; Max-Age=0; HttpOnly/);
    }
  });

  it("log-out without a cookie calls nobody", async () => {
    const calls = stubBackend(() => Response.json({}));
    const response = await POST(new Request("http://frontend/api/auth/logout", { method: "POST", headers: SAME_ORIGIN }));
    expect(response.status).toBe(204);
    expect(calls).toHaveLength(0);
  });
});

describe("CSRF: unsafe requests on the cookie path", () => {
  const session = { Host: "frontend", Cookie: `mi_session=${token()}` };
  const unsafe = [
    (headers: Record<string, string>) => POST(new Request("http://frontend/api/todo", { method: "POST", headers, body: "{}" })),
    (headers: Record<string, string>) => PATCH(new Request("http://frontend/api/todo/1", { method: "PATCH", headers, body: "{}" })),
    (headers: Record<string, string>) => DELETE(new Request("http://frontend/api/todo/1", { method: "DELETE", headers })),
    (headers: Record<string, string>) =>
      POST(new Request("http://frontend/api/auth/login", { method: "POST", headers, body: loginForm() })),
    (headers: Record<string, string>) => POST(new Request("http://frontend/api/auth/logout", { method: "POST", headers })),
  ];

  it.each([
    ["neither Origin nor Sec-Fetch-Site", {}],
    ["another site", { Origin: "http://evil.example", "Sec-Fetch-Site": "cross-site" }],
    ["another port of this host (same site, another origin)", { Origin: "http://frontend:4000", "Sec-Fetch-Site": "same-site" }],
    ["Sec-Fetch-Site none (typed into the address bar, a bookmark)", { "Sec-Fetch-Site": "none" }],
    ["an Origin of another scheme", { Origin: "https://frontend" }],
    ["the opaque origin null (a sandboxed frame, a data: page)", { Origin: "null" }],
    ["a same-origin claim with a foreign Origin", { Origin: "http://evil.example", "Sec-Fetch-Site": "same-origin" }],
  ])("refuses %s with 403, and the backend hears nothing", async (_case, headers) => {
    for (const send of unsafe) {
      const calls = stubBackend(() => Response.json({}));
      const response = await send({ ...session, ...headers });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { detail: string }).detail).toMatch(/^Refused: /);
      expect(response.headers.get("set-cookie")).toBeNull();
      expect(calls).toHaveLength(0);
    }
  });

  it.each([
    ["Sec-Fetch-Site same-origin", { "Sec-Fetch-Site": "same-origin" }],
    ["this origin in Origin (a browser without Fetch Metadata)", { Origin: "http://frontend" }],
    ["both", SAME_ORIGIN],
  ])("lets %s through", async (_case, headers) => {
    const calls = stubBackend(() => Response.json({}, { status: 201 }));
    const response = await POST(
      new Request("http://frontend/api/todo", { method: "POST", headers: { ...session, ...headers }, body: "{}" }),
    );
    expect(response.status).toBe(201);
    expect(calls).toHaveLength(1);
  });

  it("asks nothing of a bearer client, nor of safe methods", async () => {
    const calls = stubBackend(() => Response.json({}, { status: 201 }));
    const bearer = await POST(
      new Request("http://frontend/api/todo", { method: "POST", headers: { Authorization: "Bearer t" }, body: "{}" }),
    );
    expect(bearer.status).toBe(201);
    expect(calls[0]?.headers.get("authorization")).toBe("Bearer t");
    const read = await GET(new Request("http://frontend/api/todo", { headers: session }));
    expect(read.status).toBe(201);
  });
});
