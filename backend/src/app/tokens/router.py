"""The caller's personal access tokens: create one (its secret shown once), list them,
revoke one. Only a logged-in session may (`SessionCaller`): a token cannot make more
tokens."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from app.platform.http.deps import DatabaseDep, SessionCaller
from app.platform.http.error_responses import error_responses
from app.tokens import service as tokens
from app.tokens.schemas import TokenCreate, TokenCreated, TokenPublic

SESSION_ONLY = {403: "Sent with a personal access token: log in with the password for this."}

router = APIRouter(
    prefix="/me/tokens",
    tags=["tokens"],
    responses=error_responses(401, 403, 503, meanings=SESSION_ONLY),
)

TokenId = Annotated[uuid.UUID, Path(description="The token's id (`GET /me/tokens`).")]


@router.get("")
async def list_tokens(caller: SessionCaller, db: DatabaseDep) -> list[TokenPublic]:
    """Your personal access tokens, newest first, with when each was last used (never
    their secrets). Expired ones stay listed until revoked."""
    return await tokens.mine(db, caller)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        404,
        409,
        meanings={
            404: "One of `list_ids` is not a list you are a member of.",
            409: "You have as many tokens as an account may: revoke one first.",
        },
    ),
)
async def create_token(
    body: TokenCreate, caller: SessionCaller, db: DatabaseDep, response: Response
) -> TokenCreated:
    """Create a personal access token for a script or notebook: send its `secret` as
    `Authorization: Bearer <secret>` wherever a log-in token is accepted. The secret is
    in this response only; it cannot be shown again. A `read` token is refused every
    change (403); a token for chosen lists finds no other list (404), and is refused
    creating lists, `GET /events`, export and import (403)."""
    response.headers["Cache-Control"] = "no-store"  # a secret: RFC 6749 section 5.1
    return await tokens.create_token(db, caller, body)


@router.delete(
    "/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, meanings={404: "No such token among yours."}),
)
async def revoke_token(token_id: TokenId, caller: SessionCaller, db: DatabaseDep) -> Response:
    """Revoke a token: any request made with it from now on is a 401."""
    await tokens.revoke(db, caller, token_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
