"""Account routes and their services on fake DAOs: sign up, log in, change the password,
delete the account. (Throttle windows, races and every engine: tests/api.)"""

from __future__ import annotations

import httpx

from tests.unit.fakes import FakeTodoDAO, FakeUserDAO

PASSWORD = "correct horse battery"


async def signed_up(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    assert (await client.post("/auth/signup", json={"name": name, "password": PASSWORD})).is_success
    login = await client.post("/auth/login", data={"username": name, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_sign_up_log_in_and_read_me(fake_client: httpx.AsyncClient) -> None:
    headers = await signed_up(fake_client, "carol")
    me = await fake_client.get("/me", headers=headers)
    assert me.json()["name"] == "carol"
    wrong = await fake_client.post("/auth/login", data={"username": "carol", "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"


async def test_password_change_ends_the_other_sessions(fake_client: httpx.AsyncClient) -> None:
    this = await signed_up(fake_client, "carol")
    login = await fake_client.post("/auth/login", data={"username": "carol", "password": PASSWORD})
    other = {"Authorization": f"Bearer {login.json()['access_token']}"}
    body = {"current_password": PASSWORD, "new_password": "a brand new passphrase"}
    response = await fake_client.put("/me/password", json=body, headers=this)
    assert response.status_code == 200
    fresh = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert (await fake_client.get("/me", headers=other)).status_code == 401
    for headers in (this, fresh):
        assert (await fake_client.get("/me", headers=headers)).status_code == 200


async def test_delete_account_takes_its_todos(fake_client: httpx.AsyncClient) -> None:
    headers = await signed_up(fake_client, "carol")
    await fake_client.post("/todo", json={"title": "a"}, headers=headers)
    wrong = await fake_client.request("DELETE", "/me", json={"password": "nope"}, headers=headers)
    assert wrong.status_code == 403
    response = await fake_client.request(
        "DELETE", "/me", json={"password": PASSWORD}, headers=headers
    )
    assert response.status_code == 204
    assert FakeUserDAO.users == {}
    assert FakeTodoDAO.todos == {}
