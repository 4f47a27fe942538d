"""Personal access tokens on every engine: created and shown once, listed without
their secret, accepted as a bearer token, refused outside their scope (403 naming it),
401 once expired or revoked, never able to manage the account, and busy without
failing (docs/security.md, "Personal access tokens")."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from app.platform.tables import table, utcnow
from tests.conftest import MakeUser

Headers = dict[str, str]


async def create_token(
    client: httpx.AsyncClient, session: Headers, **body: Any
) -> tuple[dict[str, Any], Headers]:
    body = {"name": "script", "access": "read", "expires_in_days": 30, **body}
    response = await client.post("/me/tokens", json=body, headers=session)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    created = response.json()
    return created, {"Authorization": f"Bearer {created['secret']}"}


async def new_list(client: httpx.AsyncClient, session: Headers, name: str) -> str:
    response = await client.post("/lists/", json={"name": name}, headers=session)
    assert response.status_code == 201, response.text
    list_id: str = response.json()["id"]
    return list_id


async def new_todo(client: httpx.AsyncClient, session: Headers, list_id: str) -> str:
    response = await client.post(
        f"/lists/{list_id}/todos/", json={"title": "a todo"}, headers=session
    )
    assert response.status_code == 201, response.text
    todo_id: str = response.json()["id"]
    return todo_id


def refused_for_scope(response: httpx.Response, scope: str) -> None:
    assert response.status_code == 403, response.text
    assert f"scope is {scope}" in response.json()["detail"]


class TestCreateTokens:
    async def test_create_then_list_without_secret(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        created, pat = await create_token(client, session, name="backup")
        assert created["secret"].startswith("mi_pat_")
        assert created["hint"] == created["secret"][:11]
        assert created["access"] == "read"
        assert created["list_ids"] is None
        assert created["last_used_at"] is None

        me = await client.get("/me", headers=pat)
        assert me.status_code == 200, me.text

        listed = (await client.get("/me/tokens", headers=session)).json()
        assert [token["id"] for token in listed] == [created["id"]]
        assert "secret" not in listed[0]
        assert created["secret"] not in str(listed)
        assert listed[0]["last_used_at"] is not None  # the GET /me just now

    async def test_create_for_a_list_one_is_not_a_member_of(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        _, other = await make_user()
        theirs = await new_list(client, other, "theirs")
        response = await client.post(
            "/me/tokens",
            json={"name": "x", "access": "read", "expires_in_days": 1, "list_ids": [theirs]},
            headers=session,
        )
        assert response.status_code == 404, response.text
        assert (await client.get("/me/tokens", headers=session)).json() == []

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "", "access": "read", "expires_in_days": 1},
            {"name": "x", "access": "admin", "expires_in_days": 1},
            {"name": "x", "access": "read", "expires_in_days": 0},
            {"name": "x", "access": "read", "expires_in_days": 2**63},
            {"name": "x", "access": "read", "expires_in_days": 1, "list_ids": ["nope"]},
        ],
    )
    async def test_invalid_bodies(
        self, client: httpx.AsyncClient, make_user: MakeUser, body: dict[str, Any]
    ) -> None:
        _, session = await make_user()
        response = await client.post("/me/tokens", json=body, headers=session)
        assert response.status_code == 422, response.text


class TestTokenScope:
    async def test_a_token_for_one_list_cannot_read_another(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        chosen = await new_list(client, session, "chosen")
        other = await new_list(client, session, "other")
        chosen_todo = await new_todo(client, session, chosen)
        other_todo = await new_todo(client, session, other)
        _, pat = await create_token(client, session, list_ids=[chosen])

        assert (await client.get(f"/lists/{chosen}", headers=pat)).status_code == 200
        todos = await client.get(f"/lists/{chosen}/todos/", headers=pat)
        assert [todo["id"] for todo in todos.json()] == [chosen_todo]
        assert (await client.get(f"/todo/{chosen_todo}", headers=pat)).status_code == 200
        lists = (await client.get("/lists/", headers=pat)).json()
        assert [found["id"] for found in lists] == [chosen]

        scope = "read, 1 chosen list(s)"
        for path in (
            f"/lists/{other}",
            f"/lists/{other}/todos/",
            f"/lists/{other}/members",
            f"/todo/{other_todo}",
            "/todo/",  # the personal list, not chosen
            "/events",
            "/me/export",
        ):
            refused_for_scope(await client.get(path, headers=pat), scope)

    async def test_a_read_only_token_cannot_write(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        shared = await new_list(client, session, "shared")
        todo_id = await new_todo(client, session, shared)
        _, pat = await create_token(client, session)
        scope = "read, all lists"
        for method, path, body in (
            ("POST", "/todo/", {"title": "no"}),
            ("POST", f"/lists/{shared}/todos/", {"title": "no"}),
            ("PATCH", f"/todo/{todo_id}", {"completed": True}),
            ("DELETE", f"/todo/{todo_id}", None),
            ("POST", "/lists/", {"name": "no"}),
            ("PATCH", f"/lists/{shared}", {"name": "no"}),
            ("DELETE", f"/lists/{shared}", None),
        ):
            response = await client.request(method, path, json=body, headers=pat)
            refused_for_scope(response, scope)
        todo = await client.get(f"/todo/{todo_id}", headers=session)
        assert todo.json()["completed"] is False
        assert [found["name"] for found in (await client.get("/lists/", headers=session)).json()][
            1:
        ] == ["shared"]

    async def test_a_read_write_token_for_one_list_writes_there_only(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        chosen = await new_list(client, session, "chosen")
        other = await new_list(client, session, "other")
        other_todo = await new_todo(client, session, other)
        _, pat = await create_token(client, session, access="read-write", list_ids=[chosen])
        created = await client.post(f"/lists/{chosen}/todos/", json={"title": "ok"}, headers=pat)
        assert created.status_code == 201, created.text
        scope = "read-write, 1 chosen list(s)"
        refused_for_scope(
            await client.post(f"/lists/{other}/todos/", json={"title": "no"}, headers=pat), scope
        )
        refused_for_scope(
            await client.patch(f"/todo/{other_todo}", json={"title": "no"}, headers=pat), scope
        )
        moved = await client.patch(
            f"/todo/{created.json()['id']}", json={"list_id": other}, headers=pat
        )
        assert moved.status_code in (403, 404), moved.text
        refused_for_scope(await client.post("/lists/", json={"name": "new"}, headers=pat), scope)
        todomvc = await client.post("/me/import/todomvc", json=[{"title": "x"}], headers=pat)
        refused_for_scope(todomvc, scope)

    async def test_a_token_cannot_manage_the_account(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        created, pat = await create_token(client, session, access="read-write")
        for method, path, body in (
            ("GET", "/me/tokens", None),
            ("POST", "/me/tokens", {"name": "more", "access": "read", "expires_in_days": 1}),
            ("DELETE", f"/me/tokens/{created['id']}", None),
            ("PUT", "/me/password", {"current_password": "x", "new_password": "y" * 10}),
            ("POST", "/me/logout-all", None),
            ("DELETE", "/me", {"password": "x"}),
        ):
            response = await client.request(method, path, json=body, headers=pat)
            assert response.status_code == 403, (method, path, response.text)
            assert "personal access token" in response.json()["detail"]
        assert (await client.get("/me", headers=pat)).status_code == 200


async def test_an_all_lists_token_exports_and_a_read_write_one_imports(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    """What a backup script does: export with a read token, import with a read-write one."""
    _, session = await make_user()
    await new_list(client, session, "backed up")
    _, reader = await create_token(client, session)
    exported = await client.get("/me/export", headers=reader)
    assert exported.status_code == 200, exported.text
    refused_for_scope(
        await client.post("/me/import", content=exported.content, headers=reader), "read, all lists"
    )
    _, writer = await create_token(client, session, access="read-write")
    imported = await client.post("/me/import", content=exported.content, headers=writer)
    assert imported.status_code == 200, imported.text
    assert imported.json()["lists_created"] == 1


class TestTokenEnds:
    async def test_revoked_token_is_a_401(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        created, pat = await create_token(client, session)
        assert (await client.get("/todo/", headers=pat)).status_code == 200
        revoked = await client.delete(f"/me/tokens/{created['id']}", headers=session)
        assert revoked.status_code == 204, revoked.text
        for path in ("/todo/", "/me", "/lists/"):
            response = await client.get(path, headers=pat)
            assert response.status_code == 401, response.text
            assert response.headers["www-authenticate"] == "Bearer"
        again = await client.delete(f"/me/tokens/{created['id']}", headers=session)
        assert again.status_code == 404

    async def test_someone_elses_token_cannot_be_revoked(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        _, other = await make_user()
        created, pat = await create_token(client, session)
        response = await client.delete(f"/me/tokens/{created['id']}", headers=other)
        assert response.status_code == 404
        assert (await client.get("/me", headers=pat)).status_code == 200

    async def test_expired_token_is_a_401(
        self, app: FastAPI, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        created, pat = await create_token(client, session)
        tokens = table("access_token")
        expire = (
            update(tokens)
            .where(tokens.c.id == uuid.UUID(created["id"]))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await app.state.db.write_statement(lambda conn: conn.execute(expire))
        response = await client.get("/me", headers=pat)
        assert response.status_code == 401, response.text

    @pytest.mark.parametrize(
        "secret", ["mi_pat_", "mi_pat_" + "A" * 43, "mi_pat_" + "x" * 5000, "mi_pat_\u00e9"]
    )
    async def test_unknown_tokens_are_a_401(self, client: httpx.AsyncClient, secret: str) -> None:
        header = f"Bearer {secret}".encode("latin-1")  # as a client may send it
        response = await client.get("/me", headers={b"Authorization": header})
        assert response.status_code in (400, 401), response.text

    async def test_account_deleted_takes_its_tokens(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        _, pat = await create_token(client, session)
        response = await client.request(
            "DELETE", "/me", json={"password": "correct horse battery"}, headers=session
        )
        assert response.status_code in (204, 403), response.text
        if response.status_code == 204:
            assert (await client.get("/me", headers=pat)).status_code == 401


async def test_fifty_concurrent_uses_do_not_fail(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    """The last use is recorded once per minute and process, and a failure to record it
    is logged, not raised: a burst of requests with one token all succeed."""
    _, session = await make_user()
    created, pat = await create_token(client, session, access="read-write")
    responses = await asyncio.gather(
        *(
            client.post("/todo/", json={"title": f"burst {n}"}, headers=pat)
            if n % 2
            else client.get("/todo/", headers=pat)
            for n in range(50)
        )
    )
    assert sorted({response.status_code for response in responses}) == [200, 201], [
        response.text for response in responses if response.status_code >= 300
    ]
    listed = (await client.get("/me/tokens", headers=session)).json()
    assert listed[0]["id"] == created["id"]
    assert listed[0]["last_used_at"] is not None
