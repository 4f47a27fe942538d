"""`GET /events` on every engine, in-process: what a stream carries, to whom, how it
resumes, and when it is refused or ends."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import time
import uuid
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from pydantic import TypeAdapter
from sqlalchemy import select, update

from app.daos import daos
from app.live.broker import Cursor
from app.live.log import Position
from app.live.schemas import Recorded
from app.platform.tables import table, utcnow
from tests.conftest import TEST_PASSWORD, MakeUser
from tests.sharing import accept_as, add_member
from tests.sse import EventStream, Message, error_of, open_stream


async def _new_list(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> str:
    response = await client.post("/lists", json={"name": name}, headers=headers)
    assert response.status_code == 201, response.text
    list_id: str = response.json()["id"]
    return list_id


async def _ready(stream: EventStream) -> Message:
    ready = await stream.next()
    assert ready.type == "ready", ready
    return ready


async def test_a_stream_carries_every_change_of_the_personal_list_in_order(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    async with open_stream(app, headers) as stream:
        assert stream.status == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-cache, no-transform"
        assert stream.headers["x-accel-buffering"] == "no"
        assert (await _ready(stream)).data == {"type": "ready", "resumed": False}

        created = (await client.post("/todo", json={"title": "a"}, headers=headers)).json()
        todo_url = f"/todo/{created['id']}"
        await client.patch(todo_url, json={"completed": True}, headers=headers)
        await client.patch(todo_url, json={"title": "b"}, headers=headers)
        await client.delete("/todo", params={"completed": "true"}, headers=headers)

        messages = await stream.take(4)
    assert [m.type for m in messages] == [
        "todo.created",
        "todo.updated",
        "todo.updated",
        "todo.deleted",
    ]
    assert all(m.data["type"] == m.type for m in messages)
    assert messages[0].data["todo"] == created
    assert [m.data["todo"]["version"] for m in messages[1:3]] == [1, 2]
    assert messages[1].data["todo"]["completed"] is True
    assert messages[2].data["todo"]["title"] == "b"
    assert messages[3].data == {
        "type": "todo.deleted",
        "list_id": created["list_id"],
        "todo_id": created["id"],
        "version": 2,
    }
    # Each id is a cursor, later than the one before.
    positions = [Cursor.parse(m.id) for m in messages]
    assert all(p is not None for p in positions)
    assert sorted(p.position for p in positions if p) == [p.position for p in positions if p]


async def test_members_see_a_shared_list_and_a_removed_member_stops_at_once(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, owner = await make_user()
    bob, bob_headers = await make_user()
    list_id = await _new_list(client, owner, "Groceries")
    async with open_stream(app, owner) as owners, open_stream(app, bob_headers) as bobs:
        await _ready(owners)
        await _ready(bobs)
        invited = await client.put(
            f"/lists/{list_id}/members/{bob}", json={"role": "editor"}, headers=owner
        )
        sent = await bobs.next()
        assert (sent.type, sent.data["invitation"]["id"]) == (
            "invitation.sent",
            invited.json()["id"],
        )
        await accept_as(client, invited, bob, bob_headers)
        added = await bobs.next()
        assert added.data == {
            "type": "member.added",
            "list_id": list_id,
            "list_name": "Groceries",
            "name": bob,
            "role": "editor",
        }
        closed = await bobs.next()
        assert (closed.type, closed.data["outcome"]) == ("invitation.closed", "accepted")
        todo = (
            await client.post(
                f"/lists/{list_id}/todos", json={"title": "milk"}, headers=bob_headers
            )
        ).json()
        assert (await bobs.next()).type == "todo.created"
        await client.patch(f"/lists/{list_id}", json={"name": "Food"}, headers=owner)
        assert (await bobs.next()).data == {
            "type": "list.renamed",
            "list_id": list_id,
            "name": "Food",
        }
        await client.put(f"/lists/{list_id}/members/{bob}", json={"role": "viewer"}, headers=owner)
        assert (await bobs.next()).data["type"] == "member.updated"
        await client.delete(f"/lists/{list_id}/members/{bob}", headers=owner)
        assert (await bobs.next()).data == {
            "type": "member.removed",
            "list_id": list_id,
            "name": bob,
        }
        # Nothing of the list after that, while its owner still sees every change.
        await client.patch(f"/todo/{todo['id']}", json={"title": "oat milk"}, headers=owner)
        await client.post("/todo", json={"title": "marker"}, headers=bob_headers)
        after_removal = await bobs.next()
        assert after_removal.type == "todo.created"
        assert after_removal.data["todo"]["title"] == "marker"
        owner_saw = [m.type for m in await owners.until("todo.updated")]
    assert owner_saw == [
        "invitation.sent",
        "member.added",
        "invitation.closed",
        "todo.created",
        "list.renamed",
        "member.updated",
        "member.removed",
        "todo.updated",
    ]


async def test_a_non_member_never_receives_an_event_of_a_list(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, owner = await make_user()
    _, stranger = await make_user()
    list_id = await _new_list(client, owner, "Secret")
    async with open_stream(app, stranger) as strangers:
        await _ready(strangers)
        todo = (
            await client.post(f"/lists/{list_id}/todos", json={"title": "x"}, headers=owner)
        ).json()
        await client.patch(f"/todo/{todo['id']}", json={"completed": True}, headers=owner)
        await client.patch(f"/lists/{list_id}", json={"name": "Still secret"}, headers=owner)
        await client.delete(f"/lists/{list_id}", headers=owner)
        await client.post("/todo", json={"title": "mine"}, headers=stranger)
        only = await strangers.next()
    assert only.type == "todo.created"
    assert only.data["todo"]["title"] == "mine"


async def test_a_move_reaches_the_members_of_both_lists(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, owner = await make_user()
    viewer, viewer_headers = await make_user()
    source = await _new_list(client, owner, "From")
    target = await _new_list(client, owner, "To")
    await add_member(client, owner, source, viewer, "viewer", viewer_headers)
    todo = (await client.post(f"/lists/{source}/todos", json={"title": "t"}, headers=owner)).json()
    async with open_stream(app, viewer_headers) as viewers:
        await _ready(viewers)
        await client.patch(f"/todo/{todo['id']}", json={"list_id": target}, headers=owner)
        moved = await viewers.next()
    assert moved.data["type"] == "todo.moved"
    assert (moved.data["list_id"], moved.data["from_list_id"]) == (target, source)
    assert moved.data["todo"]["version"] == 1


async def test_resuming_with_last_event_id_gets_exactly_what_was_missed(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    async with open_stream(app, headers) as first:
        await _ready(first)
        await client.post("/todo", json={"title": "seen"}, headers=headers)
        seen = await first.next()
        assert first.last_id == seen.id
    missed = []
    for title in ("one", "two", "three"):
        response = await client.post("/todo", json={"title": title}, headers=headers)
        missed.append(response.json()["id"])
    async with open_stream(app, headers, last_event_id=seen.id) as resumed:
        assert (await _ready(resumed)).data["resumed"] is True
        caught_up = await resumed.take(3)
        await client.post("/todo", json={"title": "live"}, headers=headers)
        live = await resumed.next()
    assert [m.data["todo"]["id"] for m in caught_up] == missed
    assert live.data["todo"]["title"] == "live"


async def test_an_unusable_last_event_id_is_a_resync(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    now = int(time.time())
    unusable = {
        "garbage": "not-a-cursor",
        "too few parts": "1.2",
        "negative": f"-1.2.{now}",
        "NaN": f"NaN.1.{now}",
        "2^63": f"{2**63}.1.{now}",
        "too old": Position(0, 0).text() + ".1000",
        "ahead of the log": f"{2**62}.1.{now}",
        "unicode digits": f"\u0661.\u0662.{now}",
    }
    for case, last_event_id in unusable.items():
        async with open_stream(app, headers, last_event_id=last_event_id) as stream:
            assert stream.status == 200, case
            ready, resync = await stream.take(2)
            assert ready.data == {"type": "ready", "resumed": False}, case
            assert resync.type == "resync", case
            # The stream then carries on live.
            await client.post("/todo", json={"title": case}, headers=headers)
            assert (await stream.next()).data["todo"]["title"] == case


async def test_an_oversized_last_event_id_is_a_422(app: FastAPI, make_user: MakeUser) -> None:
    _, headers = await make_user()
    status, _, body = await error_of(app, {**headers, "Last-Event-ID": "1" * 101})
    assert status == 422
    assert body["detail"][0]["loc"] == ["header", "last-event-id"]


async def test_streams_are_refused_without_a_current_token(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    status, headers, body = await error_of(app, {})
    assert status == 401
    assert headers["www-authenticate"] == "Bearer"
    assert body == {"detail": "Not authenticated"}
    assert (await error_of(app, {"Authorization": "Bearer forged"}))[0] == 401
    _, revoked = await make_user()
    await client.post("/me/logout-all", headers=revoked)
    status, _, body = await error_of(app, revoked)
    assert status == 401, body


async def test_past_the_per_account_cap_a_stream_is_a_429(
    app: FastAPI, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    cap = app.state.settings.events_max_streams_per_user
    streams = [open_stream(app, headers) for _ in range(cap)]
    opened = [await s.__aenter__() for s in streams]
    try:
        for stream in opened:
            await _ready(stream)
        status, response_headers, body = await error_of(app, headers)
        assert status == 429
        assert int(response_headers["retry-after"]) > 0
        assert str(cap) in body["detail"]
        _, someone_else = await make_user()
        async with open_stream(app, someone_else) as other:
            await _ready(other)
    finally:
        for s in streams:
            await s.__aexit__(None, None, None)
    # Closed streams are forgotten: the account may open one again.
    async with open_stream(app, headers) as again:
        await _ready(again)


async def test_revoking_tokens_ends_the_stream_with_session_ended(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    async with open_stream(app, headers) as stream:
        await _ready(stream)
        assert (await client.post("/me/logout-all", headers=headers)).status_code == 204
        ended = await stream.next()
        assert ended.data["type"] == "session.ended"
        assert ended.data["reason"] == "revoked"
        try:
            extra = await stream.next()
        except EOFError:
            extra = None
    assert extra is None


async def test_a_password_change_ends_the_other_devices_streams_not_its_own(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    name, laptop = await make_user()
    phone = await log_in_headers(client, name)
    change = {"current_password": TEST_PASSWORD, "new_password": "another good passphrase"}
    async with open_stream(app, laptop) as laptops, open_stream(app, phone) as phones:
        await _ready(laptops)
        await _ready(phones)
        response = await client.put("/me/password", json=change, headers=laptop)
        assert response.status_code == 200, response.text
        ended = await phones.next()
        assert ended.data["type"] == "session.ended"
        assert ended.data["kept_session_id"] is not None
        # The device that changed it goes on: its stream sees the next change.
        await client.post("/todo", json={"title": "after"}, headers=laptop)
        assert (await laptops.next()).type == "todo.created"


async def log_in_headers(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    response = await client.post("/auth/login", data={"username": name, "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def test_deleting_an_account_tells_the_lists_it_leaves(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, owner = await make_user()
    leaver, leaver_headers = await make_user()
    editor, _ = await make_user()
    shared = await _new_list(client, owner, "Team")
    await add_member(client, owner, shared, leaver, "viewer", leaver_headers)
    handed_over = await _new_list(client, leaver_headers, "Handed over")
    await add_member(client, leaver_headers, handed_over, editor, "editor")
    async with open_stream(app, owner) as owners, open_stream(app, leaver_headers) as leavers:
        await _ready(owners)
        await _ready(leavers)
        response = await client.request(
            "DELETE", "/me", json={"password": TEST_PASSWORD}, headers=leaver_headers
        )
        assert response.status_code == 204, response.text
        removed = await owners.next()
        leaver_saw = [m.type for m in await leavers.until("session.ended")]
    assert removed.data == {"type": "member.removed", "list_id": shared, "name": leaver}
    assert "member.updated" in leaver_saw  # the editor became the owner of "Handed over"
    assert leaver_saw[-1] == "session.ended"


async def test_a_heartbeat_moves_the_last_event_id(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    app.state.settings.events_heartbeat_seconds = 0.2
    try:
        async with open_stream(app, headers) as stream:
            ready = await _ready(stream)
            await client.post("/todo", json={"title": "x"}, headers=headers)
            await stream.next()
            assert await stream.quiet(0.5) == []
            assert stream.heartbeats >= 1
            assert stream.last_id is not None
            assert stream.last_id != ready.id
    finally:
        app.state.settings.events_heartbeat_seconds = 15


async def test_a_stream_ends_when_its_token_expires(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    name = f"user-{uuid.uuid4().hex[:12]}"
    await client.post("/auth/signup", json={"name": name, "password": TEST_PASSWORD})
    settings = app.state.settings
    settings.access_token_ttl_seconds, ttl = 2, settings.access_token_ttl_seconds
    try:
        login = await client.post("/auth/login", data={"username": name, "password": TEST_PASSWORD})
    finally:
        settings.access_token_ttl_seconds = ttl
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    async with open_stream(app, headers) as stream:
        await _ready(stream)
        ended = await stream.next(wait=4)
        assert ended.data == {
            "type": "session.ended",
            "reason": "expired",
            "token_generation": None,
            "session_id": None,
            "kept_session_id": None,
        }
        assert await stream.quiet(0.3) == []
        assert stream.ended


async def test_fifty_streams_opened_at_once_get_exactly_the_cap(
    app: FastAPI, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    cap = app.state.settings.events_max_streams_per_user
    streams = [open_stream(app, headers) for _ in range(50)]
    opened = await asyncio.gather(*(s.__aenter__() for s in streams))
    try:
        statuses = [stream.status for stream in opened]
        assert statuses.count(200) == cap
        assert statuses.count(429) == 50 - cap
        for stream in opened:
            if stream.status == 200:
                assert (await stream.next()).type == "ready"
    finally:
        await asyncio.gather(*(s.__aexit__(None, None, None) for s in streams))


async def test_a_revocation_made_outside_the_api_ends_the_stream_too(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    """An operator's `UPDATE users SET token_generation = token_generation + 1` (the
    runbook's revocation) records no event; the broker's periodic check catches it."""
    _, headers = await make_user()
    me = (await client.get("/me", headers=headers)).json()
    broker = app.state.broker
    settings = broker.settings
    broker.settings = dataclasses.replace(settings, revalidate_interval=0.2)
    broker._next_revalidation = 0.0
    try:
        async with open_stream(app, headers) as stream:
            await _ready(stream)
            users = table("users")
            revoke = (
                update(users)
                .where(users.c.id == uuid.UUID(me["id"]))
                .values(token_generation=users.c.token_generation + 1)
            )
            await app.state.db.write(lambda conn: conn.execute(revoke))
            with pytest.raises(EOFError):
                await stream.next(wait=3)
    finally:
        broker.settings = settings


async def test_pruning_empties_the_log_and_positions_keep_increasing(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    async with open_stream(app, headers) as stream:
        await _ready(stream)
        await client.post("/todo", json={"title": "before"}, headers=headers)
        before = Cursor.parse((await stream.next()).id)
        db = app.state.db
        everything = utcnow() + timedelta(seconds=1)
        pruned = 0
        while (batch := await db.write_statement(lambda c: daos.events.prune(c, everything))) > 0:
            pruned += batch
        assert pruned >= 1
        await client.post("/todo", json={"title": "after"}, headers=headers)
        after = Cursor.parse((await stream.next()).id)
    # No position is used twice, even with the rows before it gone (SQLite AUTOINCREMENT).
    assert before is not None
    assert after is not None
    assert after.position > before.position


async def test_the_log_holds_each_todo_event_as_its_schema_writes_it(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    """PostgreSQL and CockroachDB build a todo event's JSON in the change's own statement
    (`json_build_object`), SQLite's come from Pydantic: both hold exactly the schema's
    fields with the values the API answered, and a stream re-serialises them to the same
    bytes as Pydantic."""
    _, headers = await make_user()
    target = await _new_list(client, headers, "Target")
    created = (await client.post("/todo", json={"title": 'a "b"\n\\ é'}, headers=headers)).json()
    url = f"/todo/{created['id']}"
    updated = (await client.patch(url, json={"completed": True}, headers=headers)).json()
    moved = (await client.patch(url, json={"list_id": target}, headers=headers)).json()
    assert (await client.delete(url, headers=headers)).is_success

    events = table("event")
    query = select(events.c.kind, events.c.data).where(
        events.c.list_id.in_([uuid.UUID(created["list_id"]), uuid.UUID(target)])
    )
    rows = (await app.state.db.read(lambda conn: conn.execute(query.order_by(events.c.id)))).all()
    expected = [
        {"type": "todo.created", "list_id": created["list_id"], "todo": created},
        {"type": "todo.updated", "list_id": created["list_id"], "todo": updated},
        {
            "type": "todo.moved",
            "list_id": target,
            "from_list_id": created["list_id"],
            "todo": moved,
        },
        {"type": "todo.deleted", "list_id": target, "todo_id": created["id"], "version": 2},
    ]
    todo_rows = [(kind, data) for kind, data in rows if kind.startswith("todo.")]
    assert [kind for kind, _ in todo_rows] == [event["type"] for event in expected]
    recorded: TypeAdapter[Recorded] = TypeAdapter(Recorded)
    for (_, data), wanted in zip(todo_rows, expected, strict=True):
        as_logged = json.loads(data)
        assert as_logged.keys() == wanted.keys()
        as_schema = recorded.validate_json(data)
        assert as_schema == recorded.validate_python(wanted)
        assert json.loads(recorded.dump_json(as_schema)) == wanted
