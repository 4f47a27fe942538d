"""CORS: only the configured origins may call the API from a browser; none by default
(the frontend proxies /api/*, so the browser never needs CORS)."""

from __future__ import annotations

import httpx
import pytest

from app.main import create_app
from tests.conftest import asgi_client, settings_for

ALLOWED = "https://todo.example"
PREFLIGHT = {"Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": "if-match"}


async def preflight(origins: list[str], origin: str) -> httpx.Response:
    app = create_app(settings_for("sqlite+aiosqlite://", cors_origins=origins))
    async with asgi_client(app) as client:
        return await client.options("/todo/x", headers={"Origin": origin, **PREFLIGHT})


async def test_a_configured_origin_may_call() -> None:
    response = await preflight([ALLOWED], ALLOWED)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "PATCH" in response.headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    ("origins", "origin"),
    [
        ([ALLOWED], "https://evil.example"),
        ([ALLOWED], "https://todo.example.evil.example"),
        ([ALLOWED], "null"),
        ([], ALLOWED),  # the default: no origin at all
    ],
)
async def test_any_other_origin_is_refused(origins: list[str], origin: str) -> None:
    response = await preflight(origins, origin)
    assert response.status_code in {400, 405}
    assert "access-control-allow-origin" not in response.headers
