import { describe, expect, it, vi } from "vitest";

import { CANNOT_EDIT, createApi, LIST_GONE } from "./client";
import { ApiError, ConflictError } from "./errors";

const TODO = {
  id: "6f1c1e52-9a4e-4c7a-9a51-2b1c1c1c1c1c",
  list_id: "0b6a4e8c-2f3d-4a7b-8c9d-1e2f3a4b5c6d",
  created_at: "2024-01-01T00:00:00Z",
  updated_at: "2024-01-01T00:00:00Z",
  title: "Note 1",
  content: "",
  completed: false,
  version: 1,
};

function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { "Content-Type": "application/json", ...init.headers },
  });
}

/** An API instance whose fetch answers with `respond` and records requests. */
function setup(respond: (request: Request) => Response, token: string | null = "jwt-token") {
  const requests: Request[] = [];
  const onUnauthorized = vi.fn();
  const api = createApi({
    baseUrl: "http://frontend.test/api",
    getToken: () => token,
    onUnauthorized,
    fetch: (input: RequestInfo | URL, init?: RequestInit) => {
      const request = input instanceof Request ? input : new Request(input, init);
      requests.push(request);
      return Promise.resolve(respond(request));
    },
  });
  return { api, requests, onUnauthorized };
}

describe("API client", () => {
  it("sends back the greatest consistency token it was given", async () => {
    const tokens = ["0000000003000148", "0000000003000100", null];
    let answered = 0;
    const { api, requests } = setup(() => {
      const token = tokens[answered++];
      return json({ id: "u", created_at: "2024-01-01T00:00:00Z", name: "user1" }, {
        headers: token ? { "X-Consistency-Token": token } : {},
      });
    });
    await api.me();
    await api.me();
    await api.me();
    await api.me();
    expect(requests.map((request) => request.headers.get("X-Consistency-Token"))).toEqual([
      null,
      "0000000003000148",
      "0000000003000148",
      "0000000003000148",
    ]);
  });

  it("sends an import file as it is, and returns the report", async () => {
    const report = { lists_created: 0, todos_imported: 1, problems: [], problems_not_shown: 0 };
    const { api, requests } = setup(() => json(report));
    const file = new Blob(['[{"title":"Buy milk"}]'], { type: "application/json" });
    expect(await api.importData("todomvc", file)).toEqual(report);
    expect(requests[0]?.url).toBe("http://frontend.test/api/me/import/todomvc");
    expect(requests[0]?.method).toBe("POST");
    expect(await requests[0]?.text()).toBe('[{"title":"Buy milk"}]');
    await api.importData("export", file);
    expect(requests[1]?.url).toBe("http://frontend.test/api/me/import");
  });

  it("lists, creates and revokes personal access tokens", async () => {
    const { api, requests } = setup((request) =>
      request.method === "DELETE" ? new Response(null, { status: 204 }) : json([], { status: 200 }),
    );
    expect(await api.listTokens()).toEqual([]);
    await api.revokeToken("t-1");
    expect(requests[1]?.url).toBe("http://frontend.test/api/me/tokens/t-1");
    expect(requests[1]?.method).toBe("DELETE");
  });

  it("sends the bearer token through /api", async () => {
    const { api, requests } = setup(() => json({ id: "u", created_at: "2024-01-01T00:00:00Z", name: "user1" }));
    expect((await api.me()).name).toBe("user1");
    expect(requests[0]?.url).toBe("http://frontend.test/api/me");
    expect(requests[0]?.headers.get("Authorization")).toBe("Bearer jwt-token");
  });

  it("logs in with a form-encoded body; the session comes back as a cookie (204), not in the body", async () => {
    const { api, requests } = setup(() => new Response(null, { status: 204 }), null);
    await expect(api.login("user1", "pass")).resolves.toBeUndefined();
    const request = requests[0];
    expect(request?.method).toBe("POST");
    expect(request?.headers.get("Content-Type")).toContain("application/x-www-form-urlencoded");
    expect(await request?.text()).toBe("username=user1&password=pass");
    expect(request?.headers.has("Authorization")).toBe(false);
  });

  it("treats a 401 at login as a wrong password, not an expired session", async () => {
    const { api, onUnauthorized } = setup(() => json({ detail: "Incorrect username or password" }, { status: 401 }), null);
    await expect(api.login("user1", "nope")).rejects.toMatchObject({ status: 401, message: "Wrong username or password." });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("reports a 401 on any authenticated request (expired token)", async () => {
    const { api, onUnauthorized } = setup(() =>
      json({ detail: "Could not validate credentials" }, { status: 401, headers: { "WWW-Authenticate": "Bearer" } }),
    );
    await expect(api.listTodos({ filter: "all" })).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("lists todos with the filter and returns the next cursor from Link", async () => {
    const { api, requests } = setup(() =>
      json([TODO], { headers: { Link: '<http://127.0.0.1:8000/todo?limit=20&cursor=NEXT%2B1>; rel="next"' } }),
    );
    const page = await api.listTodos({ filter: "active", limit: 20 });
    expect(page.todos).toEqual([TODO]);
    expect(page.nextCursor).toBe("NEXT+1");
    const url = new URL(requests[0]?.url ?? "");
    expect(url.pathname).toBe("/api/todo");
    expect(url.searchParams.get("completed")).toBe("false");
    expect(url.searchParams.get("limit")).toBe("20");
    expect(url.searchParams.has("cursor")).toBe(false);
  });

  it("passes the cursor back for the next page and ends without Link", async () => {
    const { api, requests } = setup(() => json([]));
    const page = await api.listTodos({ filter: "all", cursor: "NEXT+1" });
    expect(page.nextCursor).toBeNull();
    const url = new URL(requests[0]?.url ?? "");
    expect(url.searchParams.get("cursor")).toBe("NEXT+1");
    expect(url.searchParams.has("completed")).toBe(false);
  });

  it("sends If-Match with the version an edit started from", async () => {
    const { api, requests } = setup(() => json({ ...TODO, title: "New", version: 2 }, { headers: { ETag: '"2"' } }));
    const saved = await api.updateTodo(TODO.id, { title: "New" }, 1);
    expect(saved.version).toBe(2);
    expect(requests[0]?.method).toBe("PATCH");
    expect(requests[0]?.headers.get("If-Match")).toBe('"1"');
    expect(await requests[0]?.json()).toEqual({ title: "New" });
  });

  it("deletes with If-Match, and keepalive when asked (a page being left)", async () => {
    const { api, requests } = setup(() => json({}));
    await api.deleteTodo(TODO.id, { expectedVersion: 3, keepalive: true });
    expect(requests[0]?.method).toBe("DELETE");
    expect(requests[0]?.headers.get("If-Match")).toBe('"3"');
    expect(requests[0]?.keepalive).toBe(true);
  });

  it("words server failures for people and keeps the request id as the reference", async () => {
    const failing = setup(() =>
      new Response("Internal Server Error", { status: 500, headers: { "X-Request-ID": "req-123" } }),
    );
    await expect(failing.api.updateTodo(TODO.id, { completed: true })).rejects.toMatchObject({
      status: 500,
      message: "Something went wrong on our side. Try again in a moment.",
      reference: "req-123",
    });
    const unreachable = setup(() => json({ detail: "The backend is not reachable." }, { status: 502 }));
    await expect(unreachable.api.me()).rejects.toMatchObject({
      message: "The server can't be reached right now. Try again in a moment.",
    });
    const gone = setup(() => json({ detail: "Todo not found" }, { status: 404, headers: { "X-Request-ID": "req-9" } }));
    await expect(gone.api.deleteTodo(TODO.id)).rejects.toMatchObject({
      message: "That todo no longer exists: it was deleted somewhere else.",
      reference: null,
    });
    const busy = setup(() => json({ detail: "Rate limit exceeded" }, { status: 429, headers: { "Retry-After": "7" } }));
    await expect(busy.api.updateTodo(TODO.id, { completed: true })).rejects.toMatchObject({
      message: "Too many requests. Try again in 7 seconds.",
    });
  });

  it("turns a 412 into a ConflictError", async () => {
    const { api } = setup(() => json({ detail: "Precondition failed" }, { status: 412 }));
    await expect(api.updateTodo(TODO.id, { title: "x" }, 1)).rejects.toBeInstanceOf(ConflictError);
  });

  it("sends an Idempotency-Key when creating", async () => {
    const { api, requests } = setup(() => json(TODO, { status: 201, headers: { ETag: '"1"', Location: `/todo/${TODO.id}` } }));
    await api.createTodo({ title: "Note 1" }, { idempotencyKey: "key-1" });
    expect(requests[0]?.headers.get("Idempotency-Key")).toBe("key-1");
    expect(await requests[0]?.json()).toEqual({ title: "Note 1", content: "" });
  });

  it("explains 422 validation errors field by field", async () => {
    const { api } = setup(() =>
      json(
        { detail: [{ loc: ["body", "title"], msg: "String should have at most 200 characters", type: "string_too_long" }] },
        { status: 422 },
      ),
    );
    await expect(api.createTodo({ title: "x" })).rejects.toMatchObject({
      status: 422,
      message: "title: String should have at most 200 characters",
    });
  });

  it("reports a network failure as status 0", async () => {
    const api = createApi({
      baseUrl: "http://frontend.test/api",
      getToken: () => "t",
      onUnauthorized: () => undefined,
      fetch: () => Promise.reject(new TypeError("fetch failed")),
    });
    await expect(api.stats()).rejects.toMatchObject({ status: 0 });
  });

  it("says when to retry after too many wrong passwords at login", async () => {
    const { api } = setup(
      () => json({ detail: "Too many failed log-ins; try again in 300 s" }, { status: 429, headers: { "Retry-After": "300" } }),
      null,
    );
    await expect(api.login("user1", "nope")).rejects.toMatchObject({
      status: 429,
      message: "Too many wrong passwords. Try again in 5 minutes.",
    });
  });

  it("clears completed todos with DELETE /todo?completed=true", async () => {
    const { api, requests } = setup(() => json({ deleted: 2 }));
    expect(await api.clearCompleted()).toBe(2);
    expect(requests[0]?.method).toBe("DELETE");
    expect(new URL(requests[0]?.url ?? "").search).toBe("?completed=true");
  });
});

describe("API client: the account", () => {
  it("changes the password with PUT /me/password (the fresh session comes back as a cookie)", async () => {
    const { api, requests, onUnauthorized } = setup(() => new Response(null, { status: 204 }));
    await expect(api.changePassword("old-password", "new-password")).resolves.toBeUndefined();
    const request = requests[0];
    expect(request?.method).toBe("PUT");
    expect(request?.url).toBe("http://frontend.test/api/me/password");
    expect(request?.headers.get("Authorization")).toBe("Bearer jwt-token");
    expect(request?.headers.get("Content-Type")).toContain("application/json");
    expect(await request?.json()).toEqual({ current_password: "old-password", new_password: "new-password" });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("reports a wrong current password (403) as such, not as an expired session", async () => {
    const { api, onUnauthorized } = setup(() => json({ detail: "The password is not correct" }, { status: 403 }));
    await expect(api.changePassword("wrong", "new-password")).rejects.toMatchObject({
      status: 403,
      message: "Your current password is not correct.",
    });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it("names the form's field in a 422 for the new password", async () => {
    const { api } = setup(() =>
      json(
        { detail: [{ loc: ["body", "new_password"], msg: "String should have at least 8 characters", type: "string_too_short" }] },
        { status: 422 },
      ),
    );
    await expect(api.changePassword("old-password", "short")).rejects.toMatchObject({
      status: 422,
      message: "New password: String should have at least 8 characters",
    });
  });

  it("turns a 429 into a message with the Retry-After wait", async () => {
    const { api } = setup(() =>
      json({ detail: "Too many failed log-ins; try again in 42 s" }, { status: 429, headers: { "Retry-After": "42" } }),
    );
    await expect(api.changePassword("wrong", "new-password")).rejects.toMatchObject({
      status: 429,
      message: "Too many wrong passwords. Try again in 42 seconds.",
    });
    await expect(api.deleteAccount("wrong")).rejects.toMatchObject({ status: 429 });
  });

  it("signs out everywhere with POST /me/logout-all (204, no body)", async () => {
    const { api, requests } = setup(() => new Response(null, { status: 204 }));
    await expect(api.logOutEverywhere()).resolves.toBeUndefined();
    expect(requests[0]?.method).toBe("POST");
    expect(requests[0]?.url).toBe("http://frontend.test/api/me/logout-all");
    expect(requests[0]?.headers.get("Authorization")).toBe("Bearer jwt-token");
  });

  it("deletes the account with DELETE /me and the password in the body", async () => {
    const { api, requests } = setup(() => new Response(null, { status: 204 }));
    await expect(api.deleteAccount("my-password")).resolves.toBeUndefined();
    expect(requests[0]?.method).toBe("DELETE");
    expect(requests[0]?.url).toBe("http://frontend.test/api/me");
    expect(await requests[0]?.json()).toEqual({ password: "my-password" });
  });

  it("refuses a deletion with the wrong password (403)", async () => {
    const { api } = setup(() => json({ detail: "The password is not correct" }, { status: 403 }));
    await expect(api.deleteAccount("wrong")).rejects.toMatchObject({ status: 403, message: "The password is not correct." });
  });

  it("logs out with POST /api/auth/logout (the proxy clears the cookie)", async () => {
    const { api, requests } = setup(() => new Response(null, { status: 204 }), null);
    await api.logOut();
    expect(requests[0]?.method).toBe("POST");
    expect(requests[0]?.url).toBe("http://frontend.test/api/auth/logout");
  });

  it("treats a 401 on an account call as a revoked session", async () => {
    const { api, onUnauthorized } = setup(() => json({ detail: "Could not validate credentials" }, { status: 401 }));
    await expect(api.logOutEverywhere()).rejects.toMatchObject({ status: 401 });
    await expect(api.changePassword("a", "new-password")).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(2);
  });
});

describe("API client: lists", () => {
  const LIST = { id: "list-1", name: "Groceries", role: "editor", personal: false, created_at: "2024-01-01T00:00:00Z" };

  it("reads the caller's lists with GET /lists", async () => {
    const { api, requests } = setup(() => json([LIST]));
    expect(await api.lists()).toEqual([LIST]);
    expect(requests[0]?.url).toBe("http://frontend.test/api/lists");
    expect(requests[0]?.headers.get("Authorization")).toBe("Bearer jwt-token");
  });

  it("pages through a list's todos at /lists/{id}/todos, like /todo", async () => {
    const { api, requests } = setup(() =>
      json([TODO], { headers: { Link: '<http://127.0.0.1:8000/lists/list-1/todos?limit=20&cursor=C2>; rel="next"' } }),
    );
    const page = await api.listTodos({ listId: "list-1", filter: "completed", limit: 20 });
    expect(page.nextCursor).toBe("C2");
    const url = new URL(requests[0]?.url ?? "");
    expect(url.pathname).toBe("/api/lists/list-1/todos");
    expect(url.searchParams.get("completed")).toBe("true");
  });

  it("adds, counts and clears in a list; without a list id it is the personal /todo", async () => {
    const { api, requests } = setup((request) =>
      request.url.endsWith("/stats")
        ? json({ total: 2, active: 1, completed: 1 })
        : request.method === "DELETE"
          ? json({ deleted: 1 })
          : json(TODO, { status: 201 }),
    );
    await api.createTodo({ title: "Milk" }, { listId: "list-1", idempotencyKey: "k-1" });
    expect(await api.stats("list-1")).toEqual({ total: 2, active: 1, completed: 1 });
    expect(await api.clearCompleted("list-1")).toBe(1);
    await api.stats();
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`)).toEqual([
      "POST /api/lists/list-1/todos",
      "GET /api/lists/list-1/todos/stats",
      "DELETE /api/lists/list-1/todos?completed=true",
      "GET /api/todo/stats",
    ]);
    expect(requests[0]?.headers.get("Idempotency-Key")).toBe("k-1");
  });

  it("explains a viewer's 403 and a list's 404 in words for people", async () => {
    const forbidden = setup(() => json({ detail: "This needs the editor role in the list; you are a viewer" }, { status: 403 }));
    await expect(forbidden.api.createTodo({ title: "x" }, { listId: "list-1" })).rejects.toMatchObject({
      status: 403,
      message: CANNOT_EDIT,
    });
    await expect(forbidden.api.updateTodo(TODO.id, { completed: true })).rejects.toMatchObject({ message: CANNOT_EDIT });
    expect(forbidden.onUnauthorized).not.toHaveBeenCalled();

    const gone = setup(() => json({ detail: "List not found" }, { status: 404 }));
    await expect(gone.api.listTodos({ listId: "list-1", filter: "all" })).rejects.toMatchObject({
      status: 404,
      message: LIST_GONE,
    });
  });

  it("creates, renames and deletes lists", async () => {
    const { api, requests } = setup((request) =>
      request.method === "DELETE" ? json({}) : json({ ...LIST, role: "owner" }, { status: request.method === "POST" ? 201 : 200 }),
    );
    expect((await api.createList("Groceries")).role).toBe("owner");
    await api.renameList("list-1", "Food");
    await api.deleteList("list-1");
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      "POST /api/lists",
      "PATCH /api/lists/list-1",
      "DELETE /api/lists/list-1",
    ]);
    expect(await requests[0]?.json()).toEqual({ name: "Groceries" });
    expect(await requests[1]?.json()).toEqual({ name: "Food" });
  });

  it("keeps the backend's sentence for a 409 on creating (it names the limit)", async () => {
    const { api } = setup(() => json({ detail: "An account may own at most 100 lists; delete one first" }, { status: 409 }));
    await expect(api.createList("One too many")).rejects.toMatchObject({
      status: 409,
      message: "An account may own at most 100 lists; delete one first",
    });
  });
});

describe("API client: members", () => {
  it("reads the members of a list", async () => {
    const { api, requests } = setup(() => json([{ name: "ann", role: "owner" }]));
    expect(await api.members("list-1")).toEqual([{ name: "ann", role: "owner" }]);
    expect(new URL(requests[0]?.url ?? "").pathname).toBe("/api/lists/list-1/members");
  });

  it("adds or changes a member with PUT /lists/{id}/members/{name}", async () => {
    const { api, requests } = setup(() => json({ name: "bob", role: "viewer" }));
    expect(await api.setMemberRole("list-1", "bob", "viewer")).toEqual({ name: "bob", role: "viewer" });
    expect(requests[0]?.method).toBe("PUT");
    expect(new URL(requests[0]?.url ?? "").pathname).toBe("/api/lists/list-1/members/bob");
    expect(await requests[0]?.json()).toEqual({ role: "viewer" });
  });

  it("says 'No account with that name.' for an unknown user, and passes on the last-owner 409", async () => {
    const unknown = setup(() => json({ detail: "No account has that name" }, { status: 404 }));
    await expect(unknown.api.setMemberRole("list-1", "nobody", "editor")).rejects.toMatchObject({
      status: 404,
      message: "No account with that name.",
    });
    const lastOwner = setup(() =>
      json({ detail: "A list must keep an owner: make another member an owner first" }, { status: 409 }),
    );
    await expect(lastOwner.api.removeMember("list-1", "ann")).rejects.toMatchObject({
      status: 409,
      message: "A list must keep an owner: make another member an owner first",
    });
  });

  it("removes a member (or leaves) with DELETE /lists/{id}/members/{name}", async () => {
    const { api, requests } = setup(() => json({}));
    await api.removeMember("list-1", "bob");
    expect(requests[0]?.method).toBe("DELETE");
    expect(new URL(requests[0]?.url ?? "").pathname).toBe("/api/lists/list-1/members/bob");
  });
});
