"""Metrics from a real `minor-illusion serve` with TWO worker processes on PostgreSQL:
the counts scraped from the metrics port equal the requests sent, whichever worker
answered each request and the scrape; the transaction re-run counter rises by exactly
the re-runs the runner logged; /metrics is served on the metrics port only."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.platform.db import KNOWN_RERUN_REASONS, KNOWN_UNAVAILABLE_REASONS, Mode
from tests.databases import free_port
from tests.processes import SERVER_POOL_SIZE, Backend, backend_env, running_backend
from tests.telemetry.conftest import scrape, total, value

REQUESTS = "minor_illusion_http_requests_total"
LATENCY_COUNT = "minor_illusion_http_request_duration_seconds_count"
RERUNS = "minor_illusion_db_transaction_reruns_total"
CONCURRENT_PATCHES = 20


class MetricsServer:
    def __init__(self, backend: Backend, metrics_port: int) -> None:
        self.backend = backend
        self.metrics_url = f"http://127.0.0.1:{metrics_port}/metrics"


@pytest.fixture(scope="module")
def server(postgres_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MetricsServer]:
    logs: Path = tmp_path_factory.mktemp("metrics-server")
    metrics_port = free_port()
    # DEBUG: the runner logs each re-run (`transaction_retry`) at debug level.
    env = backend_env(postgres_url, logs, METRICS_PORT=str(metrics_port), LOG_LEVEL="DEBUG")
    with running_backend(env, logs, "server", workers=2) as backend:
        yield MetricsServer(backend, metrics_port)


def test_every_known_cause_is_a_series_from_the_first_scrape(server: MetricsServer) -> None:
    """Before any re-run, 503 or throttled log-in, each known cause is a series at 0: a
    panel shows 0 rather than "No data", and a `rate()` alert has something to see."""
    first = scrape(server.metrics_url)
    for mode in Mode:
        for sqlstate in KNOWN_RERUN_REASONS:
            assert (RERUNS, frozenset({("mode", mode.value), ("sqlstate", sqlstate)})) in first
    for reason in KNOWN_UNAVAILABLE_REASONS:
        assert value(first, "minor_illusion_db_unavailable_total", reason=reason) == 0
        assert ("minor_illusion_db_unavailable_total", frozenset({("reason", reason)})) in first
    for key in ("addr", "name"):
        assert ("minor_illusion_login_throttled_total", frozenset({("key", key)})) in first
    assert value(first, RERUNS, mode="write", sqlstate="40001") == 0


def test_scraped_counts_equal_the_requests_sent(server: MetricsServer) -> None:
    url = server.backend.url
    before = scrape(server.metrics_url)
    sent: Counter[tuple[str, str, str]] = Counter()
    close = {"Connection": "close"}  # a new connection each: both workers get some

    def send(
        method: str,
        path: str,
        route: str,
        *,
        headers: dict[str, str] | None = None,
        json: object = None,
        data: dict[str, str] | None = None,
    ) -> httpx.Response:
        response = httpx.request(
            method, f"{url}{path}", headers={**close, **(headers or {})}, json=json, data=data
        )
        sent[(method, route, str(response.status_code))] += 1
        return response

    name = f"metrics-{uuid.uuid4().hex[:8]}"
    account = {"name": name, "password": "metrics password"}
    assert send("POST", "/auth/signup", "/auth/signup", json=account).status_code == 201
    form = {"username": name, "password": "metrics password"}
    login = send("POST", "/auth/login", "/auth/login", data=form)
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
    ids = [
        send("POST", "/todo/", "/todo/", json={"title": f"t{n}"}, headers=auth).json()["id"]
        for n in range(3)
    ]
    for n in range(12):
        send("GET", f"/todo/{ids[n % 3]}", "/todo/{todo_id}", headers=auth)
    for _ in range(4):
        send("GET", f"/todo/{uuid.uuid4()}", "/todo/{todo_id}", headers=auth)  # 404
    for _ in range(3):
        send("GET", "/todo/", "/todo/")  # 401: no token
    for _ in range(2):
        send("GET", f"/no/such/path/{uuid.uuid4()}", "unmatched")  # no route: one label
    instances: set[str] = set()
    for _ in range(200):  # until both workers have answered one (the kernel picks)
        instances.add(send("GET", "/healthz", "/healthz").json()["instance"])
        if len(instances) == 2:
            break
    assert len(instances) == 2, f"both workers answered: {instances}"

    after = scrape(server.metrics_url)
    assert set(sent) >= {("GET", "/todo/{todo_id}", "200"), ("GET", "/todo/{todo_id}", "404")}
    for (method, route, status), count in sent.items():
        labels = {"method": method, "route": route, "status": status}
        delta = value(after, REQUESTS, **labels) - value(before, REQUESTS, **labels)
        assert delta == count, (labels, delta, count)
    for method, route in {(m, r) for m, r, _ in sent}:
        sent_here = sum(n for (m, r, _), n in sent.items() if (m, r) == (method, route))
        labels = {"method": method, "route": route}
        delta = value(after, LATENCY_COUNT, **labels) - value(before, LATENCY_COUNT, **labels)
        assert delta == sent_here, (labels, delta, sent_here)
    assert total(after, REQUESTS) - total(before, REQUESTS) == sum(sent.values())
    assert value(after, "minor_illusion_http_requests_in_progress") == 0
    # Two workers' two pools.
    assert value(after, "minor_illusion_db_pool_size") == 2 * 2 * SERVER_POOL_SIZE
    assert value(after, "minor_illusion_db_pool_checked_out") == 0


async def test_rerun_counter_rises_by_the_reruns_the_runner_logged(
    server: MetricsServer,
) -> None:
    """Concurrent moves of one todo between two lists (a move reads the todo first, so it
    is a SERIALIZABLE transaction): PostgreSQL refuses conflicting commits (40001) and
    the runner re-runs them, logging each re-run."""
    before = scrape(server.metrics_url)
    logged_before = server.backend.count_events("transaction_retry")
    async with httpx.AsyncClient(base_url=server.backend.url, timeout=60) as http:
        name = f"race-{uuid.uuid4().hex[:8]}"
        account = {"name": name, "password": "race password"}
        (await http.post("/auth/signup", json=account)).raise_for_status()
        form = {"username": name, "password": "race password"}
        login = (await http.post("/auth/login", data=form)).raise_for_status()
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        lists = [
            (await http.post("/lists", json={"name": f"L{n}"}, headers=auth)).json()["id"]
            for n in range(2)
        ]
        created = await http.post(f"/lists/{lists[0]}/todos", json={"title": "hot"}, headers=auth)
        todo = created.json()
        responses = await asyncio.gather(
            *(
                http.patch(f"/todo/{todo['id']}", json={"list_id": lists[n % 2]}, headers=auth)
                for n in range(CONCURRENT_PATCHES)
            )
        )
    assert [r.status_code for r in responses] == [200] * CONCURRENT_PATCHES
    await asyncio.sleep(0.5)  # the workers' last log lines reach the file
    logged = server.backend.count_events("transaction_retry") - logged_before
    after = scrape(server.metrics_url)
    counted = total(after, RERUNS) - total(before, RERUNS)
    assert logged > 0, "the race produced no re-run"
    assert counted == logged
    assert total(after, RERUNS, sqlstate="40001") - total(before, RERUNS, sqlstate="40001") > 0


def test_metrics_are_served_on_the_metrics_port_only(server: MetricsServer) -> None:
    public = httpx.get(f"{server.backend.url}/metrics", timeout=10)
    assert public.status_code == 404
    assert "minor_illusion_" not in public.text
    other = httpx.get(server.metrics_url.replace("/metrics", "/healthz"), timeout=10)
    assert other.status_code == 404
    scraped = httpx.get(server.metrics_url, timeout=10)
    assert scraped.headers["content-type"].startswith("text/plain")
    assert "minor_illusion_http_requests_total" in scraped.text
