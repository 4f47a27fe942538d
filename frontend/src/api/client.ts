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
import { slowRequests, type SlowRequests } from "@/lib/slow-requests";

import { ApiError, ConflictError, messageFromErrorBody, NETWORK_DOWN, tooManyAttemptsMessage } from "./errors";
import type { paths } from "./schema";

type JsonResponse<Path extends keyof paths, Method extends keyof paths[Path], Status extends number> =
  paths[Path][Method] extends { responses: Record<Status, { content: { "application/json": infer Body } }> }
    ? Body
    : never;

export type Todo = JsonResponse<"/todo/{todo_id}", "get", 200>;
export type TodoStats = JsonResponse<"/todo/stats", "get", 200>;
/** An IANA time zone name the server knows (its tz database's). */
export type TimeZone = NonNullable<
  NonNullable<paths["/todo/{todo_id}"]["patch"]["requestBody"]>["content"]["application/json"]["due_zone"]
>;
export type User = JsonResponse<"/me", "get", 200>;
/** A todo a search found: the todo, its list's name, and its title and snippet as marked segments. */
export type SearchHit = JsonResponse<"/todo/search", "get", 200>[number];
/** A piece of a found title or snippet; `match` marks a word the query found. */
export type Segment = SearchHit["title"][number];
/** A list as the caller sees it: `role` is the caller's own role in it. */
export type ListInfo = JsonResponse<"/lists/{list_id}", "get", 200>;
/** "viewer" | "editor" | "owner". */
export type Role = ListInfo["role"];
export type Member = JsonResponse<"/lists/{list_id}/members", "get", 200>[number];
/** An open invitation to a list: in the invitee's inbox, and pending for the list's owners. */
export type Invitation = JsonResponse<"/me/invitations", "get", 200>[number];
/** What sharing with someone did: changed a member's role, or invited a newcomer. */
export type Shared = { member: Member; invitation?: undefined } | { invitation: Invitation; member?: undefined };
/** A personal access token as listed (never its secret). */
export type ShareLink = JsonResponse<"/lists/{list_id}/share-links", "get", 200>[number];
/** A share link just made: with its secret, shown this once. */
export type NewShareLink = JsonResponse<"/lists/{list_id}/share-links", "post", 201>;
export type ShareLinkOptions = NonNullable<
  paths["/lists/{list_id}/share-links"]["post"]["requestBody"]
>["content"]["application/json"];
export type JoinedByLink = JsonResponse<"/share-links/join", "post", 200>;

export type AccessToken = JsonResponse<"/me/tokens", "get", 200>[number];
/** A new token, with its secret: shown once. */
export type CreatedToken = JsonResponse<"/me/tokens", "post", 201>;
/** One page of signed-in devices (sessions), newest first. */
export type DevicePage = JsonResponse<"/me/sessions", "get", 200>;
export type Device = DevicePage["items"][number];
export type NewToken = NonNullable<paths["/me/tokens"]["post"]["requestBody"]>["content"]["application/json"];
/** A webhook endpoint as its owner sees it (never its secret). */
export type Webhook = JsonResponse<"/webhooks", "get", 200>[number];
/** An endpoint with its signing secret: when created or rotated, shown once. */
export type WebhookWithSecret = JsonResponse<"/webhooks", "post", 201>;
export type NewWebhook = NonNullable<paths["/webhooks"]["post"]["requestBody"]>["content"]["application/json"];
export type WebhookChanges = NonNullable<
  paths["/webhooks/{endpoint_id}"]["patch"]["requestBody"]
>["content"]["application/json"];
/** One message to an endpoint and how sending it went. */
export type WebhookDelivery = JsonResponse<"/webhooks/{endpoint_id}/deliveries", "get", 200>[number];
/** What an import did: counts, and each row it skipped. */
export type ImportReport = JsonResponse<"/me/import", "post", 200>;
/** Which file an import reads: this app's export, or TodoMVC's localStorage JSON. */
export type ImportKind = "export" | "todomvc";
export interface TodoPage {
  todos: Todo[];
  /** Pass to `listTodos` to get the next page; null on the last page. */
  nextCursor: string | null;
}
/**
 * Which list a todo call works on: a list's id, or nothing for the caller's
 * personal list (the original `/todo` endpoints, which always mean it).
 */
export type ListId = string | undefined;

export interface TodoChanges {
  title?: string;
  content?: string;
  completed?: boolean;
  /** Reorders: just after this todo of the list (null: first). Not with `before`. */
  after?: string | null;
  /** Reorders: just before this todo of the list (null: last). Not with `after`. */
  before?: string | null;
  /** A due date (YYYY-MM-DD) with its zone, and a time (HH:MM) unless all day; null clears it. */
  due_date?: string | null;
  due_time?: string | null;
  due_zone?: TimeZone;
}

export interface ApiOptions {
  /** Where `/todo` etc. live: "/api" in the browser. */
  baseUrl: string;
  /**
   * A bearer token to send, for clients that hold one. The browser does not:
   * its session is an HttpOnly cookie the /api/* proxy turns into the
   * Authorization header (docs/security.md).
   */
  getToken?: () => string | null;
  /** Called once per 401 on an authenticated request (expired or revoked session). */
  onUnauthorized: () => void;
  fetch?: typeof globalThis.fetch;
}

/** Attaches the bearer token and reports 401s. */
function authMiddleware(options: ApiOptions): Middleware {
  return {
    onRequest({ request }) {
      const token = options.getToken?.();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      return request;
    },
    onResponse({ response, schemaPath }) {
      // A 401 from the login form means "wrong password", not "session expired";
      // sign-up needs no session.
      if (response.status === 401 && schemaPath !== "/auth/login" && schemaPath !== "/auth/signup") {
        options.onUnauthorized();
      }
      return response;
    },
  };
}

/**
 * Read-your-writes where the backend reads from replicas: a response to a
 * write carries `X-Consistency-Token`; every later request sends the greatest
 * one this client was given (tokens sort as strings), so its reads include
 * the user's own writes even on a replica that lags (docs/architecture.md).
 * Without replicas the backend issues none and this does nothing.
 */
export function consistencyMiddleware(): Middleware {
  let newest: string | null = null;
  return {
    onRequest({ request }) {
      if (newest !== null) request.headers.set("X-Consistency-Token", newest);
      return request;
    },
    onResponse({ response }) {
      const token = response.headers.get("X-Consistency-Token");
      if (token !== null && (newest === null || token > newest)) newest = token;
      return response;
    },
  };
}

/** Tells `tracker` when each request starts and when it ends, answered or failed. */
export function slowRequestMiddleware(tracker: SlowRequests = slowRequests): Middleware {
  return {
    onRequest({ id }) {
      tracker.started(id);
    },
    onResponse({ id, response }) {
      tracker.ended(id);
      return response;
    },
    onError({ id }) {
      tracker.ended(id);
    },
  };
}

/** Our own words for some statuses of one call, e.g. `{ 404: "No account with that name." }`. */
type StatusMessages = Partial<Record<number, string>>;

/**
 * Turns an openapi-fetch result into data, or throws an ApiError whose
 * message is `messages[status]` when given, else one for people chosen by
 * status (`messageFromErrorBody`). A server failure (5xx) carries the
 * request's id.
 */
function unwrap<T>(
  result: { data?: T; error?: unknown; response: Response },
  fieldLabels?: Record<string, string>,
  messages: StatusMessages = {},
): T {
  const { data, error, response } = result;
  if (error !== undefined || !response.ok) {
    const { status, headers } = response;
    const message =
      messages[status] ?? messageFromErrorBody(status, error, { fieldLabels, retryAfter: headers.get("Retry-After") });
    if (status === 412) throw new ConflictError(message);
    throw new ApiError(status, message, status >= 500 ? headers.get("X-Request-ID") : null);
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

/** A 404 on a list: deleted, or the caller was removed from it (the two look alike on purpose). */
export const LIST_GONE = "This list no longer exists, or you are no longer a member of it.";
/** A 403 on a todo change: the caller's role in the list is "viewer". */
export const CANNOT_EDIT = "You can only view this list, so that change was not saved. Ask an owner to make you an editor.";
const LIST_NAME_LABELS = { name: "List name" };

/** Network failures (server down, offline) become ApiError(0, …). */
async function request<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(0, NETWORK_DOWN);
  }
}

export function createApi(options: ApiOptions) {
  const client = createClient<paths>({ baseUrl: options.baseUrl, fetch: options.fetch });
  client.use(authMiddleware(options), consistencyMiddleware(), slowRequestMiddleware());

  return {
    /**
     * Logs in with a username and password. Through the browser's /api/*
     * proxy the session comes back as an HttpOnly cookie (answer 204): no
     * script ever sees the token.
     */
    login(username: string, password: string): Promise<void> {
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
        unwrap(result);
      });
    },

    /** Ends this browser's session: the backend ends it, the /api/* proxy clears its cookie. */
    logOut(): Promise<void> {
      return request(async () => {
        const response = await (options.fetch ?? globalThis.fetch)(`${options.baseUrl}/auth/logout`, {
          method: "POST",
        });
        if (!response.ok) throw new ApiError(response.status, messageFromErrorBody(response.status, undefined));
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
     * Sets a new password. Every other signed-in device is signed out; this
     * browser stays signed in (its cookie gets a fresh token for its session).
     */
    changePassword(currentPassword: string, newPassword: string): Promise<void> {
      return request(async () => {
        const result = await client.PUT("/me/password", {
          body: { current_password: currentPassword, new_password: newPassword },
        });
        unwrapPasswordCheck(result, "Your current password is not correct.", {
          current_password: "Current password",
          new_password: "New password",
        });
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

    /** A page of the account's signed-in devices, newest first; `cursor` is the previous page's `next_cursor`. */
    listDevices(cursor?: string): Promise<DevicePage> {
      return request(async () =>
        unwrap(await client.GET("/me/sessions", { params: { query: cursor ? { cursor } : {} } })),
      );
    },

    /** Signs one device out: its next request is refused and its live stream ends. */
    signOutDevice(sessionId: string): Promise<void> {
      return request(async () => {
        const result = await client.DELETE("/me/sessions/{session_id}", {
          params: { path: { session_id: sessionId } },
        });
        if (result.response.status === 404) return; // already signed out: what was asked for
        unwrap(result);
      });
    },

    /** Signs out every device but this one. */
    signOutOtherDevices(): Promise<void> {
      return request(async () => {
        unwrap(await client.POST("/me/sessions/revoke-others"));
      });
    },

    /** The account's personal access tokens, newest first. */
    listTokens(): Promise<AccessToken[]> {
      return request(async () => unwrap(await client.GET("/me/tokens")));
    },

    /** Creates a personal access token; its `secret` is in this answer only. */
    createToken(token: NewToken): Promise<CreatedToken> {
      return request(async () =>
        unwrap(await client.POST("/me/tokens", { body: token }), { name: "Name", list_ids: "Lists" }, {
          404: "One of the chosen lists no longer exists, or you are no longer a member of it.",
        }),
      );
    },

    /** Revokes a token: its next request is refused. */
    revokeToken(tokenId: string): Promise<void> {
      return request(async () => {
        const result = await client.DELETE("/me/tokens/{token_id}", { params: { path: { token_id: tokenId } } });
        if (result.response.status === 404) return; // already gone: what was asked for
        unwrap(result);
      });
    },

    /** The account's webhook endpoints, oldest first. */
    listWebhooks(): Promise<Webhook[]> {
      return request(async () => unwrap(await client.GET("/webhooks")));
    },

    /** Registers an endpoint; its `secret` is in this answer only. */
    createWebhook(webhook: NewWebhook): Promise<WebhookWithSecret> {
      return request(async () =>
        unwrap(
          await client.POST("/webhooks", { body: webhook }),
          { url: "URL", event_types: "Events", list_id: "List" },
          { 404: "That list no longer exists, or you are no longer a member of it." },
        ),
      );
    },

    /** Changes an endpoint: its URL, its events, or whether it is enabled. */
    updateWebhook(endpointId: string, changes: WebhookChanges): Promise<Webhook> {
      return request(async () =>
        unwrap(
          await client.PATCH("/webhooks/{endpoint_id}", {
            params: { path: { endpoint_id: endpointId } },
            body: changes,
          }),
          { url: "URL", event_types: "Events" },
        ),
      );
    },

    /** A new signing secret (the previous one signs too for a day); shown once. */
    rotateWebhookSecret(endpointId: string): Promise<WebhookWithSecret> {
      return request(async () =>
        unwrap(
          await client.POST("/webhooks/{endpoint_id}/rotate-secret", {
            params: { path: { endpoint_id: endpointId } },
          }),
        ),
      );
    },

    /** Deletes an endpoint and its delivery log. */
    deleteWebhook(endpointId: string): Promise<void> {
      return request(async () => {
        const result = await client.DELETE("/webhooks/{endpoint_id}", {
          params: { path: { endpoint_id: endpointId } },
        });
        if (result.response.status === 404) return; // already gone: what was asked for
        unwrap(result);
      });
    },

    /** An endpoint's latest deliveries, newest first. */
    webhookDeliveries(endpointId: string): Promise<WebhookDelivery[]> {
      return request(async () =>
        unwrap(
          await client.GET("/webhooks/{endpoint_id}/deliveries", {
            params: { path: { endpoint_id: endpointId } },
          }),
        ),
      );
    },

    /** Queues a delivery's message again, after the endpoint's others. */
    sendWebhookAgain(endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
      return request(async () =>
        unwrap(
          await client.POST("/webhooks/{endpoint_id}/deliveries/{delivery_id}/send-again", {
            params: { path: { endpoint_id: endpointId, delivery_id: deliveryId } },
          }),
        ),
      );
    },

    /** Everything the account owns or is a member of, as the export file's bytes. */
    exportData(): Promise<Blob> {
      return request(async () => unwrap(await client.GET("/me/export", { parseAs: "blob" })));
    },

    /**
     * Imports a file as it is (the server checks it: a bad row is reported in
     * the answer, a bad file is an error whose message says why).
     */
    importData(kind: ImportKind, file: Blob): Promise<ImportReport> {
      return request(async () => {
        // The file goes as it is: the server, not this client, checks it row by row.
        const options = {
          body: file as never,
          bodySerializer: () => file,
          headers: { "Content-Type": "application/json" },
        };
        const result =
          kind === "export"
            ? await client.POST("/me/import", options)
            : await client.POST("/me/import/todomvc", options);
        return unwrap(result, undefined, { 413: "That file is too large to import." });
      });
    },

    /** One page of a list's todos (the personal list without `listId`), oldest first. */
    listTodos(query: { listId?: ListId; filter: Filter; cursor?: string | null; limit?: number }): Promise<TodoPage> {
      return request(async () => {
        const filterAndPage = {
          completed: completedParamFor(query.filter),
          limit: query.limit,
          cursor: query.cursor ?? undefined,
        };
        const result =
          query.listId === undefined
            ? await client.GET("/todo", { params: { query: filterAndPage } })
            : await client.GET("/lists/{list_id}/todos", {
                params: { path: { list_id: query.listId }, query: filterAndPage },
              });
        const todos = unwrap(result, undefined, { 404: LIST_GONE });
        return { todos, nextCursor: nextCursorFromLink(result.response.headers.get("Link")) };
      });
    },

    /**
     * One page of the todos due in every list the caller can see, soonest first:
     * the Today, Upcoming or Overdue view, "today" in `timeZone`.
     */
    listDueTodos(query: { view: "today" | "upcoming" | "overdue"; timeZone: TimeZone; cursor?: string | null }): Promise<TodoPage> {
      return request(async () => {
        const result = await client.GET("/todo/due", {
          params: { query: { view: query.view, time_zone: query.timeZone, cursor: query.cursor ?? undefined } },
        });
        const todos = unwrap(result);
        return { todos, nextCursor: nextCursorFromLink(result.response.headers.get("Link")) };
      });
    },

    /** The best matches for `q` in every list the caller can see (GET /todo/search). */
    searchTodos(q: string): Promise<SearchHit[]> {
      return request(async () => unwrap(await client.GET("/todo/search", { params: { query: { q } } })));
    },

    /** The current server copy of a todo, e.g. after a 412. */
    getTodo(id: string): Promise<Todo> {
      return request(async () => unwrap(await client.GET("/todo/{todo_id}", { params: { path: { todo_id: id } } })));
    },

    /** How many todos a list (the personal list without `listId`) has: total, active, completed. */
    stats(listId?: ListId): Promise<TodoStats> {
      return request(async () =>
        unwrap(
          listId === undefined
            ? await client.GET("/todo/stats")
            : await client.GET("/lists/{list_id}/todos/stats", { params: { path: { list_id: listId } } }),
          undefined,
          { 404: LIST_GONE },
        ),
      );
    },

    /**
     * Adds a todo to a list (the personal list without `listId`).
     * `idempotencyKey` makes a retried submission (after a timeout, say)
     * create the todo only once.
     */
    createTodo(
      todo: { title: string; content?: string },
      options: { idempotencyKey?: string; listId?: ListId } = {},
    ): Promise<Todo> {
      return request(async () => {
        const body = { title: todo.title, content: todo.content ?? "" };
        const header = { "idempotency-key": options.idempotencyKey };
        const result =
          options.listId === undefined
            ? await client.POST("/todo", { body, params: { header } })
            : await client.POST("/lists/{list_id}/todos", { body, params: { header, path: { list_id: options.listId } } });
        return unwrap(result, undefined, { 403: CANNOT_EDIT, 404: LIST_GONE });
      });
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
        const todo = unwrap(result, undefined, { 403: CANNOT_EDIT });
        // The ETag and the body carry the same version; prefer the header if present.
        const version = versionFromEtag(result.response.headers.get("ETag"));
        return version === null ? todo : { ...todo, version };
      });
    },

    /**
     * Deletes a todo. With `expectedVersion`, only if nobody changed it since
     * (else a ConflictError, HTTP 412). `keepalive` lets the request outlive
     * the page (sent while it is being closed or left).
     */
    deleteTodo(id: string, { expectedVersion, keepalive }: { expectedVersion?: number; keepalive?: boolean } = {}): Promise<void> {
      return request(async () => {
        const result = await client.DELETE("/todo/{todo_id}", {
          params: {
            path: { todo_id: id },
            header: { "if-match": expectedVersion === undefined ? undefined : etagForVersion(expectedVersion) },
          },
          keepalive,
        });
        unwrap(result, undefined, { 403: CANNOT_EDIT });
      });
    },

    /** Deletes every completed todo of a list (the personal list without `listId`); returns how many went. */
    clearCompleted(listId?: ListId): Promise<number> {
      return request(async () => {
        const query = { completed: true } as const;
        const result =
          listId === undefined
            ? await client.DELETE("/todo", { params: { query } })
            : await client.DELETE("/lists/{list_id}/todos", { params: { query, path: { list_id: listId } } });
        return unwrap(result, undefined, { 403: CANNOT_EDIT, 404: LIST_GONE }).deleted;
      });
    },

    // ---- lists ----

    /** The caller's lists: the personal one first, then by name. */
    lists(): Promise<ListInfo[]> {
      return request(async () => unwrap(await client.GET("/lists")));
    },

    /** Creates a list owned by the caller (409 when they own as many as allowed: the backend says how many). */
    createList(name: string): Promise<ListInfo> {
      return request(async () => unwrap(await client.POST("/lists", { body: { name } }), LIST_NAME_LABELS));
    },

    renameList(listId: string, name: string): Promise<ListInfo> {
      return request(async () =>
        unwrap(
          await client.PATCH("/lists/{list_id}", { params: { path: { list_id: listId } }, body: { name } }),
          LIST_NAME_LABELS,
          { 403: "Only an owner can rename this list.", 404: LIST_GONE },
        ),
      );
    },

    /** Deletes a list and every todo in it (owners only; never the personal list). */
    deleteList(listId: string): Promise<void> {
      return request(async () => {
        unwrap(await client.DELETE("/lists/{list_id}", { params: { path: { list_id: listId } } }), undefined, {
          403: "Only an owner can delete this list.",
          404: LIST_GONE,
          409: "Your personal list can't be deleted.",
        });
      });
    },

    // ---- members ----

    /** Who is in a list and with which role, owners first. */
    members(listId: string): Promise<Member[]> {
      return request(async () =>
        unwrap(await client.GET("/lists/{list_id}/members", { params: { path: { list_id: listId } } }), undefined, {
          404: LIST_GONE,
        }),
      );
    },

    /**
     * Adds the user `name` to a list with `role`, or changes their role
     * (owners only). A 409 (the last owner would go, too many members) keeps
     * the backend's sentence, which says which.
     */
    setMemberRole(listId: string, name: string, role: Role): Promise<Member> {
      return request(async () =>
        unwrap(
          await client.PUT("/lists/{list_id}/members/{name}", {
            params: { path: { list_id: listId, name } },
            body: { role },
          }),
          undefined,
          {
            403: "Only an owner can change who is in this list.",
            404: "No account with that name.",
            422: "No account with that name.",
          },
        ),
      );
    },

    /**
     * Shares a list with the user `name` (owners only): a member's role
     * changes at once (200); anyone else is invited with `role` (202) and
     * becomes a member when they accept. 429/409 keep the backend's sentence
     * (too many invitations lately, or open on this list).
     */
    share(listId: string, name: string, role: Role): Promise<Shared> {
      return request(async () => {
        const result = await client.PUT("/lists/{list_id}/members/{name}", {
          params: { path: { list_id: listId, name } },
          body: { role },
        });
        const body = unwrap(result, undefined, {
          403: "Only an owner can change who is in this list.",
          404: "No account with that name.",
          422: "No account with that name.",
        });
        return result.response.status === 202 ? { invitation: body as Invitation } : { member: body };
      });
    },

    /** A list's open invitations (owners only), newest first. */
    listInvitations(listId: string): Promise<Invitation[]> {
      return request(async () =>
        unwrap(await client.GET("/lists/{list_id}/invitations", { params: { path: { list_id: listId } } }), undefined, {
          404: LIST_GONE,
        }),
      );
    },

    /** Cancels an open invitation (owners only). 409: it was answered or expired meanwhile. */
    cancelInvitation(listId: string, invitationId: string): Promise<void> {
      return request(async () => {
        unwrap(
          await client.DELETE("/lists/{list_id}/invitations/{invitation_id}", {
            params: { path: { list_id: listId, invitation_id: invitationId } },
          }),
          undefined,
          { 404: "That invitation is gone.", 409: "That invitation was already answered or has expired." },
        );
      });
    },

    /** The caller's open invitations, newest first. */
    inbox(): Promise<Invitation[]> {
      return request(async () => unwrap(await client.GET("/me/invitations")));
    },

    /** Accepts an invitation: resolves to the list the caller now belongs to. */
    acceptInvitation(invitationId: string): Promise<ListInfo> {
      return request(async () =>
        unwrap(
          await client.POST("/me/invitations/{invitation_id}/accept", {
            params: { path: { invitation_id: invitationId } },
          }),
          undefined,
          { 404: "That invitation is gone." },
        ),
      );
    },

    /** Declines an invitation. */
    declineInvitation(invitationId: string): Promise<void> {
      return request(async () => {
        unwrap(
          await client.POST("/me/invitations/{invitation_id}/decline", {
            params: { path: { invitation_id: invitationId } },
          }),
          undefined,
          { 404: "That invitation is gone." },
        );
      });
    },

    /** A list's share links (owners only), newest first, without their secrets. */
    listShareLinks(listId: string): Promise<ShareLink[]> {
      return request(async () =>
        unwrap(await client.GET("/lists/{list_id}/share-links", { params: { path: { list_id: listId } } }), undefined, {
          404: LIST_GONE,
        }),
      );
    },

    /** Makes a share link (owners only); its `secret` is in this answer only. */
    createShareLink(listId: string, options: ShareLinkOptions): Promise<NewShareLink> {
      return request(async () =>
        unwrap(
          await client.POST("/lists/{list_id}/share-links", {
            params: { path: { list_id: listId } },
            body: options,
          }),
          undefined,
          { 403: "Only an owner can make share links.", 404: LIST_GONE },
        ),
      );
    },

    /** Revokes a share link (owners only): it joins nobody from now on. */
    revokeShareLink(listId: string, linkId: string): Promise<void> {
      return request(async () => {
        unwrap(
          await client.DELETE("/lists/{list_id}/share-links/{link_id}", {
            params: { path: { list_id: listId, link_id: linkId } },
          }),
          undefined,
          { 404: "That link was already revoked." },
        );
      });
    },

    /**
     * Joins a list through a share link. The secret goes in the body, never
     * in a URL (docs/security.md, "Share links"). 404: revoked, expired, used
     * up or never valid (one answer for all); 429 keeps the backend's sentence.
     */
    joinShareLink(secret: string): Promise<JoinedByLink> {
      return request(async () =>
        unwrap(await client.POST("/share-links/join", { body: { secret } }), undefined, {
          404: "This link does not work any more: it was revoked, it expired or it was used up. Ask the list's owner for a new one.",
          422: "This link is incomplete: copy the whole link and open it again.",
        }),
      );
    },

    /** Blocks the account `name`: its invitations no longer reach the caller (it is not told). */
    blockAccount(name: string): Promise<void> {
      return request(async () => {
        const result = await client.PUT("/me/blocks/{name}", { params: { path: { name } } });
        if (!result.response.ok) unwrap(result, undefined, { 404: "No account with that name." });
      });
    },

    /**
     * Removes `name` from a list: an owner removing anyone, or a member
     * leaving (their own name). 409: the last owner cannot go.
     */
    removeMember(listId: string, name: string): Promise<void> {
      return request(async () => {
        unwrap(
          await client.DELETE("/lists/{list_id}/members/{name}", { params: { path: { list_id: listId, name } } }),
          undefined,
          {
            403: "Only an owner can remove other members.",
            404: "That person is no longer a member of this list.",
          },
        );
      });
    },
  };
}

export type Api = ReturnType<typeof createApi>;
