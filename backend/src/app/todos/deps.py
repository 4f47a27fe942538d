"""What the todo routes get injected: If-Match, Idempotency-Key, which page."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header, Path, Query

from app.platform.errors import InvalidCursorError, InvalidInputError
from app.platform.fields import IDEMPOTENCY_KEY_MAX
from app.platform.tables import utcnow
from app.todos import due, search
from app.todos.due import ZONE_MAX
from app.todos.schemas import DueCursor, DueView, Instant, TodoCursor, TodoOrder
from app.todos.tables import VERSION_MAX

# One entity tag, as this API writes them ("3") or a client may weaken them (W/"3"),
# with HTTP's optional whitespace around it: spaces and tabs only, not `\s`, whose
# meaning differs between Python's, Rust's (pydantic's) and ECMAScript's regexes.
_ENTITY_TAG = r'[ \t]*(W/)?"(\d{1,18})"[ \t]*'
_ETAG = re.compile(_ENTITY_TAG)
IF_MATCH_PATTERN = rf"^([ \t]*\*[ \t]*|{_ENTITY_TAG}(,{_ENTITY_TAG})*)$"


@dataclass(frozen=True)
class IfMatch:
    """A parsed If-Match header: `versions` is None for `*` (any current version)."""

    versions: frozenset[int] | None


def parse_if_match(header: str | None) -> IfMatch | None:
    """Versions named by an If-Match header that already matched IF_MATCH_PATTERN."""
    if header is None:
        return None
    if header.strip(" \t") == "*":
        return IfMatch(versions=None)
    versions: set[int] = set()
    for tag in header.split(","):
        match = _ETAG.fullmatch(tag)
        assert match is not None, "checked by IF_MATCH_PATTERN"
        weak, version = match.group(1), int(match.group(2))
        # Weak tags never match (RFC 9110 strong comparison), nor can a version beyond
        # what the column holds: dropped here, the database never sees it out of range.
        if weak is None and version <= VERSION_MAX:
            versions.add(version)
    return IfMatch(versions=frozenset(versions))


async def if_match(
    if_match: Annotated[
        str | None,
        Header(
            pattern=IF_MATCH_PATTERN,
            description='Entity tags from previous responses, e.g. "3", or *.',
        ),
    ] = None,
) -> IfMatch | None:
    return parse_if_match(if_match)


IfMatchDep = Annotated[IfMatch | None, Depends(if_match)]


async def idempotency_key(
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=IDEMPOTENCY_KEY_MAX,
            pattern=r"^[\x21-\x7e]+$",
            description="Retrying with the same key returns the first response, creating nothing.",
        ),
    ] = None,
) -> str | None:
    return idempotency_key


IdempotencyKeyDep = Annotated[str | None, Depends(idempotency_key)]

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class TodoPageQuery:
    """Which page of a list's todos: in which order, the `completed` filter, the page
    size, and where the previous page ended."""

    order: TodoOrder
    completed: bool | None
    limit: int
    after: TodoCursor | None


async def todo_page_query(
    order: Annotated[
        TodoOrder | None,
        Query(
            description="`position` (the default): the list's manual order (drag and drop, "
            "`after` and `before`). `created`: oldest first. A `cursor` continues in its "
            "own order: with it, `order` may be left out."
        ),
    ] = None,
    completed: Annotated[
        bool | None,
        Query(description="Only completed todos (true) or only open ones (false); all if absent."),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="At most this many todos per page.")
    ] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None,
        Query(
            max_length=256,
            description="Where the previous page ended: copy it from that page's `Link` header.",
        ),
    ] = None,
) -> TodoPageQuery:
    after = TodoCursor.decode(cursor) if cursor else None
    if after is None:
        return TodoPageQuery(
            order=order or TodoOrder.position, completed=completed, limit=limit, after=None
        )
    # A cursor knows its order, so links handed out before manual order existed (created
    # order, no `order` in them) still go on in created order.
    if order is not None and after.order is not order:
        raise InvalidCursorError  # a page of one order cannot continue in the other
    return TodoPageQuery(order=after.order, completed=completed, limit=limit, after=after)


TodoPageQueryDep = Annotated[TodoPageQuery, Depends(todo_page_query)]


@dataclass(frozen=True)
class DueQuery:
    """Which page of the due todos across the caller's lists: the bounds on `due_at`
    (from the view and the filters, in UTC), `completed`, the page size and where the
    previous page ended."""

    due_from: datetime | None
    due_until: datetime | None
    completed: bool | None
    limit: int
    after: DueCursor | None


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _earlier(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _aware(name: str, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        return value.astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01T00:00+14:00 has no UTC time
        raise InvalidInputError(f"{name} has no UTC time", loc=("query", name)) from exc


async def due_query(
    view: Annotated[
        DueView | None,
        Query(
            description="`today`: open todos due today in `time_zone` or before (overdue "
            "ones first); `upcoming`: open todos due after today; `overdue`: open todos "
            "past their due time (with `completed=true`: the completed ones instead). "
            "Absent: every todo with a due date, as the filters say."
        ),
    ] = None,
    time_zone: Annotated[
        str,
        Query(
            min_length=1,
            max_length=ZONE_MAX,
            description="Your IANA time zone, which says when today begins and ends: the "
            "browser's (`Intl.DateTimeFormat().resolvedOptions().timeZone`).",
            examples=["Europe/Berlin"],
            pattern=due.ZONE_PATTERN,
        ),
    ] = "UTC",
    due_after: Annotated[
        Instant | None,
        Query(description="Only todos due at or after this instant (with its offset)."),
    ] = None,
    due_before: Annotated[
        Instant | None,
        Query(description="Only todos due before this instant (with its offset)."),
    ] = None,
    overdue: Annotated[
        bool | None,
        Query(
            description="Must be `true` when given: only todos past their due time, open "
            "ones unless `completed=true`.",
            json_schema_extra={"enum": [True]},
        ),
    ] = None,
    completed: Annotated[
        bool | None,
        Query(description="Only completed todos (true) or only open ones (false)."),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description="At most this many todos per page.")
    ] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None,
        Query(
            max_length=256,
            description="Where the previous page ended: copy it from that page's `Link` header.",
        ),
    ] = None,
) -> DueQuery:
    if not due.is_zone(time_zone):
        raise InvalidInputError(
            "time_zone is not an IANA time zone (e.g. Europe/Berlin)", loc=("query", "time_zone")
        )
    if overdue is False:
        raise InvalidInputError("Only overdue=true can be asked for", loc=("query", "overdue"))
    now = utcnow()
    due_from, due_until = _aware("due_after", due_after), _aware("due_before", due_before)
    if (view is not None or overdue) and completed is None:
        completed = False  # the views are of open todos unless `completed` says otherwise
    if overdue or view is DueView.overdue:
        due_until = _earlier(due_until, now)
    if view is DueView.today:
        due_until = _earlier(due_until, due.day_bounds(now, time_zone)[1])
    elif view is DueView.upcoming:
        due_from = _later(due_from, due.day_bounds(now, time_zone)[1])
    after = DueCursor.decode(cursor) if cursor else None
    return DueQuery(
        due_from=due_from, due_until=due_until, completed=completed, limit=limit, after=after
    )


DueQueryDep = Annotated[DueQuery, Depends(due_query)]


@dataclass(frozen=True)
class SearchQuery:
    """What to search for, and how many results at most."""

    q: str
    limit: int


async def search_query(
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=search.QUERY_MAX,
            description="Words to find in titles and contents: every word must match, in "
            "any form the engine knows (`runs` finds `running`), the last one also as a "
            "prefix (`mil` finds `milk`). Only letters and digits count: quotes, `*`, "
            "operators and punctuation just separate words. At most "
            f"{search.TERMS_MAX} words are searched for.",
            examples=["buy milk"],
        ),
    ],
    limit: Annotated[
        int,
        Query(
            ge=1,
            le=search.SEARCH_LIMIT_MAX,
            description="At most this many results, the best ones.",
        ),
    ] = search.SEARCH_LIMIT_DEFAULT,
) -> SearchQuery:
    if not q.strip():
        raise InvalidInputError("q has nothing to search for", loc=("query", "q"))
    return SearchQuery(q=q, limit=limit)


SearchQueryDep = Annotated[SearchQuery, Depends(search_query)]

TodoId = Annotated[uuid.UUID, Path(description="The todo's id.")]
