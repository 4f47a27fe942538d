"""Two `minor-illusion serve` replicas on one PostgreSQL database, behind nginx running
the repository's config: whichever replica answers, the answer is the same."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tests.scaleout.harness import Cluster, running_cluster
from tests.scaleout.load import Tally, create_todo, login, new_user_name, send

LOAD_REQUESTS = 240
CONCURRENCY = 8


@pytest.fixture(scope="module")
def cluster(shared_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with running_cluster(shared_database, tmp_path_factory.mktemp("stateless")) as cluster:
        yield cluster


async def test_token_issued_by_one_replica_works_on_the_other(cluster: Cluster) -> None:
    async with httpx.AsyncClient(base_url=cluster.one.url) as one:
        auth = await login(one, new_user_name())
    async with httpx.AsyncClient(base_url=cluster.two.url) as two:
        me = await two.get("/me", headers=auth)
    assert me.status_code == 200, me.text


async def test_todo_written_through_one_is_read_through_the_other(cluster: Cluster) -> None:
    async with (
        httpx.AsyncClient(base_url=cluster.one.url) as one,
        httpx.AsyncClient(base_url=cluster.two.url) as two,
    ):
        auth = await login(one, new_user_name())
        created = await one.post("/todo", json={"title": "written on one"}, headers=auth)
        assert created.status_code == 201
        todo_id = created.json()["id"]

        read = await two.get(f"/todo/{todo_id}", headers=auth)
        assert read.status_code == 200
        assert read.json() == created.json()

        # ...and an edit on two, guarded by the ETag one issued, is seen on one.
        edited = await two.patch(
            f"/todo/{todo_id}",
            json={"completed": True},
            headers={**auth, "If-Match": created.headers["etag"]},
        )
        assert edited.status_code == 200
        assert (await one.get(f"/todo/{todo_id}", headers=auth)).json()["completed"] is True


async def test_healthz_names_the_instance_and_both_answer_under_load(cluster: Cluster) -> None:
    instances: Counter[str] = Counter()
    tally = Tally()
    deadline = asyncio.get_running_loop().time() + 60
    async with httpx.AsyncClient(base_url=cluster.proxy.url, timeout=10) as client:
        auth = await login(client, new_user_name())
        requests = itertools.count()

        async def worker() -> None:
            while (n := next(requests)) < LOAD_REQUESTS:
                assert asyncio.get_running_loop().time() < deadline, "load did not finish"
                if n % 3 == 0:
                    outcome = await send(client, tally, "GET", "/healthz")
                    assert isinstance(outcome, httpx.Response)
                    instances[outcome.json()["instance"]] += 1
                elif n % 3 == 1:
                    await create_todo(client, tally, auth, f"load {n}", deadline=deadline)
                else:
                    await send(client, tally, "GET", "/todo?limit=20", headers=auth)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))

    print(f"\nstateless load through nginx: {tally.summary()}; /healthz instances {instances}")
    assert tally.ok == tally.sent == LOAD_REQUESTS, tally.summary()
    assert set(instances) == {cluster.one.instance, cluster.two.instance}
    assert min(instances.values()) >= LOAD_REQUESTS // 3 // 4, "round robin: both share the load"
    upstreams = {line.split("upstream=")[1].split()[0] for line in cluster.proxy.access_lines()}
    assert {cluster.one.address, cluster.two.address} <= upstreams


def test_request_id_is_followed_through_the_proxy(cluster: Cluster) -> None:
    answered = set()
    for n in range(4):  # round robin: both replicas get one
        request_id = f"trace-stateless-{n}"
        response = httpx.get(f"{cluster.proxy.url}/healthz", headers={"X-Request-ID": request_id})
        assert response.headers["x-request-id"] == request_id
        instance = response.json()["instance"]
        backend = cluster.one if instance == cluster.one.instance else cluster.two
        answered.add(backend.instance)
        backend.wait_for_request_log(request_id)
        line = cluster.proxy.wait_for_access_line(f"request_id={request_id}")
        assert f"upstream={backend.address}" in line
    assert answered == {cluster.one.instance, cluster.two.instance}
