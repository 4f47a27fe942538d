"""Todos: those of the caller's personal list under `/todo` (the seed's API, unchanged
for its clients), those of any list under `/lists/{list_id}/todos`, and any todo the
caller can see by id under `/todo/{todo_id}`. What the caller may do where is
`app.access`'s answer: a todo or list they are not a member of is a 404, an action
their role does not allow a 403.

The two list-wide route sets share one implementation each (`_page`, `_create`, ...),
with `list_id` None meaning the personal list.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.platform.db import Database
from app.platform.errors import InvalidInputError
from app.platform.http.deps import CurrentCaller, DatabaseDep, ListId, location
from app.platform.http.error_responses import error_responses
from app.platform.http.openapi import with_headers
from app.platform.security import Caller
from app.todos import service as todos
from app.todos.deps import (
    DueQueryDep,
    IdempotencyKeyDep,
    IfMatchDep,
    SearchQueryDep,
    TodoId,
    TodoPageQuery,
    TodoPageQueryDep,
)
from app.todos.schemas import (
    DeletedCount,
    DueCursor,
    Empty,
    SearchHit,
    TodoCreate,
    TodoCursor,
    TodoPublic,
    TodoStats,
    TodoUpdate,
)

router = APIRouter(prefix="/todo", tags=["todo"], responses=error_responses(401, 503))
list_router = APIRouter(
    prefix="/lists/{list_id}/todos",
    tags=["lists"],
    responses=error_responses(401, 404, 503, meanings={404: "No such list among yours."}),
)

TODO_NOT_FOUND = {404: "No such todo in the lists you are a member of."}
TODO_STALE = {412: "`If-Match` does not name the todo's current version: someone changed it."}
WRITE_REFUSED = {403: "You are a viewer of the list: only editors and owners change todos."}

CompletedOnly = Annotated[
    bool,
    Query(
        description="Must be `true`: deletes the completed todos.",
        json_schema_extra={"enum": [True]},
    ),
]


def etag(version: int) -> str:
    return f'"{version}"'


def _with_etag(todo: TodoPublic, response: Response) -> TodoPublic:
    response.headers["ETag"] = etag(todo.version)
    return todo


async def _page(
    db: Database,
    caller: Caller,
    list_id: uuid.UUID | None,
    query: TodoPageQuery,
    request: Request,
    response: Response,
) -> list[TodoPublic]:
    page = await todos.page(
        db,
        caller,
        list_id,
        order=query.order,
        completed=query.completed,
        after=query.after,
        limit=query.limit + 1,
    )
    if len(page) > query.limit:
        page = page[: query.limit]
        next_page = request.url.include_query_params(
            cursor=TodoCursor.after(page[-1], query.order).encode(), limit=query.limit
        )
        # A relative reference: the request's Host header is the client's to choose,
        # and must not become a link this API hands to someone else.
        response.headers["Link"] = f'<{next_page.path}?{next_page.query}>; rel="next"'
    return page


async def _delete_completed(
    db: Database, caller: Caller, list_id: uuid.UUID | None, completed: bool
) -> DeletedCount:
    if not completed:
        raise InvalidInputError(
            "Only completed=true can be bulk-deleted", loc=("query", "completed")
        )
    return DeletedCount(deleted=await todos.delete_completed(db, caller, list_id))


async def _create(
    db: Database,
    caller: Caller,
    list_id: uuid.UUID | None,
    body: TodoCreate,
    idempotency_key: str | None,
    request: Request,
    response: Response,
) -> TodoPublic:
    todo = await todos.create(db, caller, list_id, body, idempotency_key=idempotency_key)
    response.headers["Location"] = location(request, f"/todo/{todo.id}")
    return _with_etag(todo, response)


# --- the personal list, as the seed's clients know it -------------------------------------
# `/todo` and `/todo/` both answer directly: the slash variant is registered too,
# hidden from the schema, so clients of the original never see a redirect.


@router.get("", responses=with_headers(200, "Link"))
@router.get("/", include_in_schema=False)
async def list_todos(
    request: Request,
    response: Response,
    caller: CurrentCaller,
    db: DatabaseDep,
    query: TodoPageQueryDep,
) -> list[TodoPublic]:
    """The todos of your personal list, a page at a time, in its manual order (or oldest
    first with `order=created`): the `Link` header points at the next page while there
    is one. In created order an edit never moves a todo, so paging while others edit
    neither skips nor repeats one; in manual order a todo reordered meanwhile may be
    met twice or not at all, as in any list sorted by a key that changes."""
    return await _page(db, caller, None, query, request, response)


@router.get("/stats")
async def todo_stats(caller: CurrentCaller, db: DatabaseDep) -> TodoStats:
    """How many todos your personal list has, open and completed: for "N items left"
    without paging through it."""
    return await todos.stats(db, caller, None)


@router.get("/due", responses=with_headers(200, "Link"))
async def list_due_todos(
    request: Request,
    response: Response,
    caller: CurrentCaller,
    db: DatabaseDep,
    query: DueQueryDep,
) -> list[TodoPublic]:
    """The todos with a due date in every list you are a member of, soonest due first
    (by `due_at`, then `id`), a page at a time as `GET /todo`. `view=today`, `upcoming`
    and `overdue` are the app's Today, Upcoming and Overdue: open todos, with "today" in
    your `time_zone`. `due_after`, `due_before` and `overdue=true` narrow any of them,
    or the whole set. An all-day date is due by the end of its day in its zone."""
    page = await todos.due_page(
        db,
        caller,
        due_from=query.due_from,
        due_until=query.due_until,
        completed=query.completed,
        after=query.after,
        limit=query.limit + 1,
    )
    if len(page) > query.limit:
        page = page[: query.limit]
        next_page = request.url.include_query_params(
            cursor=DueCursor.after(page[-1]).encode(), limit=query.limit
        )
        response.headers["Link"] = f'<{next_page.path}?{next_page.query}>; rel="next"'
    return page


@router.get("/search")
async def search_todos(
    caller: CurrentCaller, db: DatabaseDep, query: SearchQueryDep
) -> list[SearchHit]:
    """Find todos by the words of their title and content, in every list you are a
    member of (with a token for chosen lists, in those), best matches first: each with
    its list's name and the matched words marked, as segments of plain text. Every word
    of `q` must match; the last also as a prefix, so results follow as you type. A
    query with no letters or digits finds nothing. Matching understands word forms
    (English stemming on every engine); how each engine does it: docs/search.md."""
    return await todos.search(db, caller, query.q, limit=query.limit)


@router.delete("")
@router.delete("/", include_in_schema=False)
async def delete_completed_todos(
    caller: CurrentCaller, db: DatabaseDep, completed: CompletedOnly
) -> DeletedCount:
    """Delete every completed todo of your personal list at once ("Clear completed").
    Answers how many were deleted."""
    return await _delete_completed(db, caller, None, completed)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=with_headers(201, "ETag", "Location"),
)
@router.post("/", status_code=status.HTTP_201_CREATED, include_in_schema=False)
async def create_todo(
    body: TodoCreate,
    request: Request,
    response: Response,
    caller: CurrentCaller,
    db: DatabaseDep,
    idempotency_key: IdempotencyKeyDep,
) -> TodoPublic:
    """Add a todo to your personal list. Send an `Idempotency-Key` to retry safely: a
    repeat with the same key answers what the first did and creates nothing."""
    return await _create(db, caller, None, body, idempotency_key, request, response)


# --- any todo the caller can see ----------------------------------------------------------


@router.get(
    "/{todo_id}",
    responses={**with_headers(200, "ETag"), **error_responses(404, meanings=TODO_NOT_FOUND)},
)
async def read_todo(
    todo_id: TodoId, response: Response, caller: CurrentCaller, db: DatabaseDep
) -> TodoPublic:
    """One todo, from any list you are a member of, with its version in `ETag`."""
    todo = await todos.get(db, caller, todo_id)
    return _with_etag(todo, response)


UPDATE_RESPONSES = {
    **with_headers(200, "ETag"),
    **error_responses(
        403,
        404,
        409,
        412,
        meanings={
            **TODO_NOT_FOUND,
            **TODO_STALE,
            409: "`after` or `before` names no todo of this todo's list (deleted or moved "
            "meanwhile, or never there): reload the list.",
            403: "You are a viewer of the todo's list, or, for a move, not an editor of the "
            "list named by `list_id`.",
            404: "No such todo in the lists you are a member of, or no such list for a move.",
        },
    ),
}


@router.put("/{todo_id}", responses=UPDATE_RESPONSES, operation_id="update_todo_by_put")
@router.patch("/{todo_id}", responses=UPDATE_RESPONSES)
async def update_todo(
    todo_id: TodoId,
    changes: TodoUpdate,
    response: Response,
    caller: CurrentCaller,
    db: DatabaseDep,
    precondition: IfMatchDep,
) -> TodoPublic:
    """Change some of a todo's fields: those in the body, the others stay. Editors and
    owners of its list only. With `If-Match`, the change is made only if the todo is
    still at that version (412 otherwise): nobody's edit is silently overwritten.
    A `list_id` moves the todo to the end of that list. `after` or `before` reorders it
    within its list: just after (before) the todo named, or with null to the start (the
    end); the todo named must be in the same list (409 otherwise). A reorder is an
    update like any other: version + 1, `If-Match`, a `todo.updated` event with the new
    `position`. PUT does the same as PATCH, for the original clients."""
    versions = precondition.versions if precondition else None
    todo = await todos.update(db, caller, todo_id, changes, if_version=versions)
    return _with_etag(todo, response)


@router.delete(
    "/{todo_id}",
    responses=error_responses(
        403, 404, 412, meanings={**WRITE_REFUSED, **TODO_NOT_FOUND, **TODO_STALE}
    ),
)
async def delete_todo(
    todo_id: TodoId, caller: CurrentCaller, db: DatabaseDep, precondition: IfMatchDep
) -> Empty:
    """Delete a todo (editors and owners of its list). With `If-Match`, only if it is
    still at that version (412 otherwise). Answers `{}`."""
    versions = precondition.versions if precondition else None
    await todos.delete(db, caller, todo_id, if_version=versions)
    return Empty()


# --- the todos of any list the caller is a member of --------------------------------------


@list_router.get("", responses=with_headers(200, "Link"))
@list_router.get("/", include_in_schema=False)
async def list_list_todos(
    list_id: ListId,
    request: Request,
    response: Response,
    caller: CurrentCaller,
    db: DatabaseDep,
    query: TodoPageQueryDep,
) -> list[TodoPublic]:
    """The list's todos in its manual order (or oldest first with `order=created`),
    paged like `GET /todo`."""
    return await _page(db, caller, list_id, query, request, response)


@list_router.get("/stats")
async def list_todo_stats(list_id: ListId, caller: CurrentCaller, db: DatabaseDep) -> TodoStats:
    """How many todos the list has, open and completed, as `GET /todo/stats`."""
    return await todos.stats(db, caller, list_id)


@list_router.delete("", responses=error_responses(403, meanings=WRITE_REFUSED))
@list_router.delete("/", include_in_schema=False)
async def delete_completed_list_todos(
    list_id: ListId, caller: CurrentCaller, db: DatabaseDep, completed: CompletedOnly
) -> DeletedCount:
    """Delete every completed todo of the list at once (editors and owners). Answers
    how many were deleted."""
    return await _delete_completed(db, caller, list_id, completed)


@list_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={
        **with_headers(201, "ETag", "Location"),
        **error_responses(403, meanings=WRITE_REFUSED),
    },
)
@list_router.post("/", status_code=status.HTTP_201_CREATED, include_in_schema=False)
async def create_list_todo(
    list_id: ListId,
    body: TodoCreate,
    request: Request,
    response: Response,
    caller: CurrentCaller,
    db: DatabaseDep,
    idempotency_key: IdempotencyKeyDep,
) -> TodoPublic:
    """Add a todo to the list (editors and owners), as `POST /todo` does, with the
    same `Idempotency-Key`."""
    return await _create(db, caller, list_id, body, idempotency_key, request, response)
