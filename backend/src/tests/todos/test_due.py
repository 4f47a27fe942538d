"""Due dates end to end on every engine (decisions: docs/architecture.md, "Due dates"):
set and cleared on create and PATCH as any update (If-Match, version + 1, an event),
`due_at` across zones and DST changes, the Today / Upcoming / Overdue views across every
list the caller can see (keyset-paged, never a list they left), the filters, and bad
input a 422 with its detail."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI

from app.todos.schemas import TodoCursor
from tests.conftest import MakeUser
from tests.lists.test_lists import new_list, ok
from tests.sharing import add_member
from tests.todos.test_order import events_of
from tests.todos.test_todos import create

Headers = dict[str, str]
ZONE = "Pacific/Auckland"  # far from UTC, with DST: "today" is rarely UTC's today


def local_today(zone: str = ZONE) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(zone)).date()


def all_day(day: date, zone: str = ZONE) -> dict[str, str]:
    return {"due_date": day.isoformat(), "due_zone": zone}


async def due(
    client: httpx.AsyncClient, headers: Headers, **query: str | int
) -> list[dict[str, Any]]:
    return list(await ok(await client.get("/todo/due", params=query, headers=headers)))


def titles(todos: list[dict[str, Any]]) -> list[str]:
    return [todo["title"] for todo in todos]


class TestSetAndClear:
    async def test_a_date_and_time_in_a_zone(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        body = {"due_date": "2026-12-08", "due_time": "17:00", "due_zone": "Europe/Berlin"}
        todo = await create(client, headers, **body)
        assert todo["due_date"] == "2026-12-08"
        assert todo["due_time"] == "17:00:00"
        assert todo["due_zone"] == "Europe/Berlin"
        assert datetime.fromisoformat(todo["due_at"]) == datetime(2026, 12, 8, 16, tzinfo=UTC)
        assert await ok(await client.get(f"/todo/{todo['id']}", headers=headers)) == todo

    async def test_all_day_is_due_by_the_end_of_the_day_in_its_zone(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todo = await create(client, headers, due_date="2026-12-08", due_zone="Asia/Tokyo")
        assert todo["due_time"] is None
        # 2026-12-08T23:59:59.999999+09:00
        expected = datetime(2026, 12, 8, 14, 59, 59, 999_999, tzinfo=UTC)
        assert datetime.fromisoformat(todo["due_at"]) == expected

    @pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
    async def test_the_last_day_there_is(
        self, client: httpx.AsyncClient, app: FastAPI, make_user: MakeUser, zone: str
    ) -> None:
        """9999-12-30 in every zone, its event too (9999-12-31 is refused: asyncpg
        would store it as 'infinity', and the event's JSON would say so)."""
        _, headers = await make_user()
        todo = await create(client, headers, due_date="9999-12-30", due_zone=zone)
        assert datetime.fromisoformat(todo["due_at"]).year == 9999
        assert await ok(await client.get(f"/todo/{todo['id']}", headers=headers)) == todo
        [event] = await events_of(app, todo["id"], 1)
        assert event["todo"] == todo

    async def test_none_by_default(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        todo = await create(client, headers)
        assert [todo[f] for f in ("due_date", "due_time", "due_zone", "due_at")] == [None] * 4

    @pytest.mark.parametrize(
        ("local", "utc"),
        [
            # 02:30 does not exist on 2026-03-08 in New York (02:00 jumps to 03:00): read
            # with the offset before the jump (-05:00), i.e. 03:30 EDT.
            ("2026-03-08T02:30", datetime(2026, 3, 8, 7, 30, tzinfo=UTC)),
            # 01:30 happens twice on 2026-11-01: the first one (EDT, -04:00).
            ("2026-11-01T01:30", datetime(2026, 11, 1, 5, 30, tzinfo=UTC)),
            ("2026-07-01T09:00", datetime(2026, 7, 1, 13, 0, tzinfo=UTC)),  # EDT
            ("2026-12-01T09:00", datetime(2026, 12, 1, 14, 0, tzinfo=UTC)),  # EST
        ],
    )
    async def test_dst_gaps_and_overlaps(
        self, client: httpx.AsyncClient, make_user: MakeUser, local: str, utc: datetime
    ) -> None:
        _, headers = await make_user()
        day, time = local.split("T")
        todo = await create(
            client, headers, due_date=day, due_time=time, due_zone="America/New_York"
        )
        assert datetime.fromisoformat(todo["due_at"]) == utc

    async def test_patch_sets_changes_and_clears_as_an_update(
        self, client: httpx.AsyncClient, app: FastAPI, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todo = await create(client, headers)
        url = f"/todo/{todo['id']}"
        body = {"due_date": "2027-01-02", "due_time": "08:15", "due_zone": "Europe/London"}
        stale = await client.patch(url, json=body, headers={**headers, "If-Match": '"7"'})
        assert stale.status_code == 412
        set_ = await client.patch(url, json=body, headers={**headers, "If-Match": '"0"'})
        assert set_.status_code == 200, set_.text
        changed = set_.json()
        assert changed["version"] == 1
        assert set_.headers["ETag"] == '"1"'
        assert datetime.fromisoformat(changed["due_at"]) == datetime(2027, 1, 2, 8, 15, tzinfo=UTC)
        # Another field alone leaves the due date as it is.
        renamed = await ok(await client.patch(url, json={"title": "x"}, headers=headers))
        assert renamed["due_at"] == changed["due_at"]
        cleared = await ok(await client.patch(url, json={"due_date": None}, headers=headers))
        assert [cleared[f] for f in ("due_date", "due_time", "due_zone", "due_at")] == [None] * 4
        assert cleared["version"] == 3
        assert await ok(await client.get(url, headers=headers)) == cleared
        events = await events_of(app, todo["id"], 4)
        assert [e["todo"]["version"] for e in events] == [0, 1, 2, 3]
        assert events[1]["todo"]["due_zone"] == "Europe/London"
        assert events[1]["todo"]["due_date"] == "2027-01-02"
        assert events[3]["todo"]["due_date"] is None


BAD_DUE = [
    ({"due_date": "2026-12-08"}, "due_zone"),  # a date needs its zone
    ({"due_time": "10:00", "due_zone": "UTC"}, "needs due_date"),
    ({"due_zone": "UTC"}, "needs due_date"),
    ({"due_date": "2026-12-08", "due_zone": "Mars/Olympus_Mons"}, "IANA"),
    ({"due_date": "2026-12-08", "due_zone": "../../../etc/passwd"}, "pattern"),
    ({"due_date": "2026-12-08", "due_zone": "europe/berlin"}, "IANA"),
    ({"due_date": "2026-12-08", "due_zone": ""}, "at least 1"),
    ({"due_date": "2026-12-08", "due_zone": "A" * 10_000}, "at most 64"),
    ({"due_date": "2026-12-08", "due_time": "17:00+02:00", "due_zone": "UTC"}, "offset"),
    ({"due_date": "2026-12-08T10:00:00", "due_zone": "UTC"}, "date"),
    ({"due_date": str(2**63), "due_zone": "UTC"}, "date"),
    ({"due_date": "9223372036854775807-01-01", "due_zone": "UTC"}, "date"),
    ({"due_date": "NaN", "due_zone": "UTC"}, "date"),
    ({"due_date": "0001-01-01", "due_zone": "Asia/Tokyo"}, "1900-01-01"),
    ({"due_date": "9999-12-31", "due_zone": "UTC"}, "9999-12-30"),
    ({"due_date": "2026-02-30", "due_zone": "UTC"}, "date"),
    ({"due_date": "2026-12-08", "due_time": "24:00", "due_zone": "UTC"}, "time"),
    ({"due_date": "2026-12-08", "due_time": "NaN", "due_zone": "UTC"}, "time"),
    ({"due_date": 1.5e308, "due_zone": "UTC"}, "date"),
    ({"due_date": 0, "due_zone": "UTC"}, "date"),  # not seconds since 1970
    ({"due_date": "2026-12-08", "due_time": 3600, "due_zone": "UTC"}, "time"),
    ({"due_date": "2026-12-08", "due_time": "17:00Z", "due_zone": "UTC"}, "offset"),
]


class TestBadInput:
    @pytest.mark.parametrize(("body", "says"), BAD_DUE)
    async def test_create_and_patch_refuse_with_detail(
        self, client: httpx.AsyncClient, make_user: MakeUser, body: dict[str, Any], says: str
    ) -> None:
        _, headers = await make_user()
        response = await client.post("/todo", json={"title": "t", **body}, headers=headers)
        assert response.status_code == 422, response.text
        assert says in response.text
        todo = await create(client, headers)
        response = await client.patch(f"/todo/{todo['id']}", json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert says in response.text

    async def test_a_null_date_clears_whatever_else_is_sent(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todo = await create(client, headers, due_date="2026-12-08", due_zone="UTC")
        url = f"/todo/{todo['id']}"
        body = {"due_date": None, "due_time": "10:00", "due_zone": "Europe/Rome"}
        cleared = await ok(await client.patch(url, json=body, headers=headers))
        assert [cleared[f] for f in ("due_date", "due_time", "due_zone", "due_at")] == [None] * 4

    @pytest.mark.parametrize("body", [{"due_time": None}, {"due_zone": None}])
    async def test_a_time_or_zone_alone_is_refused(
        self, client: httpx.AsyncClient, make_user: MakeUser, body: dict[str, Any]
    ) -> None:
        _, headers = await make_user()
        todo = await create(client, headers, due_date="2026-12-08", due_zone="UTC")
        response = await client.patch(f"/todo/{todo['id']}", json=body, headers=headers)
        assert response.status_code == 422
        assert "needs due_date" in response.text
        assert (await ok(await client.get(f"/todo/{todo['id']}", headers=headers)))["due_date"]

    @pytest.mark.parametrize(
        ("query", "says"),
        [
            ({"time_zone": "Nowhere/Special"}, "IANA"),
            ({"time_zone": "/etc/localtime"}, "pattern"),
            ({"time_zone": "localtime"}, "IANA"),  # in the system folder, not an IANA zone
            ({"due_before": "2026-12-08T10:00:00"}, "timezone"),  # no offset
            ({"due_after": "2026-12-08"}, "offset"),
            ({"due_after": "0001-01-01T00:00:00+14:00"}, "no UTC time"),
            ({"due_before": "NaN"}, "offset"),
            ({"due_before": "0.5"}, "offset"),  # not seconds since 1970
            ({"due_before": str(2**63)}, "due_before"),
            ({"overdue": "false"}, "overdue=true"),
            ({"view": "yesterday"}, "today"),
            ({"limit": "0"}, "limit"),
            ({"limit": str(2**31)}, "limit"),
        ],
    )
    async def test_views_refuse_with_detail(
        self, client: httpx.AsyncClient, make_user: MakeUser, query: dict[str, str], says: str
    ) -> None:
        _, headers = await make_user()
        response = await client.get("/todo/due", params=query, headers=headers)
        assert response.status_code == 422, response.text
        assert says in response.text

    @pytest.mark.parametrize(
        "cursor",
        [
            "x",
            "ZDpub3RhZGF0ZXwxMjM",  # "d:notadate|123"
            TodoCursor(created_at=datetime(2026, 1, 1, tzinfo=UTC), id=uuid.UUID(int=7)).encode(),
            "ZDoyMDI2LTAxLTAxVDAwOjAwOjAwfGFiYw",  # "d:2026-01-01T00:00:00|abc": no zone
            "A" * 257,
        ],
    )
    async def test_forged_cursors(
        self, client: httpx.AsyncClient, make_user: MakeUser, cursor: str
    ) -> None:
        _, headers = await make_user()
        response = await client.get("/todo/due", params={"cursor": cursor}, headers=headers)
        assert response.status_code == 422, response.text
        assert "cursor" in response.text


class TestViews:
    async def test_today_upcoming_overdue_across_lists(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        me_name, me = await make_user()
        shared = await new_list(client, owner)
        assert (await add_member(client, owner, shared, me_name, "viewer")).is_success
        today = local_today()
        hour_ago = datetime.now(UTC) - timedelta(hours=1)
        local = hour_ago.astimezone(ZoneInfo(ZONE))
        await create(client, me, title="yesterday", **all_day(today - timedelta(days=1)))
        await create(client, me, title="today", **all_day(today))
        await create(
            client, me, title="hour ago", due_date=local.date().isoformat(),
            due_time=local.strftime("%H:%M:%S"), due_zone=ZONE,
        )  # fmt: skip
        await create(client, me, title="done", completed=True, **all_day(today))
        await create(client, me, title="no date")
        path = f"/lists/{shared}/todos"
        response = await client.post(
            path, json={"title": "shared tomorrow", **all_day(today + timedelta(days=1))},
            headers=owner,
        )  # fmt: skip
        assert response.status_code == 201
        # Someone else's, in a list I am not in: never mine to see.
        await create(client, owner, title="not mine", **all_day(today))

        view = await due(client, me, view="today", time_zone=ZONE)
        assert titles(view) == ["yesterday", "hour ago", "today"]
        assert titles(await due(client, me, view="overdue", time_zone=ZONE)) == [
            "yesterday",
            "hour ago",
        ]
        assert titles(await due(client, me, view="upcoming", time_zone=ZONE)) == ["shared tomorrow"]
        assert titles(await due(client, me, overdue="true")) == ["yesterday", "hour ago"]
        done = await due(client, me, view="today", time_zone=ZONE, completed="true")
        assert titles(done) == ["done"]
        everything = await due(client, me)
        assert set(titles(everything)) == {
            "yesterday", "hour ago", "today", "done", "shared tomorrow",
        }  # fmt: skip
        due_ats = [todo["due_at"] for todo in everything]
        assert due_ats == sorted(due_ats, key=datetime.fromisoformat)

    async def test_today_depends_on_the_time_zone(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        # All day on Kiritimati's today (UTC+14) ends before the end of Niue's today
        # (UTC-11), 25 hours behind: in Niue's zone it is due today or overdue.
        kiritimati = local_today("Pacific/Kiritimati")
        await create(client, headers, title="k", **all_day(kiritimati, "Pacific/Kiritimati"))
        in_niue = await due(client, headers, view="today", time_zone="Pacific/Niue")
        assert titles(in_niue) == ["k"]
        upcoming = await due(client, headers, view="upcoming", time_zone="Pacific/Niue")
        assert upcoming == []

    async def test_filters_bound_due_at(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        for day in range(1, 6):
            await create(
                client, headers, title=f"d{day}", due_date=f"2030-01-0{day}", due_time="12:00",
                due_zone="UTC",
            )  # fmt: skip
        found = await due(
            client, headers, due_after="2030-01-02T12:00:00Z", due_before="2030-01-04T13:00+01:00"
        )
        assert titles(found) == ["d2", "d3"]  # due_after inclusive, due_before exclusive

    async def test_keyset_pages(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        # Five at one instant (ties go by id) and two others.
        for n in range(7):
            at = "12:00" if n < 5 else f"1{n}:30"
            await create(
                client, headers, title=f"t{n}", due_date="2031-05-05", due_time=at, due_zone="UTC"
            )
        seen: list[dict[str, Any]] = []
        url: str | None = "/todo/due?limit=2"
        while url:
            response = await client.get(url, headers=headers)
            assert response.status_code == 200, response.text
            seen += response.json()
            link = response.headers.get("Link")
            url = link[1 : link.index(">")] if link else None
        assert len(seen) == 7
        assert len({todo["id"] for todo in seen}) == 7
        keys = [(todo["due_at"], todo["id"]) for todo in seen]
        assert keys == sorted(keys)

    async def test_never_a_list_left_a_second_ago(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        me_name, me = await make_user()
        shared = await new_list(client, owner)
        assert (await add_member(client, owner, shared, me_name, "editor")).is_success
        response = await client.post(
            f"/lists/{shared}/todos",
            json={"title": "theirs", **all_day(local_today())},
            headers=owner,
        )
        assert response.status_code == 201
        assert titles(await due(client, me, view="today", time_zone=ZONE)) == ["theirs"]
        left = await client.delete(f"/lists/{shared}/members/{me_name}", headers=me)
        assert left.is_success, left.text
        assert await due(client, me, view="today", time_zone=ZONE) == []
        assert await due(client, me) == []

    async def test_a_revoked_session_is_a_401_even_when_empty(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        assert await due(client, headers) == []
        assert (await client.post("/me/logout-all", headers=headers)).status_code == 204
        response = await client.get("/todo/due", headers=headers)
        assert response.status_code == 401
