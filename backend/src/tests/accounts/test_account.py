"""The account lifecycle under /me, on every engine: change the password, log out
everywhere, delete the account; and what a revoked token can still do (nothing)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from app.accounts.repository import UserRepository
from app.accounts.tables import User
from app.daos import daos
from app.models import BaseDAO
from app.platform.security import Caller
from tests.accounts.test_auth import forged
from tests.conftest import (
    TEST_PASSWORD,
    ClientFrom,
    MakeUser,
    new_address,
    server_engines_only,
    signup_and_login,
)

NEW_PASSWORD = "a brand new passphrase"


def bearer(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def log_in(client: httpx.AsyncClient, name: str, password: str) -> httpx.Response:
    return await client.post("/auth/login", data={"username": name, "password": password})


async def delete_me(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any] | None = None
) -> httpx.Response:
    """DELETE with a body: httpx only takes one through `request()`."""
    body = {"password": TEST_PASSWORD} if body is None else body
    return await client.request("DELETE", "/me", json=body, headers=headers)


def every_caller_operation(todo_id: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    """Each operation a token grants, with a body that would otherwise succeed."""
    return [
        ("GET", "/me", None),
        ("GET", "/todo", None),
        ("GET", "/todo?completed=true", None),
        ("GET", "/todo/stats", None),
        ("POST", "/todo", {"title": "written with a dead token"}),
        ("GET", f"/todo/{todo_id}", None),
        ("PATCH", f"/todo/{todo_id}", {"title": "changed with a dead token"}),
        ("PUT", f"/todo/{todo_id}", {"completed": True}),
        ("DELETE", f"/todo/{todo_id}", None),
        ("DELETE", "/todo?completed=true", None),
        ("GET", "/lists", None),
        ("POST", "/lists", {"name": "made with a dead token"}),
        ("POST", "/me/logout-all", None),
        ("PUT", "/me/password", {"current_password": TEST_PASSWORD, "new_password": "x" * 12}),
        ("DELETE", "/me", {"password": TEST_PASSWORD}),
    ]


async def assert_refused_everywhere(
    client: httpx.AsyncClient, headers: dict[str, str], todo_id: str
) -> None:
    for method, url, body in every_caller_operation(todo_id):
        response = await client.request(method, url, json=body, headers=headers)
        assert response.status_code == 401, (method, url, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json() == {"detail": "Could not validate credentials"}


async def count_rows(app: FastAPI, table: str, owner_id: str) -> int:
    """The user's rows in `table`: for `todo`, those of their personal list; for the
    list tables, their personal list and their memberships."""
    tables = BaseDAO.metadata.tables
    rows, user_id = tables[table], uuid.UUID(owner_id)
    query = select(func.count()).select_from(rows)
    if table == "todo":
        lists = tables["todo_list"]
        personal = select(lists.c.id).where(lists.c.personal_of == user_id)
        query = query.where(rows.c.list_id.in_(personal))
    elif table == "todo_list":
        query = query.where(rows.c.personal_of == user_id)
    elif table == "list_member":
        query = query.where(rows.c.user_id == user_id)
    else:
        query = query.where(rows.c.owner_id == user_id)
    count: int = await app.state.db.read(lambda conn: conn.scalar(query))
    return count


async def test_a_token_for_a_user_that_never_existed_opens_nothing(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, alice = await make_user()
    todo = (await client.post("/todo", json={"title": "alice's"}, headers=alice)).json()
    stranger = {"Authorization": f"Bearer {forged(str(uuid.uuid4()))}"}
    await assert_refused_everywhere(client, stranger, todo["id"])
    assert (await client.get(f"/todo/{todo['id']}", headers=alice)).json() == todo


class TestLogOutEverywhere:
    async def test_every_earlier_token_stops_working(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        name, laptop = await make_user()
        phone = bearer(await log_in(client, name, TEST_PASSWORD))
        created = await client.post(
            "/todo", json={"title": "keep me"}, headers={**laptop, "Idempotency-Key": "k1"}
        )
        todo = created.json()

        response = await client.post("/me/logout-all", headers=phone)
        assert response.status_code == 204
        assert response.content == b""

        for headers in (laptop, phone):
            await assert_refused_everywhere(client, headers, todo["id"])
        # A replay of an earlier create is refused too, not served from the key's record.
        replay = await client.post(
            "/todo", json={"title": "keep me"}, headers={**laptop, "Idempotency-Key": "k1"}
        )
        assert replay.status_code == 401

        # Logging in again works, and nothing the dead tokens tried changed anything.
        fresh = bearer(await log_in(client, name, TEST_PASSWORD))
        assert (await client.get("/todo", headers=fresh)).json() == [todo]
        assert (await client.get("/me", headers=fresh)).json()["name"] == name

    async def test_tokens_issued_afterwards_work(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        name, headers = await make_user()
        for _ in range(3):
            assert (await client.post("/me/logout-all", headers=headers)).status_code == 204
            headers = bearer(await log_in(client, name, TEST_PASSWORD))
        assert (await client.get("/me", headers=headers)).status_code == 200


class TestChangePassword:
    async def test_new_password_keeps_this_device_and_ends_the_others(
        self, client_from: ClientFrom, app: FastAPI
    ) -> None:
        async with client_from(new_address()) as client:
            name, laptop = await signup_and_login(client)
            phone = bearer(await log_in(client, name, TEST_PASSWORD))
            todo = (await client.post("/todo", json={"title": "t"}, headers=laptop)).json()
            created = await client.post(
                "/me/tokens",
                json={"name": "script", "access": "read", "expires_in_days": 7},
                headers=laptop,
            )
            script = {"Authorization": f"Bearer {created.json()['secret']}"}

            response = await client.put(
                "/me/password",
                json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
                headers=laptop,
            )
            fresh = bearer(response)
            assert response.json()["token_type"] == "bearer"

            await assert_refused_everywhere(client, phone, todo["id"])
            # The device that changed it stays signed in: its token and the fresh one
            # name the same session, the only one left.
            for headers in (laptop, fresh):
                assert (await client.get("/todo", headers=headers)).json() == [todo]
            devices = (await client.get("/me/sessions", headers=fresh)).json()["items"]
            assert [device["current"] for device in devices] == [True]
            # A personal access token is no session: it keeps working.
            assert (await client.get("/todo", headers=script)).status_code == 200
            assert (await log_in(client, name, TEST_PASSWORD)).status_code == 401
            assert (await log_in(client, name, NEW_PASSWORD)).status_code == 200

    async def test_wrong_current_password_is_403_and_changes_nothing(
        self, client_from: ClientFrom
    ) -> None:
        async with client_from(new_address()) as client:
            name, headers = await signup_and_login(client)
            response = await client.put(
                "/me/password",
                json={"current_password": "not my password", "new_password": NEW_PASSWORD},
                headers=headers,
            )
            assert response.status_code == 403
            assert response.json() == {"detail": "The password is not correct"}
            assert (await client.get("/me", headers=headers)).status_code == 200
            assert (await log_in(client, name, TEST_PASSWORD)).status_code == 200

    async def test_guessing_through_a_stolen_token_is_throttled_with_log_ins(
        self, client_from: ClientFrom
    ) -> None:
        async with client_from(new_address()) as owner:
            name, _ = await signup_and_login(owner)
        async with client_from(new_address()) as thief:
            stolen = bearer(await log_in(thief, name, TEST_PASSWORD))
            attempts = [
                await thief.put(
                    "/me/password",
                    json={"current_password": f"guess {n}", "new_password": NEW_PASSWORD},
                    headers=stolen,
                )
                for n in range(6)
            ]
            assert [r.status_code for r in attempts] == [403] * 5 + [429]
            assert int(attempts[-1].headers["retry-after"]) > 0
        # The name is locked for log-ins too: the counters are shared.
        async with client_from(new_address()) as owner:
            assert (await log_in(owner, name, TEST_PASSWORD)).status_code == 429

    @pytest.mark.parametrize(
        "body",
        [
            {"current_password": TEST_PASSWORD, "new_password": "short"},
            {"current_password": TEST_PASSWORD, "new_password": "x" * 129},
            {"current_password": TEST_PASSWORD, "new_password": "nul\x00in the middle"},
            {"current_password": TEST_PASSWORD},
            {"new_password": NEW_PASSWORD},
            {"current_password": "x" * 129, "new_password": NEW_PASSWORD},
            {"current_password": 12345678, "new_password": NEW_PASSWORD},
        ],
    )
    async def test_invalid_bodies_are_422_and_change_nothing(
        self, client: httpx.AsyncClient, make_user: MakeUser, body: dict[str, Any]
    ) -> None:
        name, headers = await make_user()
        response = await client.put("/me/password", json=body, headers=headers)
        assert response.status_code == 422, response.text
        assert (await client.get("/me", headers=headers)).status_code == 200
        assert (await log_in(client, name, TEST_PASSWORD)).status_code == 200


class TestDeleteAccount:
    async def test_deletes_the_account_and_its_todos_only(
        self, client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI
    ) -> None:
        name, alice = await make_user()
        _, bob = await make_user()
        alice_id = (await client.get("/me", headers=alice)).json()["id"]
        for n in range(3):
            await client.post(
                "/todo", json={"title": f"a{n}"}, headers={**alice, "Idempotency-Key": f"k{n}"}
            )
        bobs = (await client.post("/todo", json={"title": "bob's"}, headers=bob)).json()

        response = await client.request(
            "DELETE", "/me", json={"password": TEST_PASSWORD}, headers=alice
        )
        assert response.status_code == 204

        for table in ("todo", "todo_list", "list_member", "idempotency_key"):
            assert await count_rows(app, table, alice_id) == 0, table
        await assert_refused_everywhere(client, alice, bobs["id"])
        assert (await log_in(client, name, TEST_PASSWORD)).status_code == 401
        assert (await client.get("/todo", headers=bob)).json() == [bobs]

        # The name is free again, and the new account starts empty.
        _, again = await signup_and_login(client, name)
        assert (await client.get("/todo", headers=again)).json() == []

    async def test_wrong_password_is_403_and_deletes_nothing(self, client_from: ClientFrom) -> None:
        async with client_from(new_address()) as client:
            _, headers = await signup_and_login(client)
            await client.post("/todo", json={"title": "still here"}, headers=headers)
            for wrong in ("wrong password", ""):
                response = await delete_me(client, headers, {"password": wrong})
                assert response.status_code == 403
            invalid: list[dict[str, Any]] = [{}, {"password": None}, {"password": "x" * 129}]
            for body in invalid:
                assert (await delete_me(client, headers, body)).status_code == 422
            assert (await client.get("/me", headers=headers)).status_code == 200
            assert len((await client.get("/todo", headers=headers)).json()) == 1

    async def test_all_or_nothing(
        self,
        client: httpx.AsyncClient,
        make_user: MakeUser,
        app: FastAPI,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A failure after the rows are deleted, inside the same unit of work, leaves the
        account and every todo in place."""
        name, headers = await make_user()
        user_id = (await client.get("/me", headers=headers)).json()["id"]
        for n in range(3):
            await client.post("/todo", json={"title": f"t{n}"}, headers=headers)

        class DeletesThenFails:
            """The real users DAO, except that deleting an account fails once the
            account's statements have run."""

            def __getattr__(self, name: str) -> Any:
                return getattr(User, name)

            async def delete(self, conn: AsyncConnection, caller: Caller) -> str:
                await UserRepository.delete(conn, caller)
                raise RuntimeError("the unit of work fails after the rows are deleted")

        monkeypatch.setattr(daos, "users", DeletesThenFails())
        response = await client.request(
            "DELETE", "/me", json={"password": TEST_PASSWORD}, headers=headers
        )
        assert response.status_code == 500
        monkeypatch.undo()

        assert await count_rows(app, "todo", user_id) == 3
        assert (await client.get("/me", headers=headers)).json()["name"] == name
        assert (await log_in(client, name, TEST_PASSWORD)).status_code == 200


@server_engines_only
async def test_writes_racing_a_delete_leave_nothing_behind(
    client: httpx.AsyncClient, make_user: MakeUser, app: FastAPI
) -> None:
    """Creates and updates in flight while the account is deleted either commit before
    the delete (and are deleted with it) or are refused with 401: never an orphan row,
    never a 5xx."""
    _, headers = await make_user()
    user_id = (await client.get("/me", headers=headers)).json()["id"]
    todo = (await client.post("/todo", json={"title": "0"}, headers=headers)).json()

    async def write(n: int) -> int:
        if n % 2:
            response = await client.post("/todo", json={"title": f"t{n}"}, headers=headers)
        else:
            response = await client.patch(
                f"/todo/{todo['id']}", json={"title": f"t{n}"}, headers=headers
            )
        return response.status_code

    async def delete_account() -> int:
        await asyncio.sleep(0.01)
        response = await client.request(
            "DELETE", "/me", json={"password": TEST_PASSWORD}, headers=headers
        )
        return response.status_code

    statuses = await asyncio.gather(*(write(n) for n in range(30)), delete_account())
    assert statuses[-1] == 204
    assert set(Counter(statuses[:-1])) <= {200, 201, 401}, Counter(statuses)
    assert await count_rows(app, "todo", user_id) == 0
