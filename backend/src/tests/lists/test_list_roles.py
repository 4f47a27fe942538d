"""The role matrix on every engine: each list and todo operation, tried by a
non-member, a viewer, an editor and an owner (the table is tests/role_matrix.py; the
same runs on fake DAOs in tests/unit)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from app.invitations import service as invitations
from app.lists import service as lists
from tests.conftest import MakeUser
from tests.role_matrix import OPERATIONS, Operation, Users, expected, observe

# One cast of users per app (per engine): signing up costs a password hash each, and
# every operation is tried on lists of its own anyway.
_cast: dict[int, Users] = {}


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.name)
async def test_role_matrix(
    app: FastAPI,
    client: httpx.AsyncClient,
    make_user: MakeUser,
    operation: Operation,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The cast's one owner makes a list and invites five accounts per world: a world per
    # operation and actor, past the caps on lists owned and invitations an hour.
    monkeypatch.setattr(invitations, "MAX_SENT_PER_HOUR", 10_000)
    monkeypatch.setattr(lists, "MAX_OWNED_LISTS", 10_000)
    if id(app) not in _cast:
        _cast[id(app)] = await Users.make(make_user)
    assert await observe(client, _cast[id(app)], operation) == expected(operation)
