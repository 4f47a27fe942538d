"""Sign-up, log-in, /me and what a token does and does not grant, on every engine."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest

from tests.conftest import TEST_PASSWORD, TEST_SECRET, MakeUser


async def test_signup_then_login_then_me(client: httpx.AsyncClient) -> None:
    name = f"new-{uuid.uuid4().hex[:8]}"
    signup = await client.post("/auth/signup", json={"name": name, "password": TEST_PASSWORD})
    assert signup.status_code == 201
    user = signup.json()
    assert list(user) == ["id", "created_at", "name"]
    assert "password" not in signup.text

    login = await client.post("/auth/login", data={"username": name, "password": TEST_PASSWORD})
    assert login.status_code == 200
    assert login.json()["token_type"] == "bearer"

    # Original clients send the scheme in lower case.
    me = await client.get(
        "/me", headers={"Authorization": f"bearer {login.json()['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json() == user


async def test_the_token_response_is_never_cached(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    name, _ = await make_user()
    response = await client.post("/auth/login", data={"username": name, "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"  # RFC 6749 section 5.1


async def test_names_are_case_insensitive(client: httpx.AsyncClient) -> None:
    """`Bob` and `bob` are one name: nobody can sign up as someone else by case, and the
    owner logs in however they type it. The name is shown as it was typed."""
    name = f"Case-{uuid.uuid4().hex[:8]}"
    signup = await client.post("/auth/signup", json={"name": name, "password": TEST_PASSWORD})
    assert signup.status_code == 201
    for other_case in (name.lower(), name.upper()):
        taken = await client.post(
            "/auth/signup", json={"name": other_case, "password": TEST_PASSWORD}
        )
        assert taken.status_code == 409
        login = await client.post(
            "/auth/login", data={"username": other_case, "password": TEST_PASSWORD}
        )
        assert login.status_code == 200
        me = await client.get(
            "/me", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
        )
        assert me.json()["name"] == name


async def test_signup_name_taken_is_409(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    name, _ = await make_user()
    response = await client.post("/auth/signup", json={"name": name, "password": TEST_PASSWORD})
    assert response.status_code == 409
    assert response.json() == {"detail": "That name is already taken"}


@pytest.mark.parametrize(
    "body",
    [
        {"name": "ab", "password": TEST_PASSWORD},
        {"name": "x" * 65, "password": TEST_PASSWORD},
        {"name": "has space", "password": TEST_PASSWORD},
        {"name": "émile", "password": TEST_PASSWORD},
        {"name": "name'; --", "password": TEST_PASSWORD},
        {"name": "valid-name", "password": "short"},
        {"name": "valid-name", "password": "p" * 129},
        {"name": "valid-name", "password": "pass\x00word"},
        {"name": "valid-name"},
        {"name": 12345, "password": TEST_PASSWORD},
        {"password": TEST_PASSWORD},
    ],
)
async def test_signup_invalid_is_422(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await client.post("/auth/signup", json=body)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], list)


async def test_signup_accepts_the_bounds(client: httpx.AsyncClient) -> None:
    short = f"a{uuid.uuid4().hex[:2]}"
    long_name = uuid.uuid4().hex + uuid.uuid4().hex  # 64 characters
    for name, password in ((short, "p" * 8), (long_name, "p" * 128)):
        response = await client.post("/auth/signup", json={"name": name, "password": password})
        assert response.status_code == 201, response.text


async def test_unknown_user_and_wrong_password_fail_alike(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    name, _ = await make_user()
    wrong_password = await client.post("/auth/login", data={"username": name, "password": "nope"})
    unknown_user = await client.post(
        "/auth/login", data={"username": f"ghost-{name}", "password": TEST_PASSWORD}
    )
    assert wrong_password.status_code == unknown_user.status_code == 401
    assert wrong_password.json() == unknown_user.json()
    assert wrong_password.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "form",
    [
        {"username": "a\x00b", "password": "x"},
        {"username": "x" * 500, "password": "x"},
        {"username": "user", "password": "x" * 500},
        {"username": "' OR 1=1 --", "password": "x"},
    ],
)
async def test_hostile_login_forms_are_plain_401(
    client: httpx.AsyncClient, form: dict[str, str]
) -> None:
    response = await client.post("/auth/login", data=form)
    assert response.status_code == 401


async def test_login_missing_fields_is_422(client: httpx.AsyncClient) -> None:
    assert (await client.post("/auth/login", data={"username": "x"})).status_code == 422
    assert (
        await client.post("/auth/login", json={"username": "x", "password": "y"})
    ).status_code == 422


def forged(sub: str, *, key: str = TEST_SECRET, expires_in: timedelta = timedelta(hours=1)) -> str:
    return jwt.encode({"sub": sub, "exp": datetime.now(UTC) + expires_in}, key, algorithm="HS256")


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer not-a-jwt",
        "Bearer user1",  # the original app's "token" was the user's name
        f"Bearer {forged(str(uuid.uuid4()), key='k' * 64)}",
        f"Bearer {forged(str(uuid.uuid4()), expires_in=timedelta(seconds=-5))}",
        "Bearer "
        + jwt.encode(
            {"sub": str(uuid.uuid4()), "exp": datetime.now(UTC) + timedelta(hours=1)},
            None,
            algorithm="none",
        ),
        "Basic dXNlcjE6cGFzcw==",
        "Bearer",
        "",
    ],
)
async def test_bad_credentials_are_401(client: httpx.AsyncClient, authorization: str) -> None:
    for method, path in (("GET", "/me"), ("GET", "/todo"), ("POST", "/todo")):
        response = await client.request(
            method, path, headers={"Authorization": authorization}, json={"title": "x"}
        )
        assert response.status_code == 401, (method, path)


class TestAuthorization:
    """User B can never see or touch user A's todos: 404, as if they did not exist."""

    async def test_other_users_todo_is_404_everywhere(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, alice = await make_user()
        _, bob = await make_user()
        todo = (await client.post("/todo", json={"title": "secret"}, headers=alice)).json()
        url = f"/todo/{todo['id']}"

        assert (await client.get(url, headers=bob)).status_code == 404
        assert (await client.put(url, json={"title": "x"}, headers=bob)).status_code == 404
        assert (await client.patch(url, json={"title": "x"}, headers=bob)).status_code == 404
        assert (
            await client.patch(url, json={"title": "x"}, headers={**bob, "If-Match": '"0"'})
        ).status_code == 404
        assert (await client.delete(url, headers=bob)).status_code == 404
        assert (await client.get("/todo", headers=bob)).json() == []
        assert (await client.get("/todo/stats", headers=bob)).json()["total"] == 0

        assert (await client.get(url, headers=alice)).json() == todo

    async def test_bulk_delete_only_touches_the_callers_todos(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, alice = await make_user()
        _, bob = await make_user()
        await client.post("/todo", json={"title": "a", "completed": True}, headers=alice)
        response = await client.delete("/todo", params={"completed": "true"}, headers=bob)
        assert response.json() == {"deleted": 0}
        assert len((await client.get("/todo", headers=alice)).json()) == 1
