"""Lists and their members. Every user has a personal list (the one `/todo` acts on)
and may create more and share them: `viewer`s read, `editor`s also change todos,
`owner`s also rename, delete and manage members. A list the caller is not a member of
is a 404, whatever the method; an action their role does not allow is a 403. The todos
of a list are under `/lists/{list_id}/todos` (`app.api.routes.todos`).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status

from app.api.deps import CurrentCaller, DatabaseDep, location
from app.api.errors import error_responses
from app.daos import daos
from app.schemas import (
    NAME_MAX,
    Empty,
    ListCreate,
    ListPublic,
    ListRename,
    MemberPublic,
    MemberRole,
)
from app.services import lists

router = APIRouter(prefix="/lists", tags=["lists"], responses=error_responses(401))

MemberName = Annotated[str, Path(min_length=1, max_length=NAME_MAX, description="A user name.")]


@router.get("")
@router.get("/", include_in_schema=False)
async def list_lists(caller: CurrentCaller, db: DatabaseDep) -> list[ListPublic]:
    """The lists the caller is a member of, with their role: the personal list first,
    then by name."""
    return await db.read(lambda conn: daos.lists.mine(conn, caller))


@router.post("", status_code=status.HTTP_201_CREATED, responses=error_responses(400, 409))
@router.post("/", status_code=status.HTTP_201_CREATED, include_in_schema=False)
async def create_list(
    body: ListCreate, request: Request, response: Response, caller: CurrentCaller, db: DatabaseDep
) -> ListPublic:
    """A new list, the caller its owner. 409 once the caller owns the most lists an
    account may."""
    created = await lists.create_list(db, caller, body.name)
    response.headers["Location"] = location(request, f"/lists/{created.id}")
    return created


@router.get("/{list_id}", responses=error_responses(404))
async def read_list(list_id: uuid.UUID, caller: CurrentCaller, db: DatabaseDep) -> ListPublic:
    return await db.read(lambda conn: daos.lists.get(conn, caller, list_id))


@router.patch("/{list_id}", responses=error_responses(400, 403, 404))
async def rename_list(
    list_id: uuid.UUID, body: ListRename, caller: CurrentCaller, db: DatabaseDep
) -> ListPublic:
    """Rename the list (owners)."""
    return await lists.rename_list(db, caller, list_id, body.name)


@router.delete("/{list_id}", responses=error_responses(403, 404, 409))
async def delete_list(list_id: uuid.UUID, caller: CurrentCaller, db: DatabaseDep) -> Empty:
    """Delete the list and its todos (owners). A personal list cannot be deleted (409)."""
    await lists.delete_list(db, caller, list_id)
    return Empty()


@router.get("/{list_id}/members", responses=error_responses(404))
async def list_members(
    list_id: uuid.UUID, caller: CurrentCaller, db: DatabaseDep
) -> list[MemberPublic]:
    """Who is a member, with which role: owners first, then editors, then viewers."""
    return await db.read(lambda conn: daos.members.members(conn, caller, list_id))


@router.put(
    "/{list_id}/members/{name}",
    responses={201: {"model": MemberPublic}, **error_responses(400, 403, 404, 409)},
)
async def put_member(
    list_id: uuid.UUID,
    name: MemberName,
    body: MemberRole,
    response: Response,
    caller: CurrentCaller,
    db: DatabaseDep,
) -> MemberPublic:
    """Share the list with the account `name` (201), or change its role (200); owners
    only. 409 for a personal list, or for lowering the last owner."""
    member, added = await lists.share(db, caller, list_id, name, body.role)
    if added:
        response.status_code = status.HTTP_201_CREATED
    return member


@router.delete("/{list_id}/members/{name}", responses=error_responses(403, 404, 409))
async def remove_member(
    list_id: uuid.UUID, name: MemberName, caller: CurrentCaller, db: DatabaseDep
) -> Empty:
    """Remove a member: owners may remove anyone, any member themselves (leaving the
    list). The last owner cannot leave (409)."""
    await lists.remove_member(db, caller, list_id, name)
    return Empty()
