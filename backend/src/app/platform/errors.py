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


class ListNotFoundError(NotFoundError):
    detail = "List not found"


class NoSuchAccountError(NotFoundError):
    detail = "No account has that name"


class NotAMemberError(NotFoundError):
    detail = "That account is not a member of this list"


class RoleRequiredError(AppError):
    """A member of the list whose role does not allow this (a non-member gets a 404)."""

    status_code = 403
    detail = "Your role in this list does not allow this"

    def __init__(self, needed: str, held: str, *, where: str = "in the list") -> None:
        article = "an" if held[0] in "aeiou" else "a"
        super().__init__(f"This needs the {needed} role {where}; you are {article} {held}")


class ConflictError(AppError):
    status_code = 409
    detail = "Conflict"


class PersonalListError(ConflictError):
    detail = "A personal list cannot be shared, left or deleted"


class LastOwnerError(ConflictError):
    detail = "A list must keep an owner: make another member an owner first"


class TooManyListsError(ConflictError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"An account may own at most {limit} lists; delete one first")


class OwnsTooManyListsError(ConflictError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"That account already owns {limit} lists, the most an account may: "
            "it cannot be made the owner of another"
        )


class TooManyMembersError(ConflictError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"A list may have at most {limit} members; remove one first")


class AnchorNotInListError(ConflictError):
    """A reorder names a todo that is not (or no longer) in the moved todo's list: the
    client's view of the list is stale, as after a concurrent delete or move."""

    def __init__(self, placing: str) -> None:
        super().__init__(
            f"`{placing}` names no todo of this todo's list (deleted or moved meanwhile?): "
            "reload the list"
        )


class NameTakenError(ConflictError):
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


class TooManyStreamsError(AppError):
    status_code = 429
    retry_after_seconds = 5

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"This account already has {limit} event streams open here, the most it may; "
            "close another tab's stream first"
        )
        self.headers = {"Retry-After": str(self.retry_after_seconds)}


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


class OutsideTokenScopeError(AppError):
    """A personal access token used for something its scope does not cover."""

    status_code = 403

    def __init__(self, scope: str, needed: str) -> None:
        super().__init__(f"This personal access token's scope is {scope}: {needed}")


class SessionRequiredError(AppError):
    """What only a logged-in session may do, never a personal access token."""

    status_code = 403
    detail = (
        "A personal access token cannot manage tokens, the password or the account: "
        "log in with the password for this"
    )


class TokenNotFoundError(NotFoundError):
    detail = "No such personal access token among yours"


class SessionNotFoundError(NotFoundError):
    detail = "No such signed-in device among yours"


class TooManyTokensError(ConflictError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"An account may have at most {limit} personal access tokens; revoke one")


class InvitationNotFoundError(NotFoundError):
    detail = "Invitation not found"


class InvitationClosedError(ConflictError):
    """The invitation exists but can no longer be accepted, declined or changed."""

    def __init__(self, why: str) -> None:
        super().__init__(f"This invitation is no longer open: {why}")


class TooManyPendingInvitationsError(ConflictError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"This list has {limit} open invitations, the most a list may: wait for "
            "answers, or cancel one"
        )


class TooManyInvitationsError(AppError):
    status_code = 429

    def __init__(self, limit: int, retry_after_seconds: int) -> None:
        super().__init__(
            f"You sent {limit} invitations in the last hour, the most an account may; "
            f"try again in {retry_after_seconds} s"
        )
        self.headers = {"Retry-After": str(retry_after_seconds)}


class SelfBlockError(ConflictError):
    detail = "You cannot block yourself"


class WebhookNotFoundError(NotFoundError):
    detail = "No such webhook endpoint among yours"


class WebhookDeliveryNotFoundError(NotFoundError):
    detail = "No such delivery of this webhook endpoint"


class TooManyWebhooksError(ConflictError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"An account may have at most {limit} webhook endpoints; delete one")


class UnsafeWebhookURLError(InvalidInputError):
    """A webhook URL this server will not send to (docs/webhooks.md, "SSRF")."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"This webhook URL is refused: {reason}", loc=("body", "url"))


class ShareLinkNotFoundError(NotFoundError):
    """Joining: no link has that secret, or it was revoked, expired or used up, or its
    list is gone (one answer for all: it tells a guesser nothing). Managing: no such
    link in that list."""

    detail = "This share link does not work: it was revoked, it expired or was used up"


class TooManyShareLinksError(ConflictError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"This list has {limit} share links, the most a list may: revoke one")


class TooManyJoinAttemptsError(TooManyLoginFailuresError):
    """Too many share-link secrets that did not work, from one client or account."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(retry_after_seconds)
        self.detail = (
            f"Too many share links that did not work; try again in {retry_after_seconds} s"
        )
        self.args = (self.detail,)
