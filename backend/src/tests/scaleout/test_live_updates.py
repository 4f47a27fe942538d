"""Live updates across replicas: two `minor-illusion serve` replicas on one PostgreSQL
database behind nginx running the repository's config. Changes written through either
replica reach subscribers on both (and through nginx) exactly once, in per-todo version
order, within a second; a subscriber that drops out mid-burst and resumes elsewhere
ends with the same state; a replica that stops ends its streams at once."""

from __future__ import annotations

import asyncio
import signal
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.processes import backend_env, running_backend
from tests.scaleout.harness import Cluster, running_cluster
from tests.scaleout.load import login, new_user_name
from tests.sharing import add_member
from tests.sse import EventStream, Message, http_stream

WRITES = 200
CONCURRENCY = 4
HEARTBEAT = "1"  # seconds: idle streams through nginx get several in a test


@pytest.fixture(scope="module")
def cluster(shared_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    logs = tmp_path_factory.mktemp("live")
    with running_cluster(shared_database, logs, EVENTS_HEARTBEAT_SECONDS=HEARTBEAT) as cluster:
        yield cluster


Expected = tuple[str, str, int]  # (event type, todo id, version)


async def _shared_list(cluster: Cluster) -> tuple[dict[str, str], dict[str, str], str]:
    """An owner and an editor of a new list: (owner's auth, editor's auth, list id)."""
    async with httpx.AsyncClient(base_url=cluster.one.url) as one:
        owner = await login(one, new_user_name())
        editor_name = new_user_name()
        editor = await login(one, editor_name)
        created = await one.post("/lists", json={"name": "burst"}, headers=owner)
        list_id: str = created.json()["id"]
        shared = await add_member(one, owner, list_id, editor_name, "editor", editor)
        assert shared.status_code == 200, shared.text
    return owner, editor, list_id


async def _burst(
    cluster: Cluster, authors: list[dict[str, str]], list_id: str, writes: int
) -> dict[Expected, float]:
    """`writes` changes to the list, alternating replicas and authors, CONCURRENCY at a
    time: half creates, then updates and deletes of what was created. Returns each
    change's expected event with the time its response arrived."""
    done: dict[Expected, float] = {}
    creates = writes // 2
    todos: list[dict[str, Any]] = []
    async with (
        httpx.AsyncClient(base_url=cluster.one.url, timeout=10) as one,
        httpx.AsyncClient(base_url=cluster.two.url, timeout=10) as two,
    ):
        replicas = (one, two)

        async def write(n: int) -> None:
            client, auth = replicas[n % 2], authors[n % len(authors)]
            if n < creates:
                response = await client.post(
                    f"/lists/{list_id}/todos", json={"title": f"t{n}"}, headers=auth
                )
                assert response.status_code == 201, response.text
                todo = response.json()
                todos.append(todo)
                done["todo.created", todo["id"], 0] = time.monotonic()
                return
            todo = todos[n % creates]
            if n < writes - creates // 2:  # updates, the first half of the rest
                response = await client.patch(
                    f"/todo/{todo['id']}", json={"completed": True, "title": f"u{n}"}, headers=auth
                )
                assert response.status_code == 200, response.text
                changed = response.json()
                done["todo.updated", changed["id"], changed["version"]] = time.monotonic()
            else:
                response = await client.delete(f"/todo/{todo['id']}", headers=auth)
                assert response.status_code == 200, response.text
                done["todo.deleted", todo["id"], -1] = time.monotonic()

        async def worker(phase: range) -> None:
            for n in phase:
                await write(n)

        for phase in (range(creates), range(creates, writes - creates // 2)):
            numbers = list(phase)
            lanes = [numbers[i::CONCURRENCY] for i in range(CONCURRENCY)]
            await asyncio.gather(
                *(worker(range(0)) if not lane else _lane(write, lane) for lane in lanes)
            )
        deletes = list(range(writes - creates // 2, writes))
        await asyncio.gather(*(_lane(write, deletes[i::CONCURRENCY]) for i in range(CONCURRENCY)))
    return done


async def _lane(write: Any, numbers: list[int]) -> None:
    for n in numbers:
        await write(n)


def _key(message: Message) -> Expected:
    data = message.data
    if message.type == "todo.deleted":
        return message.type, data["todo_id"], -1
    return message.type, data["todo"]["id"], data["todo"]["version"]


async def _collect(stream: EventStream, count: int) -> list[Message]:
    """The next `count` todo events (within 30 s)."""
    taken: list[Message] = []
    deadline = time.monotonic() + 30
    while len(taken) < count:
        message = await stream.next(max(0.1, deadline - time.monotonic()))
        if message.type.startswith("todo."):
            taken.append(message)
    return taken


def _in_version_order(messages: list[Message]) -> bool:
    last: dict[str, int] = {}
    for message in messages:
        todo_id, version = _key(message)[1:]
        if message.type == "todo.deleted":
            version = 1 << 30
        if version <= last.get(todo_id, -1):
            return False
        last[todo_id] = version
    return True


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def test_every_change_reaches_every_replica_exactly_once_in_order(
    cluster: Cluster,
) -> None:
    owner, editor, list_id = await _shared_list(cluster)
    async with (
        http_stream(cluster.one.url, owner) as on_one,
        http_stream(cluster.two.url, editor) as on_two,
        http_stream(cluster.proxy.url, owner) as via_nginx,
    ):
        for stream in (on_one, on_two, via_nginx):
            assert (await stream.next()).type == "ready"
        written = await _burst(cluster, [owner, editor], list_id, WRITES)
        received = await asyncio.gather(*(_collect(s, WRITES) for s in (on_one, on_two, via_nginx)))
        # Nothing more than the changes: no repeats arrive afterwards either.
        extra = [m for s in (on_one, on_two) for m in await s.quiet(0.5)]
    assert len(written) == WRITES
    latencies: list[float] = []
    for messages in received:
        keys = [_key(m) for m in messages]
        assert sorted(keys) == sorted(written), "each change exactly once"
        assert _in_version_order(messages)
        latencies += [m.received_at - written[_key(m)] for m in messages]
    assert [m for m in extra if m.type.startswith("todo.")] == []
    p50, p99 = statistics.median(latencies), _percentile(latencies, 0.99)
    print(f"\ndelivery latency over {len(latencies)} deliveries: p50 {p50 * 1000:.0f} ms, "
          f"p99 {p99 * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")  # fmt: skip
    assert p99 < 1.0


async def test_a_subscriber_that_resumes_mid_burst_ends_with_the_same_state(
    cluster: Cluster,
) -> None:
    owner, editor, list_id = await _shared_list(cluster)
    writes = 120
    async with http_stream(cluster.one.url, owner) as steady:
        assert (await steady.next()).type == "ready"
        async with http_stream(cluster.two.url, editor) as leaving:
            assert (await leaving.next()).type == "ready"
            burst = asyncio.create_task(_burst(cluster, [owner, editor], list_id, writes))
            before = await _collect(leaving, 30)
            # Everything up to the last id this client saw goes with it.
            before += [m for m in leaving.received() if m.type.startswith("todo.")]
            last_id = leaving.last_id
        await asyncio.sleep(0.3)  # away while the burst goes on
        async with http_stream(cluster.one.url, editor, last_event_id=last_id) as back:
            ready = await back.next()
            assert ready.data == {"type": "ready", "resumed": True}
            written = await burst
            after = await _collect(back, writes - len(before))
        everything = await _collect(steady, writes)
    resumed = before + after
    assert sorted(map(_key, resumed)) == sorted(written)
    assert _state(resumed) == _state(everything)
    async with httpx.AsyncClient(base_url=cluster.two.url) as two:
        stored = (await two.get(f"/lists/{list_id}/todos", headers=owner)).json()
    assert _state(resumed) == {todo["id"]: todo for todo in stored}


def _state(messages: list[Message]) -> dict[str, dict[str, Any]]:
    """The list's todos as a client applying `messages` holds them."""
    todos: dict[str, dict[str, Any]] = {}
    for message in messages:
        if message.type == "todo.deleted":
            todos.pop(message.data["todo_id"], None)
        else:
            todos[message.data["todo"]["id"]] = message.data["todo"]
    return todos


async def test_an_idle_stream_stays_open_through_nginx(cluster: Cluster) -> None:
    async with httpx.AsyncClient(base_url=cluster.one.url) as one:
        auth = await login(one, new_user_name())
    async with http_stream(cluster.proxy.url, auth) as stream:
        ready = await stream.next()
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert await stream.quiet(3.5) == []
        assert stream.heartbeats >= 2  # each passed nginx as it was sent
        assert stream.last_id != ready.id
        async with httpx.AsyncClient(base_url=cluster.proxy.url) as proxy:
            await proxy.post("/todo", json={"title": "after a pause"}, headers=auth)
        assert (await stream.next()).type == "todo.created"


async def test_a_stopping_replica_ends_its_streams_at_once(
    shared_database: str, tmp_path: Path
) -> None:
    env = backend_env(shared_database, tmp_path / "data")
    with running_backend(env, tmp_path, "stopping", graceful_timeout=20) as backend:
        async with httpx.AsyncClient(base_url=backend.url) as client:
            auth = await login(client, new_user_name())
        async with http_stream(backend.url, auth) as stream:
            assert (await stream.next()).type == "ready"
            started = time.monotonic()
            backend.send_signal(signal.SIGTERM)
            with pytest.raises(EOFError):
                await stream.next(wait=5)
            ended_after = time.monotonic() - started
        backend.process.wait(timeout=10)
        stopped_after = time.monotonic() - started
    assert ended_after < 2, "the stream was held for the graceful timeout"
    assert stopped_after < 5
    assert backend.process.returncode == 0
