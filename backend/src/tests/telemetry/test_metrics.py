"""Each metric the app records, at its source, in-process (the default registry of this
process; each test compares before and after). tests/telemetry/test_metrics_server.py
checks the same through a real server's scrape."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncConnection

from app.platform.db import Database, RetryPolicy
from app.platform.errors import RetryTransactionError, ServiceUnavailableError
from app.platform.security import Caller
from app.platform.telemetry import metrics
from tests.conftest import ClientFrom, MakeUser, new_address, signup_and_login

sqlite_only = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_route_labels_are_templates_and_methods_are_bounded() -> None:
    class Route:
        path = "/todo/{todo_id}"

    scope = {"method": "BREW", "route": Route()}
    before = sample(
        "minor_illusion_http_requests_total", method="other", route="/todo/{todo_id}", status="418"
    )
    recorder = metrics.RequestMetrics()
    recorder.started()
    recorder.finished(scope, 418, 0.003)
    after = sample(
        "minor_illusion_http_requests_total", method="other", route="/todo/{todo_id}", status="418"
    )
    assert after == before + 1
    assert metrics.route_template({"method": "GET"}) == metrics.UNMATCHED_ROUTE


async def test_reruns_and_unavailable_are_counted_by_reason() -> None:
    db = Database("sqlite+aiosqlite://", retry=RetryPolicy(attempts=3, base_delay=0.001))
    rerun = "minor_illusion_db_transaction_reruns_total"
    unavailable = "minor_illusion_db_unavailable_total"
    reruns_before = sample(rerun, mode="write", sqlstate="retry_requested")
    exhausted_before = sample(unavailable, reason="retries_exhausted")
    refused_before = sample(unavailable, reason="ConnectionRefusedError")
    runs_before = sample("minor_illusion_db_transactions_total", mode="write")

    async def contended(_: AsyncConnection) -> None:
        raise RetryTransactionError

    async def unreachable(_: AsyncConnection) -> None:
        raise ConnectionRefusedError

    try:
        with pytest.raises(ServiceUnavailableError):
            await db.write(contended)
        with pytest.raises(ServiceUnavailableError):
            await db.write(unreachable)
    finally:
        await db.dispose()
    assert sample(rerun, mode="write", sqlstate="retry_requested") == reruns_before + 2
    assert sample(unavailable, reason="retries_exhausted") == exhausted_before + 1
    assert sample(unavailable, reason="ConnectionRefusedError") == refused_before + 1
    assert sample("minor_illusion_db_transactions_total", mode="write") == runs_before + 2


@sqlite_only
async def test_login_throttle_hits_are_counted(
    client_from: ClientFrom, client: httpx.AsyncClient, app: FastAPI
) -> None:
    name, _ = await signup_and_login(client)
    limit = app.state.settings.login_failures_per_name
    before = sample("minor_illusion_login_throttled_total", key="name")
    async with client_from(new_address()) as guesser:
        statuses = [
            (
                await guesser.post("/auth/login", data={"username": name, "password": "wrong!"})
            ).status_code
            for _ in range(limit + 2)
        ]
    assert statuses == [401] * limit + [429, 429]
    assert sample("minor_illusion_login_throttled_total", key="name") == before + 2


@sqlite_only
async def test_open_streams_gauge_follows_subscriptions(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    me = (await client.get("/me", headers=headers)).json()
    broker = app.state.broker
    before = sample("minor_illusion_event_streams_open")
    subscription, _ = await broker.subscribe(Caller(uuid.UUID(me["id"]), 0), None)
    assert sample("minor_illusion_event_streams_open") == before + 1
    broker.unsubscribe(subscription)
    broker.unsubscribe(subscription)  # twice: counted out once
    assert sample("minor_illusion_event_streams_open") == before


def test_the_supervisor_empties_a_configured_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(metrics.MULTIPROC_ENV, "")  # restored after the test
    stale = tmp_path / "counter_4242.db"
    stale.write_bytes(b"an earlier run's counts")
    directory, created = metrics.prepare_multiprocess_dir(tmp_path)
    assert (directory, created) == (tmp_path, False)
    assert not stale.exists()
    assert os.environ[metrics.MULTIPROC_ENV] == str(tmp_path)
    temporary, created = metrics.prepare_multiprocess_dir(None)
    assert created
    assert temporary.is_dir()
    metrics.remove_multiprocess_dir(temporary)
    assert not temporary.exists()
