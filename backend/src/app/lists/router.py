"""Lists and their members. Every user has a personal list (the one `/todo` acts on)
and may create more and share them: `viewer`s read, `editor`s also change todos,
`owner`s also rename, delete and manage members. A list the caller is not a member of
is a 404, whatever the method; an action their role does not allow is a 403. The todos
of a list are under `/lists/{list_id}/todos` (`app.todos.router`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import JSONResponse

from app.invitations import service as invitations
from app.invitations.schemas import InvitationPublic
from app.lists import service as lists
from app.lists.schemas import ListCreate, ListPublic, ListRename, MemberPublic, MemberRole
from app.platform.fields import NAME_MAX
from app.platform.http.deps import CurrentCaller, DatabaseDep, ListId, location
from app.platform.http.error_responses import error_responses
from app.platform.http.openapi import with_headers
from app.todos.schemas import Empty

router = APIRouter(prefix="/lists", tags=["lists"], responses=error_responses(401, 503))

MemberName = Annotated[
    str, Path(min_length=1, max_length=NAME_MAX, description="The member's account name.")
]

LIST_NOT_FOUND = {404: "No such list among yours."}
OWNERS_ONLY = {403: "Only the list's owners may do this."}


@router.get("")
@router.get("/", include_in_schema=False)
async def list_lists(caller: CurrentCaller, db: DatabaseDep) -> list[ListPublic]:
    """The lists you are a member of, with your role in each: your personal list
    first, then by name."""
    return await lists.mine(db, caller)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses={
        **with_headers(201, "Location"),
        **error_responses(409, meanings={409: "You own as many lists as an account may."}),
    },
)
@router.post("/", status_code=status.HTTP_201_CREATED, include_in_schema=False)
async def create_list(
    body: ListCreate, request: Request, response: Response, caller: CurrentCaller, db: DatabaseDep
) -> ListPublic:
    """Create a list, with you as its owner."""
    created = await lists.create_list(db, caller, body.name)
    response.headers["Location"] = location(request, f"/lists/{created.id}")
    return created


@router.get("/{list_id}", responses=error_responses(404, meanings=LIST_NOT_FOUND))
async def read_list(list_id: ListId, caller: CurrentCaller, db: DatabaseDep) -> ListPublic:
    """One of your lists, with your role in it."""
    return await lists.get(db, caller, list_id)


@router.patch(
    "/{list_id}", responses=error_responses(403, 404, meanings={**OWNERS_ONLY, **LIST_NOT_FOUND})
)
async def rename_list(
    list_id: ListId, body: ListRename, caller: CurrentCaller, db: DatabaseDep
) -> ListPublic:
    """Rename the list (owners). Every member sees the new name."""
    return await lists.rename_list(db, caller, list_id, body.name)


@router.delete(
    "/{list_id}",
    responses=error_responses(
        403,
        404,
        409,
        meanings={
            **OWNERS_ONLY,
            **LIST_NOT_FOUND,
            409: "It is a personal list: those go only with their account.",
        },
    ),
)
async def delete_list(list_id: ListId, caller: CurrentCaller, db: DatabaseDep) -> Empty:
    """Delete the list and all its todos, for every member (owners). Answers `{}`."""
    await lists.delete_list(db, caller, list_id)
    return Empty()


@router.get("/{list_id}/members", responses=error_responses(404, meanings=LIST_NOT_FOUND))
async def list_members(
    list_id: ListId, caller: CurrentCaller, db: DatabaseDep
) -> list[MemberPublic]:
    """Who is a member, with which role: owners first, then editors, then viewers."""
    return await lists.members(db, caller, list_id)


@router.put(
    "/{list_id}/members/{name}",
    responses={
        202: {
            "model": InvitationPublic,
            "description": "`name` is not a member: they are invited, and become a member "
            "when they accept (`POST /me/invitations/{invitation_id}/accept`).",
        },
        **error_responses(
            403,
            404,
            409,
            429,
            meanings={
                **OWNERS_ONLY,
                404: "No such list among yours, or no account with that name.",
                409: "It is a personal list (never shared), the list has as many open "
                "invitations as a list may, the change would leave the list without an "
                "owner, or would make `name` the owner of more lists than an account may "
                "own.",
                429: "You sent as many invitations in the last hour as an account may.",
            },
        ),
    },
)
async def put_member(
    list_id: ListId, name: MemberName, body: MemberRole, caller: CurrentCaller, db: DatabaseDep
) -> MemberPublic:
    """Share the list with the account `name` (owners only). Someone who is not a
    member is invited with `role` (202, the invitation): they see it in their inbox
    and decide; inviting again replaces an earlier invitation. A member's role changes
    at once (200)."""
    shared = await invitations.share(db, caller, list_id, name, body.role)
    if isinstance(shared, InvitationPublic):
        return JSONResponse(  # type: ignore[return-value]
            shared.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED
        )
    return shared


@router.delete(
    "/{list_id}/members/{name}",
    responses=error_responses(
        403,
        404,
        409,
        meanings={
            403: "Only owners may remove someone other than themselves.",
            404: "No such list among yours, or `name` is not a member.",
            409: "`name` is the list's last owner and someone else removes them, or "
            "they leave and no editor can take over: make someone else owner, or delete "
            "the list.",
        },
    ),
)
async def remove_member(
    list_id: ListId, name: MemberName, caller: CurrentCaller, db: DatabaseDep
) -> Empty:
    """Remove a member: owners may remove anyone, any member themselves (leaving the
    list). The last owner leaving hands the list to its longest-standing editor, who is
    told with `member.updated`. Answers `{}`."""
    await lists.remove_member(db, caller, list_id, name)
    return Empty()
