"""Domain errors. DAOs, services and the transaction runner raise them; `api/errors.py`
turns each into one HTTP response, so handlers never translate exceptions themselves."""

from __future__ import annotations


class AppError(Exception):
    """An expected failure with the HTTP status and client-facing detail it maps to."""

    status_code = 400
    detail = "Bad request"
    headers: dict[str, str] | None = None

    def __init__(self, detail: str | None = None) -> None:
        super().__init__(detail or self.detail)
        if detail is not None:
            self.detail = detail


class NotFoundError(AppError):
    status_code = 404
    detail = "Not found"


class TodoNotFoundError(NotFoundError):
    detail = "Todo not found"


class NameTakenError(AppError):
    status_code = 409
    detail = "That name is already taken"


class PreconditionFailedError(AppError):
    status_code = 412
    detail = "The todo was changed by someone else; fetch it again and reapply your change"


class InvalidInputError(AppError):
    """A 422 found by the app rather than by FastAPI's validation: it is reported in
    the same shape (`{"detail": [{"loc", "msg", "type"}]}`), so clients and the OpenAPI
    document see one shape for every 422."""

    status_code = 422
    loc: tuple[str, ...] = ("body",)

    def __init__(self, detail: str | None = None, *, loc: tuple[str, ...] | None = None) -> None:
        super().__init__(detail)
        if loc is not None:
            self.loc = loc


class IdempotencyKeyReusedError(InvalidInputError):
    detail = "This Idempotency-Key was already used with a different request body"
    loc = ("header", "Idempotency-Key")


class InvalidCursorError(InvalidInputError):
    detail = "The pagination cursor is not valid; use the Link header of the previous page"
    loc = ("query", "cursor")


class TooManyLoginFailuresError(AppError):
    status_code = 429
    detail = "Too many failed log-ins; try again later"

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"Too many failed log-ins; try again in {retry_after_seconds} s")
        self.headers = {"Retry-After": str(retry_after_seconds)}


class WrongPasswordError(AppError):
    """The password given to confirm an account change is not the account's."""

    status_code = 403
    detail = "The password is not correct"


class LoginFailedError(AppError):
    """Unknown user or wrong password: one answer for both, so names cannot be probed."""

    status_code = 401
    detail = "Incorrect username or password"
    headers = {"WWW-Authenticate": "Bearer"}  # noqa: RUF012


class UnknownUserError(AppError):
    """A valid token whose user no longer exists."""

    status_code = 401
    detail = "Could not validate credentials"
    headers = {"WWW-Authenticate": "Bearer"}  # noqa: RUF012


class ServiceUnavailableError(AppError):
    """The database is unreachable or too contended right now: safe to retry later."""

    status_code = 503
    detail = "The database is unavailable; retry shortly"
    headers = {"Retry-After": "1"}  # noqa: RUF012


class RetryTransactionError(Exception):
    """Raised inside a unit of work to ask the transaction runner for a fresh attempt."""
