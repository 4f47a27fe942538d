"""The JSON 500 for a bug carries the headers every other response carries: it is the
one response the app renders outside its routes, so a middleware order that puts the
renderer outside the security headers would let it through bare."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from tests.conftest import settings_for


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for("sqlite+aiosqlite://"))

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.mark.parametrize("credentialed", [False, True], ids=["anonymous", "with-authorization"])
async def test_unhandled_error_has_the_security_headers(
    client: httpx.AsyncClient, credentialed: bool
) -> None:
    headers = {"X-Request-ID": "boom-1"}
    if credentialed:
        headers["Authorization"] = "Bearer not-even-checked"
    response = await client.get("/boom", headers=headers)

    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert response.headers["x-request-id"] == "boom-1"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    if credentialed:
        assert response.headers["cache-control"] == "no-store"
    else:
        assert "cache-control" not in response.headers
