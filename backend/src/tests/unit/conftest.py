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
from app.platform.tables import utcnow
from app.sessions import service as sessions
from app.sessions.tables import UserSession
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
    FakeSessionDAO,
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
    monkeypatch.setattr(FakeSessionDAO, "sessions", {})
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
    """A log-in's headers: a session row, as `POST /auth/login` makes, and its token."""
    settings = app.state.settings
    now = utcnow()
    session = UserSession(
        user_id=user_id,
        expires_at=now + settings.access_token_ttl,
        idle_expires_at=now + settings.session_idle_timeout,
        device="test",
        address="127.0.0.1",
    )
    FakeSessionDAO.sessions[session.id] = session
    sessions._recorded_use.mark(session.id)  # as logging in does: its use was just written
    token = create_access_token(
        user_id,
        token_generation,
        session.id,
        secret=settings.jwt_secret,
        expires_at=session.expires_at,
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def alice(fake_app: FastAPI) -> dict[str, str]:
    return headers_for(fake_app, FakeUserDAO.add("alice", password_hash="unused").id)


@pytest.fixture
def bob(fake_app: FastAPI) -> dict[str, str]:
    return headers_for(fake_app, FakeUserDAO.add("bob", password_hash="unused").id)
