"""The caller's todos. Which todos a caller may see and change is `app.access`'s answer
(today: their own); any other todo is a 404."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from app.api.deps import CurrentCaller, DatabaseDep, IfMatchDep
from app.api.errors import error_responses
from app.daos import daos
from app.errors import InvalidInputError
from app.schemas import (
    IDEMPOTENCY_KEY_MAX,
    DeletedCount,
    Empty,
    TodoCreate,
    TodoCursor,
    TodoPublic,
    TodoStats,
    TodoUpdate,
)
from app.services import todos

router = APIRouter(prefix="/todo", tags=["todo"], responses=error_responses(401))

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def etag(version: int) -> str:
    return f'"{version}"'


def _with_etag(todo: TodoPublic, response: Response) -> TodoPublic:
    response.headers["ETag"] = etag(todo.version)
    return todo


# `/todo` and `/todo/` both answer directly: the slash variant is registered too,
# hidden from the schema, so clients of the original never see a redirect.


@router.get("")
@router.get("/", include_in_schema=False)
async def list_todos(
    request: Request,
    response: Response,
    caller: CurrentCaller,
    db: DatabaseDep,
    completed: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[str | None, Query(max_length=256)] = None,
) -> list[TodoPublic]:
    """The caller's todos, oldest first. A `Link: <…>; rel="next"` header points at
    the next page while there is one."""
    after = TodoCursor.decode(cursor) if cursor else None
    page = await db.read(
        lambda conn: daos.todos.page(
            conn, caller, completed=completed, after=after, limit=limit + 1
        )
    )
    if len(page) > limit:
        page = page[:limit]
        next_page = request.url.include_query_params(
            cursor=TodoCursor.after(page[-1]).encode(), limit=limit
        )
        # A relative reference: the request's Host header is the client's to choose,
        # and must not become a link this API hands to someone else.
        response.headers["Link"] = f'<{next_page.path}?{next_page.query}>; rel="next"'
    return page


@router.get("/stats")
async def todo_stats(caller: CurrentCaller, db: DatabaseDep) -> TodoStats:
    """Counts for "N items left" without paging through everything."""
    return await db.read(lambda conn: daos.todos.stats(conn, caller))


@router.delete("")
@router.delete("/", include_in_schema=False)
async def delete_completed_todos(
    caller: CurrentCaller,
    db: DatabaseDep,
    completed: Annotated[
        bool,
        Query(
            description="Must be true: deletes completed todos.",
            json_schema_extra={"enum": [True]},
        ),
    ],
) -> DeletedCount:
    if not completed:
        raise InvalidInputError(
            "Only completed=true can be bulk-deleted", loc=("query", "completed")
        )
    deleted = await db.write(lambda conn: daos.todos.delete_completed(conn, caller))
    return DeletedCount(deleted=deleted)


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(400))
@router.post("/", status_code=status.HTTP_201_CREATED, include_in_schema=False)
async def create_todo(
    body: TodoCreate,
    request: Request,
    response: Response,
    caller: CurrentCaller,
    db: DatabaseDep,
    idempotency_key: Annotated[
        str | None,
        Header(
            min_length=1,
            max_length=IDEMPOTENCY_KEY_MAX,
            pattern=r"^[\x21-\x7e]+$",
            description="Retrying with the same key returns the first response, creating nothing.",
        ),
    ] = None,
) -> TodoPublic:
    todo = await todos.create(db, caller, body, idempotency_key=idempotency_key)
    response.headers["Location"] = f"{request.scope.get('root_path', '')}/todo/{todo.id}"
    return _with_etag(todo, response)


@router.get("/{todo_id}", responses=error_responses(404))
async def read_todo(
    todo_id: uuid.UUID, response: Response, caller: CurrentCaller, db: DatabaseDep
) -> TodoPublic:
    todo = await db.read(lambda conn: daos.todos.get(conn, caller, todo_id))
    return _with_etag(todo, response)


@router.put("/{todo_id}", responses=error_responses(400, 404, 412))
@router.patch("/{todo_id}", responses=error_responses(400, 404, 412))
async def update_todo(
    todo_id: uuid.UUID,
    changes: TodoUpdate,
    response: Response,
    caller: CurrentCaller,
    db: DatabaseDep,
    precondition: IfMatchDep,
) -> TodoPublic:
    """Partial update (PUT and PATCH alike). With `If-Match`, a stale version is a 412."""
    versions = precondition.versions if precondition else None
    todo = await db.write(
        lambda conn: daos.todos.update(conn, caller, todo_id, changes, if_version=versions)
    )
    return _with_etag(todo, response)


@router.delete("/{todo_id}", responses=error_responses(404, 412))
async def delete_todo(
    todo_id: uuid.UUID, caller: CurrentCaller, db: DatabaseDep, precondition: IfMatchDep
) -> Empty:
    versions = precondition.versions if precondition else None
    await db.write(lambda conn: daos.todos.delete(conn, caller, todo_id, if_version=versions))
    return Empty()
