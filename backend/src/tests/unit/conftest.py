"""Unit-test fixtures: the real app with fake DAOs and no database.

Only the DAOs and the Database are replaced; routing, validation, services,
authentication, headers and error mapping are the real thing. The DAOs are swapped in
one place, the fields of `app.daos.daos`, which every route and service reads.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.daos import DAOs, daos
from app.main import create_app
from app.platform.http import deps
from app.platform.security import create_access_token
from tests.conftest import asgi_client, settings_for
from tests.unit.fakes import (
    FAKE_DAOS,
    FakeAccessTokenDAO,
    FakeBlockDAO,
    FakeDatabase,
    FakeEventDAO,
    FakeIdempotencyKeyDAO,
    FakeInvitationDAO,
    FakeListMemberDAO,
    FakeLoginThrottleDAO,
    FakeShareLinkDAO,
    FakeTodoDAO,
    FakeTodoListDAO,
    FakeUserDAO,
    FakeWebhookDAO,
)


@pytest.fixture
def fake_db() -> FakeDatabase:
    return FakeDatabase()


@pytest.fixture
def fake_app(monkeypatch: pytest.MonkeyPatch, fake_db: FakeDatabase) -> FastAPI:
    monkeypatch.setattr(FakeTodoDAO, "todos", {})
    monkeypatch.setattr(FakeTodoListDAO, "lists", {})
    monkeypatch.setattr(FakeListMemberDAO, "memberships", {})
    monkeypatch.setattr(FakeUserDAO, "users", {})
    monkeypatch.setattr(FakeIdempotencyKeyDAO, "keys", {})
    monkeypatch.setattr(FakeAccessTokenDAO, "tokens", {})
    monkeypatch.setattr(FakeWebhookDAO, "endpoints", {})
    monkeypatch.setattr(FakeWebhookDAO, "deliveries_by_id", {})
    monkeypatch.setattr(FakeLoginThrottleDAO, "attempts", {})
    monkeypatch.setattr(FakeEventDAO, "logged", [])
    monkeypatch.setattr(FakeInvitationDAO, "invitations", {})
    monkeypatch.setattr(FakeBlockDAO, "blocks", {})
    monkeypatch.setattr(FakeShareLinkDAO, "links", {})
    for field in dataclasses.fields(DAOs):
        monkeypatch.setattr(daos, field.name, getattr(FAKE_DAOS, field.name))
    app = create_app(settings_for("sqlite+aiosqlite://"))
    app.dependency_overrides[deps.get_db] = lambda: fake_db
    return app


@pytest.fixture
async def fake_client(fake_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(fake_app) as http:
        yield http


def headers_for(app: FastAPI, user_id: uuid.UUID, token_generation: int = 0) -> dict[str, str]:
    settings = app.state.settings
    token = create_access_token(
        user_id, token_generation, secret=settings.jwt_secret, ttl=settings.access_token_ttl
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def alice(fake_app: FastAPI) -> dict[str, str]:
    return headers_for(fake_app, FakeUserDAO.add("alice", password_hash="unused").id)


@pytest.fixture
def bob(fake_app: FastAPI) -> dict[str, str]:
    return headers_for(fake_app, FakeUserDAO.add("bob", password_hash="unused").id)
