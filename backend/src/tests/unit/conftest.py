"""Unit-test fixtures: the real app with fake DAOs and no database.

Only the DAO classes and the Database are replaced; routing, validation,
authentication, headers and error mapping are the real thing.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.api import deps
from app.api.routes import todos, users
from app.core.security import create_access_token
from app.main import create_app
from app.models import UserDAO
from tests.conftest import asgi_client, settings_for
from tests.unit.fakes import FakeDatabase, FakeIdempotencyKeyDAO, FakeTodoDAO, FakeUserDAO


@pytest.fixture
def fake_db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def fake_app(monkeypatch: pytest.MonkeyPatch, fake_db: FakeDatabase) -> FastAPI:
    monkeypatch.setattr(FakeTodoDAO, "todos", {})
    monkeypatch.setattr(FakeUserDAO, "users", {})
    monkeypatch.setattr(FakeIdempotencyKeyDAO, "keys", {})
    monkeypatch.setattr(todos, "TodoDAO", FakeTodoDAO)
    monkeypatch.setattr(todos, "IdempotencyKeyDAO", FakeIdempotencyKeyDAO)
    monkeypatch.setattr(users, "UserDAO", FakeUserDAO)
    app = create_app(settings_for("sqlite+aiosqlite://"))
    app.dependency_overrides[deps.get_db] = lambda: fake_db
    return app


@pytest.fixture
async def fake_client(fake_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(fake_app) as http:
        yield http


def headers_for(app: FastAPI, user_id: uuid.UUID) -> dict[str, str]:
    settings = app.state.settings
    token = create_access_token(
        user_id, 0, secret=settings.jwt_secret, ttl=settings.access_token_ttl
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def alice(fake_app: FastAPI) -> dict[str, str]:
    user = UserDAO(name="alice", name_key="alice", password_hash="unused")
    FakeUserDAO.users[user.id] = user
    return headers_for(fake_app, user.id)


@pytest.fixture
def bob(fake_app: FastAPI) -> dict[str, str]:
    user = UserDAO(name="bob", name_key="bob", password_hash="unused")
    FakeUserDAO.users[user.id] = user
    return headers_for(fake_app, user.id)
