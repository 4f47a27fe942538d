"""Concurrent clients on one todo. On PostgreSQL a change that is one statement waits
for the row's lock at READ COMMITTED and re-reads the row; a change that is a
transaction (a move, an idempotent create) provokes real serialization failures (40001)
that the transaction runner must absorb; on SQLite the same requests queue for the
single writer. Either way the outcome is exact."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncConnection

from app.daos import daos
from app.live.log import START, LoggedEvent
from tests.conftest import MakeUser

CONCURRENT = 20


async def test_concurrent_patches_all_succeed(
    client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI
) -> None:
    _, headers = await make_user()
    retries_before = app.state.db.retries_total
    todo = (await client.post("/todo", json={"title": "hot"}, headers=headers)).json()

    responses = await asyncio.gather(
        *(
            client.patch(f"/todo/{todo['id']}", json={"content": f"writer {n}"}, headers=headers)
            for n in range(CONCURRENT)
        )
    )

    assert [r.status_code for r in responses] == [200] * CONCURRENT
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(1, CONCURRENT + 1)), "each update saw the one before it"
    final = (await client.get(f"/todo/{todo['id']}", headers=headers)).json()
    assert final["version"] == CONCURRENT
    # The event log, read as streams read it, has them in version order too, although
    # the writers that waited for the row's lock took their transaction ids earlier.
    assert await logged_versions(app, todo["id"], CONCURRENT + 1) == list(range(CONCURRENT + 1))
    # Waited for, not refused and re-run: each PATCH was one statement.
    assert app.state.db.retries_total == retries_before


async def test_concurrent_moves_rerun_and_stay_in_order(
    client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI
) -> None:
    """A move reads the todo first, so it is a SERIALIZABLE transaction: racing moves
    really fail with 40001 on PostgreSQL, and the runner re-runs them."""
    _, headers = await make_user()
    retries_before = app.state.db.retries_total
    lists = [
        (await client.post("/lists", json={"name": f"L{n}"}, headers=headers)).json()["id"]
        for n in range(2)
    ]
    todo = (
        await client.post(f"/lists/{lists[0]}/todos", json={"title": "t"}, headers=headers)
    ).json()

    responses = await asyncio.gather(
        *(
            client.patch(f"/todo/{todo['id']}", json={"list_id": lists[n % 2]}, headers=headers)
            for n in range(CONCURRENT)
        )
    )

    assert [r.status_code for r in responses] == [200] * CONCURRENT
    assert sorted(r.json()["version"] for r in responses) == list(range(1, CONCURRENT + 1))
    assert await logged_versions(app, todo["id"], CONCURRENT + 1) == list(range(CONCURRENT + 1))
    if not app.state.db.is_sqlite:
        # Not luck: the server really refused conflicting commits and we re-ran them.
        assert app.state.db.retries_total > retries_before


async def logged_versions(app: FastAPI, todo_id: str, count: int) -> list[int]:
    """The versions of one todo's events, in the order the event log hands them out,
    once `count` of them are final (up to the head). A transaction still running on the
    same server, in any database, holds the head back (on PostgreSQL the horizon is the
    server's): other test processes can, so this waits for the log, not for a time."""
    db = app.state.db

    async def read(conn: AsyncConnection) -> list[LoggedEvent]:
        head = await daos.events.head(conn)
        return await daos.events.after(conn, START, until=head, limit=100_000)

    async with asyncio.timeout(30):  # a cap for a loaded machine: it ends on arrival
        while True:
            versions = []
            for event in await db.read(read):
                data = json.loads(event.data)
                if data.get("todo", {}).get("id") == todo_id:
                    versions.append(data["todo"]["version"])
            if len(versions) >= count:
                return versions
            await asyncio.sleep(0.05)


async def test_concurrent_patches_with_same_if_match_one_wins(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    todo = (await client.post("/todo", json={"title": "contested"}, headers=headers)).json()
    conditional = {**headers, "If-Match": '"0"'}

    responses = await asyncio.gather(
        *(
            client.patch(f"/todo/{todo['id']}", json={"title": f"by {n}"}, headers=conditional)
            for n in range(CONCURRENT)
        )
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * (CONCURRENT - 1)
    winner = next(r.json() for r in responses if r.status_code == 200)
    final = (await client.get(f"/todo/{todo['id']}", headers=headers)).json()
    assert final["version"] == 1
    assert final["title"] == winner["title"]


async def test_concurrent_creates_with_one_idempotency_key_create_one(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    keyed = {**headers, "Idempotency-Key": "retry-storm"}

    responses = await asyncio.gather(
        *(client.post("/todo", json={"title": "exactly once"}, headers=keyed) for _ in range(10))
    )

    assert [r.status_code for r in responses] == [201] * 10
    assert len({r.json()["id"] for r in responses}) == 1
    listing = (await client.get("/todo", headers=headers)).json()
    assert len(listing) == 1


@pytest.mark.parametrize("count", [250])
async def test_pagination_walks_every_todo_once(
    client: httpx.AsyncClient, make_user: MakeUser, count: int
) -> None:
    _, headers = await make_user()
    created: list[str] = []
    for start in range(0, count, 25):
        batch = await asyncio.gather(
            *(
                client.post("/todo", json={"title": f"item {n}"}, headers=headers)
                for n in range(start, min(start + 25, count))
            )
        )
        created.extend(r.json()["id"] for r in batch)

    seen: list[str] = []
    pages = 0
    response = await client.get("/todo", params={"limit": 60}, headers=headers)
    while True:
        pages += 1
        assert response.status_code == 200
        seen.extend(todo["id"] for todo in response.json())
        link = response.links.get("next")
        if link is None:
            break
        response = await client.get(link["url"], headers=headers)

    assert pages == 5  # 60 + 60 + 60 + 60 + 10
    assert len(seen) == len(set(seen)) == count, "no duplicate and no gap"
    assert set(seen) == set(created)
