"""The todo API end to end on every engine: each write is read back to prove it persisted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.conftest import MakeUser


async def create(
    client: httpx.AsyncClient, headers: dict[str, str], **body: object
) -> dict[str, Any]:
    response = await client.post(
        "/todo", json={"title": "t", "content": "c", **body}, headers=headers
    )
    assert response.status_code == 201, response.text
    todo: dict[str, Any] = response.json()
    return todo


class TestReadTodos:
    async def test_read(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        first = await create(client, headers, title="first")
        second = await create(client, headers, title="second")

        response = await client.get("/todo", headers=headers)

        assert response.status_code == 200
        assert [todo["id"] for todo in response.json()] == [first["id"], second["id"]]
        assert "link" not in response.headers

    async def test_next_link_is_relative_whatever_the_host(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        """The Host header is the client's to choose: a link built from it would let an
        attacker have this API point users at any host."""
        _, headers = await make_user()
        await create(client, headers, title="a")
        second = await create(client, headers, title="b")
        response = await client.get(
            "/todo", params={"limit": 1}, headers={**headers, "Host": "evil.example:666"}
        )
        link = response.headers["link"]
        assert link.startswith("</todo?"), link
        assert link.endswith('>; rel="next"'), link
        assert "evil" not in link
        following = await client.get(response.links["next"]["url"], headers=headers)
        assert [todo["id"] for todo in following.json()] == [second["id"]]

    async def test_read_one(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        todo = await create(client, headers, title="one", content="body")

        response = await client.get(f"/todo/{todo['id']}", headers=headers)

        assert response.status_code == 200
        assert response.json() == todo
        assert response.headers["etag"] == '"0"'

    async def test_read_with_and_without_trailing_slash(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        await create(client, headers)
        plain = await client.get("/todo", headers=headers)
        slashed = await client.get("/todo/", headers=headers)
        assert plain.status_code == slashed.status_code == 200
        assert plain.json() == slashed.json()

    async def test_read_filtered_by_completed(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        done = await create(client, headers, title="done", completed=True)
        open_ = await create(client, headers, title="open")

        completed = await client.get("/todo", params={"completed": "true"}, headers=headers)
        active = await client.get("/todo", params={"completed": "false"}, headers=headers)

        assert [t["id"] for t in completed.json()] == [done["id"]]
        assert [t["id"] for t in active.json()] == [open_["id"]]

    async def test_read_unauth_user(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/todo")
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_read_invalid_id(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        response = await client.get("/todo/not-a-uuid", headers=headers)
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["path", "todo_id"]

    async def test_read_missing_id(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        response = await client.get(f"/todo/{uuid.uuid4()}", headers=headers)
        assert response.status_code == 404
        assert response.json() == {"detail": "Todo not found"}

    async def test_stats(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        await create(client, headers, completed=True)
        await create(client, headers)
        await create(client, headers)
        response = await client.get("/todo/stats", headers=headers)
        assert response.json() == {"total": 3, "active": 2, "completed": 1}


class TestCreateTodos:
    async def test_create(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        before = datetime.now(UTC)

        response = await client.post(
            "/todo/", json={"title": "Buy milk", "content": "2 litres"}, headers=headers
        )

        assert response.status_code == 201
        todo = response.json()
        assert todo["title"] == "Buy milk"
        assert todo["content"] == "2 litres"
        assert todo["completed"] is False
        assert todo["version"] == 0
        assert response.headers["location"] == f"/todo/{todo['id']}"
        assert response.headers["etag"] == '"0"'
        created_at = datetime.fromisoformat(todo["created_at"])
        assert created_at.tzinfo is not None
        assert before <= created_at <= datetime.now(UTC)
        read_back = await client.get(response.headers["location"], headers=headers)
        assert read_back.json() == todo

    async def test_create_without_content(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        response = await client.post("/todo", json={"title": "just a title"}, headers=headers)
        assert response.status_code == 201
        assert response.json()["content"] == ""

    async def test_create_unauth_user(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/todo", json={"title": "x", "content": "y"})
        assert response.status_code == 401

    async def test_create_invalid_body(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        response = await client.post("/todo", json={"content": "no title"}, headers=headers)
        assert response.status_code == 422
        listing = await client.get("/todo", headers=headers)
        assert listing.json() == []

    async def test_create_unicode_round_trips(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        title = "Emoji 🚀, RTL שלום, combining é, SQL '; DROP TABLE todo; --"
        todo = await create(client, headers, title=title, content="日本語\n\ttabs")
        read_back = await client.get(f"/todo/{todo['id']}", headers=headers)
        assert read_back.json()["title"] == title
        assert read_back.json()["content"] == "日本語\n\ttabs"

    async def test_idempotency_key_replays(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        keyed = {**headers, "Idempotency-Key": "create-1"}
        first = await client.post("/todo", json={"title": "once"}, headers=keyed)
        second = await client.post("/todo", json={"title": "once"}, headers=keyed)

        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert second.headers["location"] == first.headers["location"]
        assert len((await client.get("/todo", headers=headers)).json()) == 1

    async def test_idempotency_key_with_other_body_is_refused(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        keyed = {**headers, "Idempotency-Key": "create-2"}
        assert (await client.post("/todo", json={"title": "a"}, headers=keyed)).status_code == 201
        response = await client.post("/todo", json={"title": "b"}, headers=keyed)
        assert response.status_code == 422
        [error] = response.json()["detail"]
        assert error["loc"] == ["header", "Idempotency-Key"]
        assert "different request body" in error["msg"]
        titles = [t["title"] for t in (await client.get("/todo", headers=headers)).json()]
        assert titles == ["a"]

    async def test_idempotency_keys_are_per_user(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, alice = await make_user()
        _, bob = await make_user()
        for headers in (alice, bob):
            response = await client.post(
                "/todo", json={"title": "same"}, headers={**headers, "Idempotency-Key": "k"}
            )
            assert response.status_code == 201
        assert len((await client.get("/todo", headers=alice)).json()) == 1
        assert len((await client.get("/todo", headers=bob)).json()) == 1


class TestUpdateTodos:
    async def test_patch(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        todo = await create(client, headers, title="old", content="keep me")

        response = await client.patch(
            f"/todo/{todo['id']}", json={"completed": True}, headers=headers
        )

        assert response.status_code == 200
        updated = response.json()
        assert updated["completed"] is True
        assert updated["title"] == "old"
        assert updated["content"] == "keep me"
        assert updated["version"] == 1
        assert updated["updated_at"] > todo["updated_at"]
        assert updated["created_at"] == todo["created_at"]
        assert response.headers["etag"] == '"1"'
        read_back = await client.get(f"/todo/{todo['id']}", headers=headers)
        assert read_back.json() == updated

    async def test_put_is_partial_too(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        todo = await create(client, headers, title="old", content="keep me")
        response = await client.put(f"/todo/{todo['id']}", json={"title": "new"}, headers=headers)
        assert response.status_code == 200
        read_back = (await client.get(f"/todo/{todo['id']}", headers=headers)).json()
        assert (read_back["title"], read_back["content"]) == ("new", "keep me")

    async def test_if_match_current_version(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todo = await create(client, headers)
        response = await client.patch(
            f"/todo/{todo['id']}", json={"title": "v1"}, headers={**headers, "If-Match": '"0"'}
        )
        assert response.status_code == 200
        assert response.json()["version"] == 1

    async def test_if_match_stale_version(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todo = await create(client, headers, title="original")
        await client.patch(f"/todo/{todo['id']}", json={"title": "theirs"}, headers=headers)

        response = await client.patch(
            f"/todo/{todo['id']}", json={"title": "mine"}, headers={**headers, "If-Match": '"0"'}
        )

        assert response.status_code == 412
        read_back = (await client.get(f"/todo/{todo['id']}", headers=headers)).json()
        assert read_back["title"] == "theirs"
        assert read_back["version"] == 1

    async def test_if_match_star_and_lists(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todo = await create(client, headers)
        url = f"/todo/{todo['id']}"
        star = await client.patch(url, json={"title": "a"}, headers={**headers, "If-Match": "*"})
        listed = await client.patch(
            url, json={"title": "b"}, headers={**headers, "If-Match": '"7", "1"'}
        )
        weak = await client.patch(
            url, json={"title": "c"}, headers={**headers, "If-Match": 'W/"2"'}
        )
        assert (star.status_code, listed.status_code, weak.status_code) == (200, 200, 412)

    async def test_malformed_if_match(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        todo = await create(client, headers)
        response = await client.patch(
            f"/todo/{todo['id']}", json={"title": "x"}, headers={**headers, "If-Match": "0"}
        )
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["header", "if-match"]

    async def test_update_unauth_user(self, client: httpx.AsyncClient) -> None:
        response = await client.patch(f"/todo/{uuid.uuid4()}", json={"title": "x"})
        assert response.status_code == 401

    async def test_update_invalid_id(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        response = await client.patch("/todo/123", json={"title": "x"}, headers=headers)
        assert response.status_code == 422

    async def test_update_missing_id(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        response = await client.patch(f"/todo/{uuid.uuid4()}", json={"title": "x"}, headers=headers)
        assert response.status_code == 404

    async def test_update_rejects_null_and_blank(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todo = await create(client, headers, title="keep")
        for body in ({"title": None}, {"title": "   "}, {"completed": None}, {"title": ""}):
            response = await client.patch(f"/todo/{todo['id']}", json=body, headers=headers)
            assert response.status_code == 422, body
        read_back = (await client.get(f"/todo/{todo['id']}", headers=headers)).json()
        assert read_back == todo


class TestDeleteTodos:
    async def test_delete(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        todo = await create(client, headers)

        response = await client.delete(f"/todo/{todo['id']}", headers=headers)

        assert response.status_code == 200
        assert response.json() == {}
        assert (await client.get(f"/todo/{todo['id']}", headers=headers)).status_code == 404
        assert (await client.delete(f"/todo/{todo['id']}", headers=headers)).status_code == 404

    async def test_delete_if_match(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        todo = await create(client, headers)
        url = f"/todo/{todo['id']}"
        stale = await client.delete(url, headers={**headers, "If-Match": '"5"'})
        assert stale.status_code == 412
        assert (await client.get(url, headers=headers)).status_code == 200
        current = await client.delete(url, headers={**headers, "If-Match": '"0"'})
        assert current.status_code == 200
        assert (await client.get(url, headers=headers)).status_code == 404

    async def test_delete_completed(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        await create(client, headers, title="done 1", completed=True)
        await create(client, headers, title="done 2", completed=True)
        keep = await create(client, headers, title="open")

        response = await client.delete("/todo", params={"completed": "true"}, headers=headers)

        assert response.json() == {"deleted": 2}
        assert [t["id"] for t in (await client.get("/todo", headers=headers)).json()] == [
            keep["id"]
        ]
        refused = await client.delete("/todo", params={"completed": "false"}, headers=headers)
        assert refused.status_code == 422
        missing = await client.delete("/todo", headers=headers)
        assert missing.status_code == 422
        assert len((await client.get("/todo", headers=headers)).json()) == 1

    async def test_delete_unauth_user(self, client: httpx.AsyncClient) -> None:
        assert (await client.delete(f"/todo/{uuid.uuid4()}")).status_code == 401

    async def test_delete_invalid_id(self, client: httpx.AsyncClient, make_user: MakeUser) -> None:
        _, headers = await make_user()
        assert (await client.delete("/todo/xyz", headers=headers)).status_code == 422
