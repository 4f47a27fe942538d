/**
 * Errors raised by the API client, in words for people. Components show
 * `message` to the user and branch on `status` (401 is handled centrally, 412
 * means "changed elsewhere").
 *
 * The server's own text reaches the user only where it is written for people:
 * a 403's and a 409's `detail` (the backend words those: "This needs the
 * editor role…", "A list must keep an owner…") and a 422's field messages.
 * Everything else ("Internal Server Error", "Todo not found", the proxy's
 * "The backend is not reachable.") is replaced by a sentence chosen by status
 * and by the call (see `messages` in client.ts). A server-side failure keeps
 * the request's id (`X-Request-ID`) as `reference`, for a bug report.
 */

export class ApiError extends Error {
  /** HTTP status, or 0 when the server could not be reached at all. */
  readonly status: number;
  /** The request's `X-Request-ID` when the server failed (5xx): quote it in a bug report. */
  readonly reference: string | null;

  constructor(status: number, message: string, reference: string | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.reference = reference;
  }
}

/** A 412 on an edit: the todo changed since we read it. */
export class ConflictError extends ApiError {
  constructor(message = "This todo was changed somewhere else.") {
    super(412, message);
    this.name = "ConflictError";
  }
}

/** The server could not be reached (offline, DNS, connection reset). */
export const NETWORK_DOWN = "Can't reach the server. Check your connection and try again.";
/** A 500 (or any 5xx without a better sentence): a bug or an outage on the server. */
export const SERVER_FAILED = "Something went wrong on our side. Try again in a moment.";

const STATUS_MESSAGES: Record<number, string> = {
  400: "That request was not accepted. Reload the page and try again.",
  401: "You need to log in again.",
  403: "You are not allowed to do that.",
  404: "That todo no longer exists: it was deleted somewhere else.",
  409: "That clashes with a change made somewhere else. Reload the page and try again.",
  412: "This todo was changed somewhere else.",
  413: "That is too large to save.",
  422: "Some of what you entered was not accepted.",
  502: "The server can't be reached right now. Try again in a moment.",
  503: "The server is busy or starting up. Try again in a moment.",
  504: "The server took too long to answer. Try again in a moment.",
};

/** Statuses whose `detail` the backend writes for people (see the module comment). */
const PEOPLE_WORDED = new Set([403, 409]);

/** How long `Retry-After` (seconds) asks to wait, in words; null without a usable header. */
export function waitFromRetryAfter(retryAfter: string | null): string | null {
  const seconds = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : null;
  if (seconds === null) return null;
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** A 429 that is not about passwords: too many requests, with the wait when the server said it. */
export function tooManyRequestsMessage(retryAfter: string | null): string {
  const wait = waitFromRetryAfter(retryAfter);
  return wait ? `Too many requests. Try again in ${wait}.` : "Too many requests. Wait a moment and try again.";
}

/**
 * A readable message for a failed response: `{"detail": "…"}` where the
 * backend words it for people, the 422 items (`{"detail": [{"loc": [...],
 * "msg": "…"}]}`) with fields named as the form names them
 * (`new_password` -> "New password"), otherwise our own sentence per status.
 */
export function messageFromErrorBody(
  status: number,
  body: unknown,
  { fieldLabels = {}, retryAfter = null }: { fieldLabels?: Record<string, string>; retryAfter?: string | null } = {},
): string {
  const detail = typeof body === "object" && body !== null && "detail" in body ? body.detail : undefined;
  if (PEOPLE_WORDED.has(status) && typeof detail === "string" && detail.trim() !== "") return detail;
  if (status === 422 && Array.isArray(detail) && detail.length > 0) {
    return detail
      .map((item: unknown) => {
        if (typeof item !== "object" || item === null) return String(item);
        const msg = "msg" in item && typeof item.msg === "string" ? item.msg : "Invalid value";
        const loc = "loc" in item && Array.isArray(item.loc) ? item.loc : [];
        const path = loc.filter((part) => part !== "body" && part !== "query" && part !== "header").join(".");
        const field = Object.hasOwn(fieldLabels, path) ? fieldLabels[path] : path;
        return field ? `${field}: ${msg}` : msg;
      })
      .join("; ");
  }
  if (status === 429) return tooManyRequestsMessage(retryAfter);
  if (status >= 500) return STATUS_MESSAGES[status] ?? SERVER_FAILED;
  return STATUS_MESSAGES[status] ?? `Something went wrong (error ${status}). Reload the page and try again.`;
}

/**
 * The message for a 429 from the password throttle (log-in, change password,
 * delete account share it), from its `Retry-After` header (seconds).
 */
export function tooManyAttemptsMessage(retryAfter: string | null): string {
  const wait = waitFromRetryAfter(retryAfter);
  return wait ? `Too many wrong passwords. Try again in ${wait}.` : "Too many wrong passwords. Wait a few minutes and try again.";
}
