"""Who a stream's events reach, attacked: a stream never carries an event of a list from
a stretch of the log in which its account was not a member of that list, however it
resumes (a forged cursor, a real one from before a removal) and whatever changes while
it opens. Each test here failed on the broker before the fix (issue 27, findings 1 and
2); the model-based test is tests/unit/test_stream_audience_model.py."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import MakeUser, server_engines_only
from tests.sharing import add_member
from tests.sse import EventStream, Message, after_lists_read, open_stream

SECRET = "SECRET"


async def _new_list(client: httpx.AsyncClient, headers: dict[str, str], name: str) -> str:
    response = await client.post("/lists", json={"name": name}, headers=headers)
    assert response.status_code == 201, response.text
    list_id: str = response.json()["id"]
    return list_id


async def _add(
    client: httpx.AsyncClient, owner: dict[str, str], list_id: str, name: str, role: str
) -> None:
    response = await add_member(client, owner, list_id, name, role)
    assert response.status_code == 200, response.text


async def _remove(
    client: httpx.AsyncClient, owner: dict[str, str], list_id: str, name: str
) -> None:
    response = await client.delete(f"/lists/{list_id}/members/{name}", headers=owner)
    assert response.status_code == 200, response.text


def _leaked(messages: list[Message]) -> list[Message]:
    return [m for m in messages if SECRET in json.dumps(m.data)]


async def _secret_history(client: httpx.AsyncClient, owner: dict[str, str], list_id: str) -> None:
    """Changes a member who joins later must never see: a todo created and deleted, and
    one renamed from a secret title to a public one."""
    todos = f"/lists/{list_id}/todos"
    gone = (await client.post(todos, json={"title": f"{SECRET}-deleted"}, headers=owner)).json()
    assert (await client.delete(f"/todo/{gone['id']}", headers=owner)).status_code == 200
    kept = (await client.post(todos, json={"title": f"{SECRET}-old-title"}, headers=owner)).json()
    renamed = await client.patch(f"/todo/{kept['id']}", json={"title": "public"}, headers=owner)
    assert renamed.status_code == 200


async def _caught_up(stream: EventStream) -> list[Message]:
    ready = await stream.next()
    assert ready.type == "ready", ready
    return [ready, *await stream.quiet(0.5)]


async def test_a_forged_cursor_does_not_replay_a_list_from_before_its_member_joined(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, owner = await make_user()
    viewer, viewer_headers = await make_user()
    list_id = await _new_list(client, owner, "Plans")
    await _secret_history(client, owner, list_id)
    await _add(client, owner, list_id, viewer, "viewer")

    # Any well-formed cursor from before the join: the start of the log, issued now.
    forged = f"0.0.{int(time.time())}"
    async with open_stream(app, viewer_headers, last_event_id=forged) as stream:
        caught_up = await _caught_up(stream)
        await client.post(f"/lists/{list_id}/todos", json={"title": "after"}, headers=owner)
        live = await stream.until("todo.created")

    assert caught_up[0].data == {"type": "ready", "resumed": True}
    assert _leaked(caught_up) == []
    added = [m for m in caught_up if m.type == "member.added" and m.data["list_id"] == list_id]
    assert len(added) == 1, "its own joining is replayed: it was a member from there on"
    assert live[-1].data["todo"]["title"] == "after"


async def test_a_member_added_back_does_not_replay_the_time_they_were_out(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, owner = await make_user()
    member, member_headers = await make_user()
    list_id = await _new_list(client, owner, "Plans")
    await _add(client, owner, list_id, member, "viewer")
    async with open_stream(app, member_headers) as stream:
        assert (await stream.next()).type == "ready"
        await _remove(client, owner, list_id, member)
        removed = await stream.until("member.removed")
    await _secret_history(client, owner, list_id)
    await _add(client, owner, list_id, member, "viewer")

    # A real cursor: the id of the `member.removed` the stream received.
    async with open_stream(app, member_headers, last_event_id=removed[-1].id) as resumed:
        caught_up = await _caught_up(resumed)

    assert caught_up[0].data == {"type": "ready", "resumed": True}
    assert _leaked(caught_up) == []
    # Invited again and accepting: the invitation's own events, and the list from its
    # `member.added` only.
    assert [m.type for m in caught_up[1:]] == [
        "invitation.sent",
        "member.added",
        "invitation.closed",
    ]


async def _user_id(client: httpx.AsyncClient, headers: dict[str, str]) -> uuid.UUID:
    return uuid.UUID((await client.get("/me", headers=headers)).json()["id"])


@server_engines_only
async def test_a_member_removed_while_their_stream_opens_gets_nothing_more_of_the_list(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, owner = await make_user()
    member, member_headers = await make_user()
    list_id = await _new_list(client, owner, "Plans")
    await _add(client, owner, list_id, member, "editor")
    member_id = await _user_id(client, member_headers)
    removal = after_lists_read(member_id, lambda: _remove(client, owner, list_id, member))

    with removal:
        async with open_stream(app, member_headers) as stream:
            assert (await stream.next()).type == "ready"
            await client.post(f"/lists/{list_id}/todos", json={"title": SECRET}, headers=owner)
            received = await stream.quiet(1.0)

    assert _leaked(received) == []
    assert [m.type for m in received] == ["member.removed"]


@server_engines_only
async def test_a_session_ended_while_its_stream_opens_ends_the_stream(
    app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, headers = await make_user()
    user_id = await _user_id(client, headers)

    async def sign_out_everywhere() -> None:
        assert (await client.post("/me/logout-all", headers=headers)).status_code == 204

    with after_lists_read(user_id, sign_out_everywhere):
        async with open_stream(app, headers) as stream:
            assert (await stream.next()).type == "ready"
            ended = await stream.next()
            assert ended.type == "session.ended"
            with pytest.raises(EOFError):
                await stream.next()
