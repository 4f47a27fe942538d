"""The caller's own account."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import CurrentUserId, DatabaseDep
from app.api.errors import error_responses
from app.errors import UnknownUserError
from app.models import UserDAO, UserPublic

router = APIRouter(prefix="/me", tags=["users"])


@router.get("", responses=error_responses(401))
async def read_me(user_id: CurrentUserId, db: DatabaseDep) -> UserPublic:
    user = await db.read(lambda conn: UserDAO.get(conn, user_id))
    if user is None:
        raise UnknownUserError
    return UserPublic.model_validate(user)
