"""Sessions are rows (issue 31, item 3), on every engine: each log-in is a signed-in
device the account can list and sign out; a signed-out device's next request is a 401
and its live stream ends at once; the cap on live sessions holds under a flood of
concurrent log-ins; idle and absolute expiry."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from app.accounts.tables import User
from app.daos import daos
from app.platform.tables import table, utcnow
from app.sessions import service as sessions
from app.sessions.schemas import MAX_PAGE
from app.sessions.service import MAX_SESSIONS
from tests.accounts.test_account import assert_refused_everywhere
from tests.conftest import (
    TEST_PASSWORD,
    ClientFrom,
    MakeUser,
    migrated_app,
    new_address,
    server_engines_only,
)
from tests.sse import open_stream

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


async def log_in(
    client: httpx.AsyncClient, name: str, user_agent: str | None = None
) -> dict[str, str]:
    headers = {"User-Agent": user_agent} if user_agent else {}
    response = await client.post(
        "/auth/login", data={"username": name, "password": TEST_PASSWORD}, headers=headers
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def devices(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    """Every page of the caller's signed-in devices, following `next_cursor`."""
    found: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, str | int] = {"limit": MAX_PAGE}
        if cursor is not None:
            params["cursor"] = cursor
        response = await client.get("/me/sessions", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        found += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


def session_of(headers: dict[str, str]) -> str:
    token = headers["Authorization"].removeprefix("Bearer ")
    return str(jwt.decode(token, options={"verify_signature": False})["sid"])


async def user_id_of(client: httpx.AsyncClient, headers: dict[str, str]) -> uuid.UUID:
    return uuid.UUID((await client.get("/me", headers=headers)).json()["id"])


async def count_sessions(app: FastAPI, user_id: uuid.UUID) -> int:
    sessions_table = table("user_session")
    query = select(func.count()).select_from(sessions_table)
    query = query.where(sessions_table.c.user_id == user_id)
    count: int = await app.state.db.read(lambda conn: conn.scalar(query))
    return count


class TestDevices:
    async def test_each_log_in_is_a_device_described_from_its_user_agent(
        self, client_from: ClientFrom, make_user: MakeUser
    ) -> None:
        name, first = await make_user()
        address = new_address()
        async with client_from(address) as phone_client:
            phone = await log_in(phone_client, name, IPHONE)
        async with client_from(new_address()) as client:
            laptop = await log_in(client, name, FIREFOX)
            listed = await devices(client, laptop)
        assert [d["device"] for d in listed] == [
            "Firefox 133 on Ubuntu",
            "Mobile Safari 18 on iOS",
            "python-httpx",
        ]
        assert [d["current"] for d in listed] == [True, False, False]
        assert listed[1]["address"] == address
        assert listed[1]["id"] == session_of(phone)
        assert listed[2]["id"] == session_of(first)
        for device in listed:
            assert device["last_seen_at"] >= device["created_at"]
            assert device["expires_at"] > device["last_seen_at"]

    async def test_signing_a_device_out_ends_it_and_only_it(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        name, laptop = await make_user()
        phone = await log_in(client, name)
        todo = (await client.post("/todo", json={"title": "t"}, headers=laptop)).json()

        response = await client.delete(f"/me/sessions/{session_of(phone)}", headers=laptop)
        assert response.status_code == 204
        await assert_refused_everywhere(client, phone, todo["id"])
        assert [d["id"] for d in await devices(client, laptop)] == [session_of(laptop)]
        # Again: it is gone, whichever way it is asked.
        again = await client.delete(f"/me/sessions/{session_of(phone)}", headers=laptop)
        assert again.status_code == 404
        assert again.json() == {"detail": "No such signed-in device among yours"}

    async def test_another_accounts_session_is_404_and_stays(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, alice = await make_user()
        _, bob = await make_user()
        response = await client.delete(f"/me/sessions/{session_of(bob)}", headers=alice)
        assert response.status_code == 404
        assert (await client.get("/me", headers=bob)).status_code == 200
        unknown = await client.delete(f"/me/sessions/{uuid.uuid4()}", headers=alice)
        assert unknown.status_code == 404

    async def test_sign_out_all_others_keeps_this_one(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        name, laptop = await make_user()
        others = [await log_in(client, name) for _ in range(3)]
        response = await client.post("/me/sessions/revoke-others", headers=laptop)
        assert response.status_code == 204
        for headers in others:
            assert (await client.get("/me", headers=headers)).status_code == 401
        assert [d["id"] for d in await devices(client, laptop)] == [session_of(laptop)]
        # With nothing left to sign out it is still a 204.
        assert (await client.post("/me/sessions/revoke-others", headers=laptop)).status_code == 204

    async def test_log_out_ends_this_session_on_the_server(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        name, laptop = await make_user()
        phone = await log_in(client, name)
        assert (await client.post("/auth/logout", headers=phone)).status_code == 204
        assert (await client.get("/me", headers=phone)).status_code == 401
        assert (await client.post("/auth/logout", headers=phone)).status_code == 401
        assert [d["id"] for d in await devices(client, laptop)] == [session_of(laptop)]

    async def test_logout_all_ends_every_session_and_logging_in_starts_afresh(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        name, laptop = await make_user()
        await log_in(client, name)
        user_id = await user_id_of(client, laptop)
        assert (await client.post("/me/logout-all", headers=laptop)).status_code == 204
        assert await count_sessions(app, user_id) == 0
        fresh = await log_in(client, name)
        assert [d["current"] for d in await devices(client, fresh)] == [True]

    async def test_a_personal_access_token_is_no_session(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, laptop = await make_user()
        body = {"name": "script", "access": "read-write", "expires_in_days": 7}
        secret = (await client.post("/me/tokens", json=body, headers=laptop)).json()["secret"]
        script = {"Authorization": f"Bearer {secret}"}
        for method, url in [
            ("GET", "/me/sessions"),
            ("POST", "/me/sessions/revoke-others"),
            ("DELETE", f"/me/sessions/{session_of(laptop)}"),
            ("POST", "/auth/logout"),
        ]:
            response = await client.request(method, url, headers=script)
            assert response.status_code == 403, (method, url, response.text)
        assert (await client.post("/me/sessions/revoke-others", headers=laptop)).status_code == 204
        assert (await client.get("/todo", headers=script)).status_code == 200
        assert (await client.post("/auth/logout", headers=laptop)).status_code == 204
        assert (await client.get("/todo", headers=script)).status_code == 200

    @pytest.mark.parametrize(
        "params",
        [
            {"limit": 0},
            {"limit": MAX_PAGE + 1},
            {"limit": 2**63},
            {"limit": "NaN"},
            {"cursor": "not a cursor"},
            {"cursor": "MjAyNi0xMi0wN3xub3QtYS11dWlk"},  # "2026-12-07|not-a-uuid"
            {"cursor": "x" * 201},
        ],
    )
    async def test_bad_paging_is_422(
        self, client: httpx.AsyncClient, make_user: MakeUser, params: dict[str, Any]
    ) -> None:
        _, headers = await make_user()
        response = await client.get("/me/sessions", params=params, headers=headers)
        assert response.status_code == 422, response.text


class TestForgedTokens:
    async def test_a_token_naming_another_session_or_none_is_401(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, alice = await make_user()
        _, bob = await make_user()
        alice_id = await user_id_of(client, alice)
        secret = app.state.settings.jwt_secret
        expires = datetime.now(UTC) + timedelta(hours=1)

        def token(**claims: object) -> dict[str, str]:
            payload = {"sub": str(alice_id), "gen": 0, "exp": expires, **claims}
            return {"Authorization": f"Bearer {jwt.encode(payload, secret, algorithm='HS256')}"}

        for forged in (
            token(sid=str(uuid.uuid4())),  # a session that never was
            token(sid=session_of(bob)),  # bob's live session, with alice's id
            token(),  # no session: a token from before sessions were rows
            token(sid="not-a-uuid"),
            token(sid=12345),
            token(sid=None),
        ):
            for url in ("/me", "/todo", "/me/sessions"):
                response = await client.get(url, headers=forged)
                assert response.status_code == 401, (url, response.text)
        assert (await client.get("/me", headers=alice)).status_code == 200


class TestExpiry:
    async def test_an_idle_session_ends_and_a_used_one_slides(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        name, idle = await make_user()
        used = await log_in(client, name)
        sessions_table = table("user_session")
        long_ago = utcnow() - timedelta(minutes=10)

        async def set_row(session_id: str, **values: object) -> None:
            statement = (
                update(sessions_table)
                .where(sessions_table.c.id == uuid.UUID(session_id))
                .values(**values)
            )
            await app.state.db.write(lambda conn: conn.execute(statement))

        async def row(session_id: str) -> Any:
            query = select(sessions_table).where(sessions_table.c.id == uuid.UUID(session_id))
            return (await app.state.db.read(lambda conn: conn.execute(query))).one()

        await set_row(session_of(idle), idle_expires_at=utcnow() - timedelta(seconds=1))
        assert (await client.get("/me", headers=idle)).status_code == 401
        # Its use is not recorded either: an idle session is never brought back.
        sessions._recorded_use.forget()
        assert (await client.get("/me", headers=idle)).status_code == 401
        assert (await row(session_of(idle))).idle_expires_at < utcnow()

        # A use more than LAST_SEEN_PRECISION after the last recorded one slides it.
        soon = utcnow() + timedelta(minutes=1)
        await set_row(session_of(used), last_seen_at=long_ago, idle_expires_at=soon)
        sessions._recorded_use.forget()
        assert (await client.get("/me", headers=used)).status_code == 200
        slid = await row(session_of(used))
        assert slid.last_seen_at > long_ago
        idle_timeout = app.state.settings.session_idle_timeout
        assert slid.idle_expires_at > utcnow() + idle_timeout - timedelta(minutes=1)
        # Within the precision, uses write nothing.
        for _ in range(5):
            assert (await client.get("/me", headers=used)).status_code == 200
        assert (await row(session_of(used))).last_seen_at == slid.last_seen_at

    async def test_a_session_past_its_absolute_end_is_401(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        sessions_table = table("user_session")
        statement = (
            update(sessions_table)
            .where(sessions_table.c.id == uuid.UUID(session_of(headers)))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await app.state.db.write(lambda conn: conn.execute(statement))
        assert (await client.get("/me", headers=headers)).status_code == 401

    async def test_a_token_lasts_as_long_as_its_session(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        token = headers["Authorization"].removeprefix("Bearer ")
        claims = jwt.decode(token, options={"verify_signature": False})
        listed = (await client.get("/me/sessions", headers=headers)).json()["items"][0]
        ttl = app.state.settings.access_token_ttl
        assert abs(claims["exp"] - (claims["iat"] + ttl.total_seconds())) <= 1
        # What the list shows is the sooner of the two ends: today, the idle one.
        idle = app.state.settings.session_idle_timeout
        shown = datetime.fromisoformat(listed["expires_at"])
        assert abs((shown - datetime.fromtimestamp(claims["iat"], UTC) - idle).total_seconds()) < 5


class TestStreams:
    async def test_a_signed_out_devices_stream_ends_at_once_and_no_other(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        name, laptop = await make_user()
        phone = await log_in(client, name)
        async with open_stream(app, laptop) as laptops, open_stream(app, phone) as phones:
            assert (await laptops.next()).type == "ready"
            assert (await phones.next()).type == "ready"
            response = await client.delete(f"/me/sessions/{session_of(phone)}", headers=laptop)
            assert response.status_code == 204
            ended = await phones.next()
            assert ended.data["type"] == "session.ended"
            assert ended.data["session_id"] == session_of(phone)
            with pytest.raises(EOFError):
                await phones.next()
            await client.post("/todo", json={"title": "still here"}, headers=laptop)
            assert (await laptops.next()).type == "todo.created"

    async def test_revoke_others_ends_the_others_streams(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        name, laptop = await make_user()
        phone = await log_in(client, name)
        async with open_stream(app, laptop) as laptops, open_stream(app, phone) as phones:
            assert (await laptops.next()).type == "ready"
            assert (await phones.next()).type == "ready"
            assert (
                await client.post("/me/sessions/revoke-others", headers=laptop)
            ).status_code == 204
            assert (await phones.next()).data["type"] == "session.ended"
            await client.post("/todo", json={"title": "still here"}, headers=laptop)
            assert (await laptops.next()).type == "todo.created"


@server_engines_only
async def test_signing_out_on_one_replica_ends_the_stream_on_another(
    app: FastAPI, database_url: str, client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    """Two replicas share only the database: the phone's stream is open on the second,
    the laptop signs the phone out through the first, and the second's broker ends it
    at once (the `session.ended` travels through the event log)."""
    name, laptop = await make_user()
    phone = await log_in(client, name)
    async with (
        migrated_app(database_url) as other_replica,
        open_stream(other_replica, phone) as phones,
    ):
        assert (await phones.next()).type == "ready"
        response = await client.delete(f"/me/sessions/{session_of(phone)}", headers=laptop)
        assert response.status_code == 204
        ended = await phones.next(wait=2)
        assert ended.data["session_id"] == session_of(phone)
        with pytest.raises(EOFError):
            await phones.next()


class TestAttack:
    async def test_fifty_concurrent_sign_outs_of_one_session_have_one_outcome(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        name, laptop = await make_user()
        phone = await log_in(client, name)
        target = f"/me/sessions/{session_of(phone)}"
        responses = await asyncio.gather(
            *(client.delete(target, headers=laptop) for _ in range(50))
        )
        assert Counter(r.status_code for r in responses) == {204: 1, 404: 49}
        events = table("event")
        user_id = await user_id_of(client, laptop)
        query = select(func.count()).where(
            events.c.user_id == user_id, events.c.kind == "session.ended"
        )
        assert await app.state.db.read(lambda conn: conn.scalar(query)) == 1

    async def test_a_thousand_log_ins_keep_the_newest_fifty(
        self, database_url: str, make_user: MakeUser, client: httpx.AsyncClient
    ) -> None:
        """1 000 sessions for one account, started concurrently 50 at a time through the
        service (the password check is the log-in's, tested elsewhere; Argon2 a thousand
        times would only measure Argon2), then 50 concurrent log-ins through the API:
        the cap holds exactly, every request answers, and the list pages through the
        newest 50."""
        # An app of its own, whose throttle admits 50 concurrent log-ins of one name.
        async with migrated_app(
            database_url, login_failures_per_name=100, login_failures_per_address=100
        ) as app:
            transport = httpx.ASGITransport(app=app, client=(new_address(), 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as api:
                name = f"user-{uuid.uuid4().hex[:12]}"
                signup = {"name": name, "password": TEST_PASSWORD}
                assert (await api.post("/auth/signup", json=signup)).status_code == 201
                db, settings = app.state.db, app.state.settings
                user = await db.read(lambda conn: daos.users.get_by_name(conn, name))
                assert isinstance(user, User)
                for _ in range(20):
                    await asyncio.gather(
                        *(
                            sessions.start(
                                db, user.as_caller(), settings, user_agent=FIREFOX, address="x"
                            )
                            for _ in range(50)
                        )
                    )
                    assert await count_sessions(app, user.id) <= MAX_SESSIONS
                assert await count_sessions(app, user.id) == MAX_SESSIONS

                form = {"username": name, "password": TEST_PASSWORD}
                burst = await asyncio.gather(
                    *(
                        api.post("/auth/login", data=form, headers={"User-Agent": IPHONE})
                        for _ in range(50)
                    )
                )
                assert Counter(r.status_code for r in burst) == {200: 50}
                assert await count_sessions(app, user.id) == MAX_SESSIONS
                survivors = {
                    session_of({"Authorization": f"Bearer {r.json()['access_token']}"})
                    for r in burst
                }
                headers = {"Authorization": f"Bearer {burst[0].json()['access_token']}"}
                pages = []
                cursor = None
                while True:
                    params: dict[str, Any] = {"limit": 20}
                    if cursor:
                        params["cursor"] = cursor
                    page = (await api.get("/me/sessions", params=params, headers=headers)).json()
                    pages.append(len(page["items"]))
                    cursor = page["next_cursor"]
                    if cursor is None:
                        break
                assert pages == [20, 20, 10]
                listed = await devices(api, headers)
                assert {d["id"] for d in listed} == survivors
                assert {d["device"] for d in listed} == {"Mobile Safari 18 on iOS"}
