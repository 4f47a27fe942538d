"""Manual order end to end on every engine (decisions: docs/architecture.md, "Manual
order"): new todos at the end, reorders with `after` / `before` (an update like any
other: If-Match, version + 1, an event), paging in either order, bad anchors a 4xx,
keys compared byte by byte, ties and long keys handled by a rebalance, and concurrent
reorders of one list converging to one total order."""

from __future__ import annotations

import asyncio
import json
import random
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import bindparam, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.daos import daos
from app.live.log import START, LoggedEvent
from app.platform.tables import table
from app.todos import ordering
from tests.conftest import MakeUser, server_engines_only
from tests.todos.test_todos import create

Headers = dict[str, str]


async def titles(client: httpx.AsyncClient, headers: Headers, path: str = "/todo") -> list[str]:
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return [todo["title"] for todo in response.json()]


async def make_list(client: httpx.AsyncClient, headers: Headers, *names: str) -> dict[str, Any]:
    """Todos with these titles in the personal list, in this order, by title."""
    return {name: await create(client, headers, title=name) for name in names}


async def reorder(
    client: httpx.AsyncClient, headers: Headers, todo: dict[str, Any], **place: object
) -> httpx.Response:
    return await client.patch(f"/todo/{todo['id']}", json=place, headers=headers)


class TestNewTodos:
    async def test_new_todos_go_to_the_end(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b", "c")
        keys = [todo["position"] for todo in todos.values()]
        assert keys == sorted(keys, key=str.encode)
        await reorder(client, headers, todos["c"], after=None)
        await create(client, headers, title="d")
        assert await titles(client, headers) == ["c", "a", "b", "d"]


class TestReorder:
    async def test_to_the_start_middle_and_end(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b", "c", "d")

        response = await reorder(client, headers, todos["d"], after=None)  # to the start
        assert response.status_code == 200, response.text
        assert await titles(client, headers) == ["d", "a", "b", "c"]

        assert (await reorder(client, headers, todos["d"], before=None)).status_code == 200
        assert await titles(client, headers) == ["a", "b", "c", "d"]  # to the end

        assert (await reorder(client, headers, todos["a"], after=todos["b"]["id"])).is_success
        assert await titles(client, headers) == ["b", "a", "c", "d"]

        assert (await reorder(client, headers, todos["d"], before=todos["a"]["id"])).is_success
        assert await titles(client, headers) == ["b", "d", "a", "c"]

        # Already there: still an update (a new key, a new version), the order the same.
        again = await reorder(client, headers, todos["d"], after=todos["b"]["id"])
        assert again.status_code == 200
        assert await titles(client, headers) == ["b", "d", "a", "c"]

    async def test_a_reorder_is_an_update(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b")
        response = await reorder(client, headers, todos["b"], after=None)
        moved = response.json()
        assert moved["version"] == 1
        assert response.headers["etag"] == '"1"'
        assert moved["updated_at"] >= todos["b"]["updated_at"]
        assert moved["position"] < todos["a"]["position"]
        assert {
            k: v for k, v in moved.items() if k not in {"version", "updated_at", "position"}
        } == {k: v for k, v in todos["b"].items() if k not in {"version", "updated_at", "position"}}
        read_back = (await client.get(f"/todo/{todos['b']['id']}", headers=headers)).json()
        assert read_back == moved

    async def test_if_match(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b")
        stale = await client.patch(
            f"/todo/{todos['b']['id']}",
            json={"after": None},
            headers={**headers, "If-Match": '"7"'},
        )
        assert stale.status_code == 412
        assert await titles(client, headers) == ["a", "b"]
        current = await client.patch(
            f"/todo/{todos['b']['id']}",
            json={"after": None},
            headers={**headers, "If-Match": '"0"'},
        )
        assert current.status_code == 200
        assert await titles(client, headers) == ["b", "a"]

    async def test_with_other_changes(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b")
        response = await reorder(client, headers, todos["b"], after=None, title="B", completed=True)
        assert response.status_code == 200
        assert (response.json()["title"], response.json()["completed"]) == ("B", True)
        assert await titles(client, headers) == ["B", "a"]

    @pytest.mark.parametrize(
        "place",
        [
            {"after": None, "before": None},  # two places at once
            {"after": "NaN"},
            {"before": 1e308},
            {"after": float("inf")},
            {"after": True},
            {"before": ["x"]},
            {"after": "0" * 10_000},
            {"before": {"id": "x"}},
        ],
    )
    async def test_bad_places_are_422(
        self, client: httpx.AsyncClient, make_user: MakeUser, place: dict[str, Any]
    ) -> None:
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b")
        response = await client.patch(
            f"/todo/{todos['b']['id']}",
            content=json.dumps(place, allow_nan=True),
            headers={**headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 422, response.text
        assert await titles(client, headers) == ["a", "b"]

    async def test_anchors_outside_the_list_are_409(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        _, other_headers = await make_user()
        todos = await make_list(client, headers, "a", "b")
        theirs = await create(client, other_headers, title="theirs")
        shared = (await client.post("/lists", json={"name": "L"}, headers=headers)).json()
        elsewhere = (
            await client.post(f"/lists/{shared['id']}/todos", json={"title": "x"}, headers=headers)
        ).json()
        for anchor in (str(uuid.uuid4()), theirs["id"], elsewhere["id"], shared["id"]):
            for placing in ("after", "before"):
                response = await reorder(client, headers, todos["b"], **{placing: anchor})
                # A conflict with the list as it is (the client's view is stale), and a
                # forged id says no more than a random one.
                assert response.status_code == 409, response.text
                assert response.json() == {
                    "detail": f"`{placing}` names no todo of this todo's list (deleted or "
                    "moved meanwhile?): reload the list"
                }
        assert await titles(client, headers) == ["a", "b"]

    async def test_itself_is_422(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b")
        for placing in ("after", "before"):
            response = await reorder(client, headers, todos["b"], **{placing: todos["b"]["id"]})
            assert response.status_code == 422
            assert "itself" in response.json()["detail"][0]["msg"]

    async def test_with_list_id_is_422(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b")
        response = await reorder(
            client, headers, todos["b"], after=None, list_id=todos["a"]["list_id"]
        )
        assert response.status_code == 422

    async def test_missing_todo_is_404(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        response = await client.patch(
            f"/todo/{uuid.uuid4()}", json={"after": None}, headers=headers
        )
        assert response.status_code == 404

    async def test_moved_to_another_list_goes_to_its_end(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b")
        shared = (await client.post("/lists", json={"name": "L"}, headers=headers)).json()
        path = f"/lists/{shared['id']}/todos"
        for title in ("x", "y"):
            await client.post(path, json={"title": title}, headers=headers)
        first = (await client.get(path, headers=headers)).json()[0]
        await reorder(client, headers, first, before=None)  # y, x
        response = await reorder(client, headers, todos["a"], list_id=shared["id"])
        assert response.status_code == 200
        assert await titles(client, headers, path) == ["y", "x", "a"]


class TestPaging:
    async def test_by_position_and_by_creation(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b", "c", "d", "e")
        await reorder(client, headers, todos["e"], after=None)
        await reorder(client, headers, todos["a"], before=None)
        for order, expected in (
            ("position", ["e", "b", "c", "d", "a"]),
            ("created", ["a", "b", "c", "d", "e"]),
        ):
            seen: list[str] = []
            url: str | None = f"/todo?limit=2&order={order}"
            while url is not None:
                response = await client.get(url, headers=headers)
                seen += [todo["title"] for todo in response.json()]
                url = response.links.get("next", {}).get("url")
            assert seen == expected, order
        assert await titles(client, headers) == ["e", "b", "c", "d", "a"]  # the default

    async def test_completed_filter_in_manual_order(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        await make_list(client, headers, "a", "b")
        c = await create(client, headers, title="c", completed=True)
        await create(client, headers, title="d", completed=True)
        await reorder(client, headers, c, before=None)
        assert await titles(client, headers, "/todo?completed=true") == ["d", "c"]


class TestKeys:
    async def test_keys_compare_bytewise_on_every_engine(
        self, client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI
    ) -> None:
        """A locale would sort "a0a" before "a0Z" (case first folded); bytes do not."""
        _, headers = await make_user()
        todos = await make_list(client, headers, "lower", "upper", "digit")
        keys = {"lower": "a0a", "upper": "a0Z", "digit": "a09"}
        await set_positions(app, {todos[name]["id"]: key for name, key in keys.items()})
        assert await titles(client, headers) == ["digit", "upper", "lower"]
        moved = await reorder(client, headers, todos["lower"], after=todos["upper"]["id"])
        assert moved.json()["position"] > "a0Z"  # after Z in bytes, though "a" < "Z" in a locale
        first = await client.get("/todo?limit=1", headers=headers)
        rest = await client.get(
            first.links["next"]["url"].replace("limit=1", "limit=5"), headers=headers
        )
        assert [t["title"] for t in rest.json()] == ["upper", "lower"]

    @server_engines_only  # (SQLite's default collation, BINARY, is bytewise already)
    async def test_the_column_is_bytewise_on_postgresql(self, app: FastAPI) -> None:
        db = app.state.db

        async def collation(conn: AsyncConnection) -> str | None:
            found = await conn.execute(
                text(
                    "SELECT collation_name FROM information_schema.columns "
                    "WHERE table_name = 'todo' AND column_name = 'position'"
                )
            )
            return found.scalar()

        assert await db.read(collation) == "C"

    async def test_ties_are_broken_by_id_and_moving_between_them_works(
        self, client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI
    ) -> None:
        """Two creates at once may take the same key (they are single statements): the
        order stays total, by id; a move into the tie gives the list fresh keys."""
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b", "c")
        await set_positions(app, {todos[name]["id"]: "a5" for name in ("a", "b", "c")})
        tied = sorted(todos.values(), key=lambda todo: todo["id"])
        assert await titles(client, headers) == [todo["title"] for todo in tied]
        response = await reorder(client, headers, tied[2], after=tied[0]["id"])
        assert response.status_code == 200
        expected = [tied[0]["title"], tied[2]["title"], tied[1]["title"]]
        listed = (await client.get("/todo", headers=headers)).json()
        assert [todo["title"] for todo in listed] == expected
        assert len({todo["position"] for todo in listed}) == 3  # rebalanced: no tie left
        # The others' order did not change: neither did their versions.
        assert {t["title"]: t["version"] for t in listed} == {
            tied[0]["title"]: 0,
            tied[1]["title"]: 0,
            tied[2]["title"]: 1,
        }

    async def test_keys_that_grow_too_long_are_rebalanced(
        self, client: httpx.AsyncClient, make_user: MakeUser, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Moving todos into one gap over and over lengthens the keys; past the bound
        the list gets short keys again, its order unchanged."""
        monkeypatch.setattr(ordering, "POSITION_MAX", 4)
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b", "c", "d")
        order = ["a", "b", "c", "d"]
        for n in range(12):  # each into the gap after "a": keys lengthen each time
            name = order[-1]
            response = await reorder(client, headers, todos[name], after=todos["a"]["id"])
            assert response.status_code == 200
            order.remove(name)
            order.insert(1, name)
            listed = (await client.get("/todo", headers=headers)).json()
            assert [todo["title"] for todo in listed] == order, n
            assert max(len(todo["position"]) for todo in listed) <= 4


class TestEvents:
    async def test_a_reorder_sends_todo_updated(
        self, client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI
    ) -> None:
        _, headers = await make_user()
        todos = await make_list(client, headers, "a", "b")
        moved = (await reorder(client, headers, todos["b"], after=None)).json()
        events = await events_of(app, moved["id"], 2)
        assert events[-1] == {"type": "todo.updated", "list_id": moved["list_id"], "todo": moved}


class TestConcurrentReorders:
    MOVES = 32

    async def test_32_concurrent_reorders_converge(
        self, client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI
    ) -> None:
        """Two members (here: 32 requests) reordering one list at once: no 5xx, every
        move applied once, and one total order with no two keys alike."""
        _, headers = await make_user()
        todos = list((await make_list(client, headers, *"abcdefgh")).values())
        rng = random.Random(34)
        places: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for _ in range(self.MOVES):
            todo = rng.choice(todos)
            anchor = rng.choice([t for t in todos if t is not todo] + [None])
            placing = rng.choice(["after", "before"])
            places.append((todo, {placing: anchor and anchor["id"]}))

        retries_before = app.state.db.retries_total
        responses = await asyncio.gather(
            *(reorder(client, headers, todo, **place) for todo, place in places)
        )
        # For the record (`-s`): how many transactions the engine refused and we re-ran.
        reruns = app.state.db.retries_total - retries_before
        print(f"{self.MOVES} concurrent reorders: {reruns} re-runs")

        statuses = [r.status_code for r in responses]
        assert statuses == [200] * self.MOVES, [r.text for r in responses if r.status_code != 200]
        listed = (await client.get("/todo", headers=headers)).json()
        assert len(listed) == len(todos)
        keys = [todo["position"] for todo in listed]
        assert len(set(keys)) == len(keys), "no two keys alike"
        assert keys == sorted(keys, key=str.encode), "the server's order is the keys' order"
        moves_of = {todo["id"]: 0 for todo in todos}
        for todo, _ in places:
            moves_of[todo["id"]] += 1
        assert {todo["id"]: todo["version"] for todo in listed} == moves_of


async def set_positions(app: FastAPI, keys: dict[str, str]) -> None:
    """Give todos keys directly (what no client can do), for ties and collation."""
    todo = table("todo")
    statement = (
        update(todo)
        .where(todo.c.id == bindparam("todo_id"))
        .values(position=bindparam("new_position"))
    )
    rows = [{"todo_id": uuid.UUID(id_), "new_position": key} for id_, key in keys.items()]

    async def write(conn: AsyncConnection) -> None:
        await conn.execute(statement, rows)

    await app.state.db.write(write)


async def events_of(app: FastAPI, todo_id: str, count: int) -> list[dict[str, Any]]:
    """The todo's events as the log hands them out, once `count` of them are final."""

    async def read(conn: AsyncConnection) -> list[LoggedEvent]:
        head = await daos.events.head(conn)
        return await daos.events.after(conn, START, until=head, limit=100_000)

    async with asyncio.timeout(30):
        while True:
            found = [json.loads(event.data) for event in await app.state.db.read(read)]
            mine = [e for e in found if e.get("todo", {}).get("id") == todo_id]
            if len(mine) >= count:
                return mine
            await asyncio.sleep(0.05)
