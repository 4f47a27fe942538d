"""The caller's signed-in devices: list them, sign one out, sign out all the others.
Only a log-in may (`SessionCaller`): a personal access token is not a session."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from app.platform.http.deps import DatabaseDep, SessionCaller
from app.platform.http.error_responses import error_responses
from app.sessions import service as sessions
from app.sessions.schemas import DEFAULT_PAGE, MAX_PAGE, SessionPage

SESSION_ONLY = {403: "Sent with a personal access token: log in with the password for this."}

router = APIRouter(
    prefix="/me/sessions",
    tags=["sessions"],
    responses=error_responses(401, 403, 503, meanings=SESSION_ONLY),
)

SessionId = Annotated[uuid.UUID, Path(description="The session's id (`GET /me/sessions`).")]


@router.get("")
async def list_sessions(
    caller: SessionCaller,
    db: DatabaseDep,
    cursor: Annotated[
        str | None,
        Query(max_length=200, description="`next_cursor` of the previous page."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Sessions per page.")] = (
        DEFAULT_PAGE
    ),
) -> SessionPage:
    """Your signed-in devices: one per log-in still live, newest first, the one this
    request came from marked `current`. An account has at most 50: logging in once
    more signs the oldest out."""
    return await sessions.mine(db, caller, cursor=cursor, limit=limit)


@router.delete(
    "/{session_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(
        404, meanings={404: "No such signed-in device among yours (or it was signed out already)."}
    ),
)
async def sign_out_session(
    session_id: SessionId, caller: SessionCaller, db: DatabaseDep
) -> Response:
    """Sign a device out: its next request is a 401 and its live stream ends at once
    (`session.ended`). Your own session's id signs this device out."""
    await sessions.end(db, caller, session_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/revoke-others", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out_other_sessions(caller: SessionCaller, db: DatabaseDep) -> Response:
    """Sign out every device but this one. Personal access tokens are not devices:
    they keep working (`DELETE /me/tokens/{token_id}` revokes one)."""
    await sessions.sign_out_others(db, caller)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
