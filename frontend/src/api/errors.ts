/**
 * Errors raised by the API client. Components show `message` to the user and
 * branch on `status` (401 is handled centrally, 412 means "changed elsewhere").
 */

export class ApiError extends Error {
  /** HTTP status, or 0 when the server could not be reached at all. */
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = "ApiError";
    this.status = status;
  }
}

/** A 412 on an edit: the todo changed since we read it. */
export class ConflictError extends ApiError {
  constructor(message = "This todo was changed somewhere else.") {
    super(412, message);
    this.name = "ConflictError";
  }
}

const STATUS_MESSAGES: Record<number, string> = {
  401: "You need to log in again.",
  403: "You are not allowed to do that.",
  404: "That todo no longer exists.",
  409: "That already exists.",
  412: "This todo was changed somewhere else.",
  413: "That is too large to save.",
  429: "Too many requests. Wait a moment and try again.",
  502: "The server is not reachable right now. Try again in a moment.",
  503: "The server is not ready yet. Try again in a moment.",
};

/**
 * A readable message from a FastAPI error body: `{"detail": "…"}` or, for 422,
 * `{"detail": [{"loc": [...], "msg": "…", "type": "…"}]}`. `fieldLabels`
 * names API fields the way the form does (`new_password` -> "New password").
 */
export function messageFromErrorBody(status: number, body: unknown, fieldLabels: Record<string, string> = {}): string {
  const detail = typeof body === "object" && body !== null && "detail" in body ? body.detail : undefined;
  if (typeof detail === "string" && detail.trim() !== "") return detail;
  if (Array.isArray(detail) && detail.length > 0) {
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
  return STATUS_MESSAGES[status] ?? `Something went wrong (HTTP ${status}).`;
}

/**
 * The message for a 429 from the password throttle (log-in, change password,
 * delete account share it), from its `Retry-After` header (seconds).
 */
export function tooManyAttemptsMessage(retryAfter: string | null): string {
  const seconds = retryAfter !== null && /^\d+$/.test(retryAfter.trim()) ? Number(retryAfter) : null;
  if (seconds === null) return "Too many wrong passwords. Wait a few minutes and try again.";
  if (seconds < 60) return `Too many wrong passwords. Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`;
  const minutes = Math.ceil(seconds / 60);
  return `Too many wrong passwords. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
}
