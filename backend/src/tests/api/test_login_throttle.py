"""Login throttling, on every engine: per name, per address, reset on success, under a
concurrent burst, and behind a trusted proxy. Each test logs in from its own made-up
address so the counters of one test never touch another's."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI

from app.db import Database
from app.models import LoginThrottleDAO, ThrottlePolicy, utcnow
from tests.conftest import TEST_PASSWORD, ClientFrom, MakeUser, new_address


async def login(client: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    return await client.post("/auth/login", data={"username": name, "password": password})


async def test_repeated_failures_lock_the_name(
    make_user: MakeUser, client_from: ClientFrom
) -> None:
    name, _ = await make_user()
    async with client_from(new_address()) as client:
        statuses = [(await login(client, name, "wrong guess")).status_code for _ in range(5)]
        assert statuses == [401] * 5
        locked = await login(client, name, TEST_PASSWORD)  # even the right password
        assert locked.status_code == 429
        assert 0 < int(locked.headers["retry-after"]) <= 300
        assert "try again" in locked.json()["detail"]
    async with client_from(new_address()) as elsewhere:  # the name, not the address
        assert (await login(elsewhere, name, TEST_PASSWORD)).status_code == 429


async def test_repeated_failures_lock_the_address(
    make_user: MakeUser, client_from: ClientFrom
) -> None:
    name, _ = await make_user()
    address = new_address()
    async with client_from(address) as client:
        for n in range(20):  # spread over names, so no single name locks
            assert (await login(client, f"nobody-{n}", "wrong guess")).status_code == 401
        assert (await login(client, name, TEST_PASSWORD)).status_code == 429
    async with client_from(new_address()) as elsewhere:
        assert (await login(elsewhere, name, TEST_PASSWORD)).status_code == 200


async def test_success_resets_the_name(make_user: MakeUser, client_from: ClientFrom) -> None:
    name, _ = await make_user()
    async with client_from(new_address()) as client:
        for _ in range(4):
            assert (await login(client, name, "wrong guess")).status_code == 401
        assert (await login(client, name, TEST_PASSWORD)).status_code == 200
        for _ in range(4):
            assert (await login(client, name, "wrong guess")).status_code == 401
        assert (await login(client, name, TEST_PASSWORD)).status_code == 200


async def test_a_concurrent_burst_counts_every_failure(
    make_user: MakeUser, client_from: ClientFrom, app: FastAPI
) -> None:
    name, _ = await make_user()

    async def attempt() -> int:
        async with client_from(new_address()) as client:
            return (await login(client, name, "wrong guess")).status_code

    statuses = Counter(await asyncio.gather(*(attempt() for _ in range(12))))
    assert set(statuses) <= {401, 429}
    db: Database = app.state.db
    [row] = await db.read(lambda conn: LoginThrottleDAO.rows(conn, [f"name:{name}"]))
    assert row.failures == statuses[401], "every 401 was counted, none twice"
    async with client_from(new_address()) as client:
        assert (await login(client, name, TEST_PASSWORD)).status_code == 429


async def test_forwarded_for_is_believed_only_from_trusted_proxies(
    make_user: MakeUser, client_from: ClientFrom, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, _ = await make_user()
    proxy, spoofer = new_address(), new_address()
    monkeypatch.setattr(app.state.settings, "trusted_proxies", [proxy])
    victim = new_address()
    async with client_from(spoofer) as client:
        # An untrusted peer cannot pin its failures on someone else's address.
        for n in range(20):
            await client.post(
                "/auth/login",
                data={"username": f"nobody-{n}", "password": "x"},
                headers={"X-Forwarded-For": victim},
            )
        assert (await login(client, name, TEST_PASSWORD)).status_code == 429
    async with client_from(proxy) as via_proxy:
        ok = await via_proxy.post(
            "/auth/login",
            data={"username": name, "password": TEST_PASSWORD},
            headers={"X-Forwarded-For": victim},
        )
        assert ok.status_code == 200
        blocked = await via_proxy.post(
            "/auth/login",
            data={"username": name, "password": TEST_PASSWORD},
            headers={"X-Forwarded-For": spoofer},
        )
        assert blocked.status_code == 429, "behind the proxy, the real client is recognised"


async def test_windows_and_locks_expire(app: FastAPI) -> None:
    db: Database = app.state.db
    policy = ThrottlePolicy(limit=2, window=timedelta(minutes=15), lockout=timedelta(minutes=5))
    key = f"name:expiry-{new_address()}"
    start = utcnow()

    async def fail(at: timedelta) -> None:
        await db.write(
            lambda conn: LoginThrottleDAO.record_failure(conn, key, now=start + at, policy=policy)
        )

    async def lock(at: timedelta) -> object:
        return await db.read(
            lambda conn: LoginThrottleDAO.locked_until_max(conn, [key], start + at)
        )

    await fail(timedelta(0))
    await fail(timedelta(minutes=16))  # the first failure's window has passed
    assert await lock(timedelta(minutes=16)) is None
    await fail(timedelta(minutes=17))  # second failure in this window: locked
    assert await lock(timedelta(minutes=18)) == start + timedelta(minutes=22)
    assert await lock(timedelta(minutes=23)) is None
