"""The role matrix on fake DAOs: the rules of `app.access` and `app.lists.service`,
with no database (the same table runs on every engine in tests/api)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.role_matrix import OPERATIONS, Operation, Users, expected, observe
from tests.unit.conftest import headers_for
from tests.unit.fakes import FakeUserDAO


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.name)
async def test_role_matrix(
    fake_app: FastAPI, fake_client: httpx.AsyncClient, operation: Operation
) -> None:
    async def make_user() -> tuple[str, dict[str, str]]:
        user = FakeUserDAO.add(f"user{len(FakeUserDAO.users)}", password_hash="unused")
        return user.name, headers_for(fake_app, user.id)

    users = await Users.make(make_user)
    assert await observe(fake_client, users, operation) == expected(operation)
