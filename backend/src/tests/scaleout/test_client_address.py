"""Compose's chain, frontend -> nginx -> backend, with the trust model compose ships:
the backends believe X-Forwarded-For from the proxy and the frontend only, each known
by its address. Here the addresses are loopback ones (all of 127/8 is this machine):
nginx reaches the replicas from 127.0.0.1, "the frontend" is a client bound to
127.0.0.2 that sets X-Forwarded-For as the real one does, and API clients come from
127.0.0.3 and up. (The frontend's own hop is tested in the e2e suite.)

Before, the backends trusted the whole private range: every browser arrived as the
frontend, so 21 failed log-ins from 21 browsers locked everyone out."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.conftest import TEST_PASSWORD
from tests.scaleout.harness import Nginx, running_cluster
from tests.scaleout.load import login, new_user_name

NGINX_SOURCE, FRONTEND = "127.0.0.1", "127.0.0.2"
ADDRESS_LIMIT = 20


@pytest.fixture(scope="module")
def proxy(shared_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nginx]:
    logs = tmp_path_factory.mktemp("client-address")
    trust = f"{NGINX_SOURCE},{FRONTEND}"
    with running_cluster(shared_database, logs, TRUSTED_PROXIES=trust) as cluster:
        yield cluster.proxy


def client_at(proxy: Nginx, source: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=source)
    return httpx.AsyncClient(base_url=proxy.url, transport=transport, timeout=30)


async def attempt(
    client: httpx.AsyncClient, name: str, password: str, *, browser: str | None = None
) -> int:
    headers = {"X-Forwarded-For": browser} if browser else {}
    response = await client.post(
        "/auth/login", data={"username": name, "password": password}, headers=headers
    )
    return response.status_code


async def test_browsers_behind_the_frontend_are_told_apart(proxy: Nginx) -> None:
    async with client_at(proxy, "127.0.0.3") as api:
        victim = new_user_name()
        await login(api, victim)  # signs up
    async with client_at(proxy, FRONTEND) as frontend:
        for n in range(ADDRESS_LIMIT + 1):  # 21 browsers, each failing with some name
            status = await attempt(frontend, f"nobody-{n}", "wrong", browser=f"198.51.100.{n}")
            assert status == 401
        # A 22nd browser logs in: the frontend's own address was never the one counted.
        assert await attempt(frontend, victim, TEST_PASSWORD, browser="198.51.100.99") == 200


async def test_an_api_client_cannot_claim_another_address(proxy: Nginx) -> None:
    async with client_at(proxy, "127.0.0.4") as api:
        victim = new_user_name()
        await login(api, victim)
    async with client_at(proxy, "127.0.0.5") as spoofer:
        for n in range(ADDRESS_LIMIT):  # each claims to be the victim's browser
            forged = f"198.51.100.200, {FRONTEND}"  # even dressed as coming via the frontend
            assert await attempt(spoofer, f"nobody-{n}", "wrong", browser=forged) == 401
        # The failures were the spoofer's own: its address is locked...
        assert await attempt(spoofer, victim, TEST_PASSWORD) == 429
    # ...and the browser it named is not.
    async with client_at(proxy, FRONTEND) as frontend:
        assert await attempt(frontend, victim, TEST_PASSWORD, browser="198.51.100.200") == 200
