"""What the todo routes get injected: If-Match, Idempotency-Key, which page."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Path, Query

from app.platform.errors import InvalidCursorError
from app.platform.fields import IDEMPOTENCY_KEY_MAX
from app.todos.schemas import TodoCursor, TodoOrder
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

TodoId = Annotated[uuid.UUID, Path(description="The todo's id.")]
