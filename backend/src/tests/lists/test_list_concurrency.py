"""Roles changing while members act. On PostgreSQL (and through the cockroachdb dialect)
these race real transactions: a write holds the membership it relies on (FOR SHARE),
and member management runs serializable, so the outcomes below are exact, not likely."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests.conftest import MakeUser, server_engines_only
from tests.lists.test_lists import new_list, ok, share
from tests.sharing import add_member

# The editor's writes start SPREAD seconds apart; the demotion is sent once
# BEFORE_DEMOTION of them have started, and they go on until AFTER_DEMOTION have been
# sent after it answered, however long it took on a busy machine.
SPREAD = 0.01
BEFORE_DEMOTION = 10
AFTER_DEMOTION = 5


async def race_a_demotion(
    client: httpx.AsyncClient,
    owner: dict[str, str],
    list_id: str,
    editor_name: str,
    write: Callable[[int], Awaitable[httpx.Response]],
    watched: str,
) -> tuple[Counter[int], Any]:
    """Send `write(n)` again and again while the owner demotes the editor. Asserts that
    every write sent after the demotion answered was refused; returns the statuses, and
    what the owner read at `watched` at that moment."""
    loop = asyncio.get_running_loop()
    demoted_at: float | None = None
    started = asyncio.Event()
    sent: list[tuple[float, asyncio.Future[httpx.Response]]] = []

    async def writer() -> None:
        after = 0
        while after < AFTER_DEMOTION:
            sent.append((loop.time(), asyncio.ensure_future(write(len(sent)))))
            if demoted_at is not None:
                after += 1
            if len(sent) == BEFORE_DEMOTION:
                started.set()
            await asyncio.sleep(SPREAD)

    writing = asyncio.create_task(writer())
    async with asyncio.timeout(30):
        await started.wait()
    demotion = await share(client, owner, list_id, editor_name, "viewer")
    demoted_at = loop.time()
    assert demotion.status_code == 200
    at_demotion = await ok(await client.get(watched, headers=owner))
    await writing
    results = [(at, (await task).status_code) for at, task in sent]
    assert all(status == 403 for at, status in results if at > demoted_at)
    return Counter(status for _, status in results), at_demotion


@server_engines_only
async def test_no_write_lands_after_a_demotion(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    """An owner demotes an editor while the editor sends PUTs: every PUT sent after
    the demotion answered is a 403, and nothing changes the todo after that moment."""
    _, owner = await make_user()
    editor_name, editor = await make_user()
    list_id = await new_list(client, owner)
    await add_member(client, owner, list_id, editor_name, "editor")
    todo = await ok(
        await client.post(f"/lists/{list_id}/todos", json={"title": "hot"}, headers=owner)
    )
    url = f"/todo/{todo['id']}"

    def put(n: int) -> Awaitable[httpx.Response]:
        return client.put(url, json={"content": f"put {n}"}, headers=editor)

    statuses, at_demotion = await race_a_demotion(client, owner, list_id, editor_name, put, url)

    assert set(statuses) <= {200, 403}, statuses
    assert statuses[403] > 0, "the demotion came while PUTs were still being sent"
    final = await ok(await client.get(url, headers=owner))
    assert final == at_demotion, "nothing landed after the demotion"
    assert final["version"] == statuses[200], "each accepted PUT is one version"


@server_engines_only
async def test_no_create_lands_after_a_demotion(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    """The same race with creates, which run as one statement in an implicit transaction
    at the engine's default isolation (READ COMMITTED on PostgreSQL): a create waiting
    on the demotion's row lock re-reads the membership and inserts nothing."""
    _, owner = await make_user()
    editor_name, editor = await make_user()
    list_id = await new_list(client, owner)
    await add_member(client, owner, list_id, editor_name, "editor")
    todos = f"/lists/{list_id}/todos"

    def create(n: int) -> Awaitable[httpx.Response]:
        return client.post(todos, json={"title": f"create {n}"}, headers=editor)

    statuses, at_demotion = await race_a_demotion(
        client, owner, list_id, editor_name, create, todos
    )

    assert set(statuses) <= {201, 403}, statuses
    assert statuses[403] > 0, "the demotion came while creates were still being sent"
    final = await ok(await client.get(todos, headers=owner))
    assert final == at_demotion, "nothing landed after the demotion"
    assert len(final) == statuses[201], "each accepted create is one todo"


@pytest.mark.parametrize("round_", range(5))
async def test_two_owners_removing_each_other_leave_one(
    client: httpx.AsyncClient, make_user: MakeUser, round_: int
) -> None:
    first_name, first = await make_user()
    second_name, second = await make_user()
    list_id = await new_list(client, first)
    await add_member(client, first, list_id, second_name, "owner")

    removals = await asyncio.gather(
        client.delete(f"/lists/{list_id}/members/{second_name}", headers=first),
        client.delete(f"/lists/{list_id}/members/{first_name}", headers=second),
    )

    assert sorted(r.status_code for r in removals) == [200, 404], [r.text for r in removals]
    survivor = first if removals[0].status_code == 200 else second
    members = await ok(await client.get(f"/lists/{list_id}/members", headers=survivor))
    assert [member["role"] for member in members] == ["owner"]
