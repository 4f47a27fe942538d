/**
 * The one module that talks to the backend.
 *
 * It wraps an `openapi-fetch` client typed by `schema.d.ts` (generated from
 * the backend's OpenAPI document by `npm run client:generate`), so paths,
 * parameters and bodies are checked by the compiler and no component builds a
 * URL by hand. In the browser every request goes to this site's `/api/*`,
 * which the Next.js server proxies to the backend.
 *
 * Each function returns plain data or throws an `ApiError`.
 */
import createClient, { type Middleware } from "openapi-fetch";

import { etagForVersion, versionFromEtag } from "@/lib/etag";
import { completedParamFor, type Filter } from "@/lib/filter";
import { nextCursorFromLink } from "@/lib/link";

import { ApiError, ConflictError, messageFromErrorBody, tooManyAttemptsMessage } from "./errors";
import type { paths } from "./schema";

type JsonResponse<Path extends keyof paths, Method extends keyof paths[Path], Status extends number> =
  paths[Path][Method] extends { responses: Record<Status, { content: { "application/json": infer Body } }> }
    ? Body
    : never;

export type Todo = JsonResponse<"/todo/{todo_id}", "get", 200>;
export type TodoStats = JsonResponse<"/todo/stats", "get", 200>;
export type User = JsonResponse<"/me", "get", 200>;
export interface TodoPage {
  todos: Todo[];
  /** Pass to `listTodos` to get the next page; null on the last page. */
  nextCursor: string | null;
}
export interface TodoChanges {
  title?: string;
  content?: string;
  completed?: boolean;
}

export interface ApiOptions {
  /** Where `/todo` etc. live: "/api" in the browser. */
  baseUrl: string;
  /** Current access token, or null when logged out. */
  getToken: () => string | null;
  /** Called once per 401 on an authenticated request (expired or revoked token). */
  onUnauthorized: () => void;
  fetch?: typeof globalThis.fetch;
}

/** Attaches the bearer token and reports 401s. */
function authMiddleware(options: ApiOptions): Middleware {
  return {
    onRequest({ request }) {
      const token = options.getToken();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
    onResponse({ request, response, schemaPath }) {
      // A 401 from the login form means "wrong password", not "session expired".
      if (response.status === 401 && schemaPath !== "/auth/login" && request.headers.has("Authorization")) {
        options.onUnauthorized();
      }
      return response;
    },
  };
}

/** Turns an openapi-fetch result into data, or throws an ApiError. */
function unwrap<T>(result: { data?: T; error?: unknown; response: Response }, fieldLabels?: Record<string, string>): T {
  const { data, error, response } = result;
  if (error !== undefined || !response.ok) {
    const message = messageFromErrorBody(response.status, error, fieldLabels);
    if (response.status === 412) throw new ConflictError(message);
    throw new ApiError(response.status, message);
  }
  return data as T;
}

/**
 * For calls that check a password: a 403 (wrong password) gets
 * `wrongPassword` as its message, a 429 (too many wrong ones) says when to
 * try again; anything else goes through `unwrap`.
 */
function unwrapPasswordCheck<T>(
  result: { data?: T; error?: unknown; response: Response },
  wrongPassword: string,
  fieldLabels?: Record<string, string>,
): T {
  const { status, headers } = result.response;
  if (status === 403) throw new ApiError(403, wrongPassword);
  if (status === 429) throw new ApiError(429, tooManyAttemptsMessage(headers.get("Retry-After")));
  return unwrap(result, fieldLabels);
}

/** Network failures (server down, offline) become ApiError(0, …). */
async function request<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(0, "Can't reach the server. Check your connection and try again.");
  }
}

export function createApi(options: ApiOptions) {
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch });
  client.use(authMiddleware(options));

  return {
    /** Exchanges a username and password for an access token. */
    login(username: string, password: string): Promise<string> {
      return request(async () => {
        const result = await client.POST("/auth/login", {
          body: { username, password },
          bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
        });
        if (result.response.status === 401) throw new ApiError(401, "Wrong username or password.");
        if (result.response.status === 429) {
          throw new ApiError(429, tooManyAttemptsMessage(result.response.headers.get("Retry-After")));
        }
        return unwrap(result).access_token;
      });
    },

    /** Creates an account. It does not log in: call `login` afterwards. */
    signup(name: string, password: string): Promise<User> {
      return request(async () => {
        const result = await client.POST("/auth/signup", { body: { name, password } });
        if (result.response.status === 409) throw new ApiError(409, "That username is taken. Pick another one.");
        return unwrap(result);
      });
    },

    me(): Promise<User> {
      return request(async () => unwrap(await client.GET("/me")));
    },

    /**
     * Sets a new password. Every token issued before, the current one
     * included, stops working; the returned token is this browser's new one
     * (store it to stay logged in here).
     */
    changePassword(currentPassword: string, newPassword: string): Promise<string> {
      return request(async () => {
        const result = await client.PUT("/me/password", {
          body: { current_password: currentPassword, new_password: newPassword },
        });
        return unwrapPasswordCheck(result, "Your current password is not correct.", {
          current_password: "Current password",
          new_password: "New password",
        }).access_token;
      });
    },

    /** Ends every session of the account, this one included. */
    logOutEverywhere(): Promise<void> {
      return request(async () => {
        unwrap(await client.POST("/me/logout-all"));
      });
    },

    /** Deletes the account and all of its todos, after checking its password. */
    deleteAccount(password: string): Promise<void> {
      return request(async () => {
        unwrapPasswordCheck(await client.DELETE("/me", { body: { password } }), "The password is not correct.");
      });
    },

    /** One page of the caller's todos, oldest first. */
    listTodos(query: { filter: Filter; cursor?: string | null; limit?: number }): Promise<TodoPage> {
      return request(async () => {
        const result = await client.GET("/todo", {
          params: {
            query: {
              completed: completedParamFor(query.filter),
              limit: query.limit,
              cursor: query.cursor ?? undefined,
            },
          },
        });
        const todos = unwrap(result);
        return { todos, nextCursor: nextCursorFromLink(result.response.headers.get("Link")) };
      });
    },

    /** The current server copy of a todo, e.g. after a 412. */
    getTodo(id: string): Promise<Todo> {
      return request(async () => unwrap(await client.GET("/todo/{todo_id}", { params: { path: { todo_id: id } } })));
    },

    stats(): Promise<TodoStats> {
      return request(async () => unwrap(await client.GET("/todo/stats")));
    },

    /**
     * Adds a todo. `idempotencyKey` makes a retried submission (after a
     * timeout, say) create the todo only once.
     */
    createTodo(todo: { title: string; content?: string }, idempotencyKey?: string): Promise<Todo> {
      return request(async () =>
        unwrap(
          await client.POST("/todo", {
            body: { title: todo.title, content: todo.content ?? "" },
            params: { header: { "idempotency-key": idempotencyKey } },
          }),
        ),
      );
    },

    /**
     * Changes some fields of a todo. With `expectedVersion`, the save only
     * succeeds if nobody changed the todo since that version; otherwise it
     * throws a ConflictError (HTTP 412).
     */
    updateTodo(id: string, changes: TodoChanges, expectedVersion?: number): Promise<Todo> {
      return request(async () => {
        const result = await client.PATCH("/todo/{todo_id}", {
          params: {
            path: { todo_id: id },
            header: { "if-match": expectedVersion === undefined ? undefined : etagForVersion(expectedVersion) },
          },
          body: changes,
        });
        const todo = unwrap(result);
        // The ETag and the body carry the same version; prefer the header if present.
        const version = versionFromEtag(result.response.headers.get("ETag"));
        return version === null ? todo : { ...todo, version };
      });
    },

    deleteTodo(id: string): Promise<void> {
      return request(async () => {
        unwrap(await client.DELETE("/todo/{todo_id}", { params: { path: { todo_id: id } } }));
      });
    },

    /** Deletes every completed todo; returns how many went. */
    clearCompleted(): Promise<number> {
      return request(async () => {
        const result = await client.DELETE("/todo", { params: { query: { completed: true } } });
        return unwrap(result).deleted;
      });
    },
  };
}

export type Api = ReturnType<typeof createApi>;
