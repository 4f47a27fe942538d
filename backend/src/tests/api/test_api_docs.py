"""The interactive API docs work offline: every asset they load comes from this
server, and their Content-Security-Policy allows nothing else. (The e2e suite renders
them in Chromium with the outside network blocked.)"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from app.main import create_app
from app.platform.http.api_docs import INLINE_SCRIPT
from tests.conftest import asgi_client, settings_for

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

ASSET_URL = re.compile(r'(?:src|href)="([^"]+)"')


def _asset_urls(html: str) -> list[str]:
    return ASSET_URL.findall(html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_a_docs_page_loads_only_this_servers_assets(
    client: httpx.AsyncClient, page: str
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    urls = _asset_urls(response.text)
    assert urls, "the page loads its UI from somewhere"
    for url in urls:
        assert url.startswith("/docs/assets/"), url
        asset = await client.get(url)
        assert asset.status_code == 200, url
        assert len(asset.content) > 1000, url
        assert asset.headers["cache-control"] == "public, max-age=86400"
    assert "http://" not in response.text
    assert "https://" not in response.text


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_a_docs_page_allows_only_its_own_origin_and_inline_script(
    client: httpx.AsyncClient, page: str
) -> None:
    response = await client.get(page)
    header = response.headers["content-security-policy"]
    policy = dict(directive.split(" ", 1) for directive in header.split("; "))
    assert policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'"
    scripts = policy["script-src"].split()
    assert scripts[0] == "'self'"
    inline = INLINE_SCRIPT.findall(response.text)
    expected = [
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
        for body in inline
    ]
    assert scripts[1:] == expected
    assert "'unsafe-inline'" not in policy["script-src"]


async def test_the_root_points_at_the_docs(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "/docs"


@pytest.mark.parametrize(
    "name", ["../../__init__.py", "..%2F..%2F__init__.py", "core.py", "swagger-ui.css.map", ""]
)
async def test_an_asset_outside_the_named_set_is_not_served(
    client: httpx.AsyncClient, name: str
) -> None:
    response = await client.get(f"/docs/assets/{name}")
    assert response.status_code in (404, 422)
    assert response.headers["content-type"] == "application/json"


@pytest.fixture
async def mounted_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """The app as a proxy mounting it under /api would see it (ROOT_PATH=/api)."""
    async with asgi_client(create_app(settings_for(database_url, root_path="/api"))) as http:
        yield http


async def test_behind_a_path_prefix_the_docs_link_under_it(
    mounted_client: httpx.AsyncClient,
) -> None:
    response = await mounted_client.get("/api/docs")
    assert response.status_code == 200
    assert all(url.startswith("/api/docs/assets/") for url in _asset_urls(response.text))
    assert "url: '/api/openapi.json'" in response.text
    root = await mounted_client.get("/api/")
    assert root.headers["location"] == "/api/docs"
