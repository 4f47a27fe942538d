"""Route logic on fake DAOs: no database, so these run in milliseconds."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from tests.unit.conftest import headers_for
from tests.unit.fakes import FakeDatabase, FakeTodoDAO


class TestReadTodos:
    async def test_read(self, fake_client: httpx.AsyncClient, alice: dict[str, str]) -> None:
        created = await fake_client.post("/todo", json={"title": "a"}, headers=alice)
        response = await fake_client.get("/todo", headers=alice)
        assert response.status_code == 200
        assert response.json() == [created.json()]

    async def test_read_unauth_user(self, fake_client: httpx.AsyncClient) -> None:
        response = await fake_client.get("/todo")
        assert response.status_code == 401
        assert response.json() == {"detail": "Not authenticated"}

    async def test_read_invalid_id(
        self, fake_client: httpx.AsyncClient, alice: dict[str, str]
    ) -> None:
        response = await fake_client.get("/todo/123", headers=alice)
        assert response.status_code == 422

    async def test_read_other_users_todo_is_404(
        self, fake_client: httpx.AsyncClient, alice: dict[str, str], bob: dict[str, str]
    ) -> None:
        todo = (await fake_client.post("/todo", json={"title": "a"}, headers=alice)).json()
        response = await fake_client.get(f"/todo/{todo['id']}", headers=bob)
        assert response.status_code == 404

    async def test_link_header_pages_with_limit(
        self, fake_client: httpx.AsyncClient, alice: dict[str, str]
    ) -> None:
        for n in range(5):
            await fake_client.post("/todo", json={"title": f"t{n}"}, headers=alice)
        first = await fake_client.get("/todo", params={"limit": 2}, headers=alice)
        assert len(first.json()) == 2
        next_url = first.links["next"]["url"]
        assert next_url.startswith("/todo?"), "relative: not built from the Host header"
        assert "limit=2" in next_url
        second = await fake_client.get(next_url, headers=alice)
        third = await fake_client.get(second.links["next"]["url"], headers=alice)
        assert "next" not in third.links
        titles = [t["title"] for page in (first, second, third) for t in page.json()]
        assert titles == [f"t{n}" for n in range(5)]

    async def test_reads_use_read_transactions(
        self, fake_client: httpx.AsyncClient, fake_db: FakeDatabase, alice: dict[str, str]
    ) -> None:
        await fake_client.get("/todo", headers=alice)
        await fake_client.get("/todo/stats", headers=alice)
        await fake_client.get("/todo/due?view=today", headers=alice)
        assert (fake_db.reads, fake_db.writes) == (3, 0)


class TestCreateTodos:
    async def test_create(self, fake_client: httpx.AsyncClient, alice: dict[str, str]) -> None:
        response = await fake_client.post(
            "/todo", json={"title": "a", "content": "b"}, headers=alice
        )
        assert response.status_code == 201
        todo = response.json()
        assert set(todo) == {
            "id",
            "list_id",
            "created_at",
            "updated_at",
            "title",
            "content",
            "completed",
            "version",
            "position",
            "due_date",
            "due_time",
            "due_zone",
            "due_at",
        }
        assert uuid.UUID(todo["id"]) in FakeTodoDAO.todos
        assert response.headers["location"] == f"/todo/{todo['id']}"

    async def test_idempotent_replay_creates_once(
        self, fake_client: httpx.AsyncClient, alice: dict[str, str]
    ) -> None:
        keyed = {**alice, "Idempotency-Key": "abc"}
        first = await fake_client.post("/todo", json={"title": "a"}, headers=keyed)
        second = await fake_client.post("/todo", json={"title": "a"}, headers=keyed)
        assert first.json() == second.json()
        assert len(FakeTodoDAO.todos) == 1

    async def test_idempotency_key_is_validated(
        self, fake_client: httpx.AsyncClient, alice: dict[str, str]
    ) -> None:
        for key in ("", "has space", "k" * 256):
            response = await fake_client.post(
                "/todo", json={"title": "a"}, headers={**alice, "Idempotency-Key": key}
            )
            assert response.status_code == 422, key
        assert FakeTodoDAO.todos == {}


class TestUpdateTodos:
    async def test_update_maps_stale_version_to_412(
        self, fake_client: httpx.AsyncClient, alice: dict[str, str]
    ) -> None:
        todo = (await fake_client.post("/todo", json={"title": "a"}, headers=alice)).json()
        response = await fake_client.patch(
            f"/todo/{todo['id']}", json={"title": "b"}, headers={**alice, "If-Match": '"9"'}
        )
        assert response.status_code == 412
        assert FakeTodoDAO.todos[uuid.UUID(todo["id"])].title == "a"

    async def test_update_sets_etag(
        self, fake_client: httpx.AsyncClient, alice: dict[str, str]
    ) -> None:
        todo = (await fake_client.post("/todo", json={"title": "a"}, headers=alice)).json()
        response = await fake_client.put(
            f"/todo/{todo['id']}", json={"completed": True}, headers=alice
        )
        assert response.headers["etag"] == '"1"'
        assert FakeTodoDAO.todos[uuid.UUID(todo["id"])].completed is True


class TestDeleteTodos:
    async def test_delete(self, fake_client: httpx.AsyncClient, alice: dict[str, str]) -> None:
        todo = (await fake_client.post("/todo", json={"title": "a"}, headers=alice)).json()
        response = await fake_client.delete(f"/todo/{todo['id']}", headers=alice)
        assert (response.status_code, response.json()) == (200, {})
        assert FakeTodoDAO.todos == {}

    async def test_delete_other_users_todo_is_404(
        self, fake_client: httpx.AsyncClient, alice: dict[str, str], bob: dict[str, str]
    ) -> None:
        todo = (await fake_client.post("/todo", json={"title": "a"}, headers=alice)).json()
        response = await fake_client.delete(f"/todo/{todo['id']}", headers=bob)
        assert response.status_code == 404
        assert len(FakeTodoDAO.todos) == 1


async def test_me_for_deleted_user_is_401(
    fake_client: httpx.AsyncClient, fake_app: FastAPI
) -> None:
    response = await fake_client.get("/me", headers=headers_for(fake_app, uuid.uuid4()))
    assert response.status_code == 401


async def test_unexpected_error_is_a_json_500_with_request_id(
    fake_client: httpx.AsyncClient, alice: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(FakeTodoDAO, "stats", broken)
    response = await fake_client.get(
        "/todo/stats", headers={**alice, "X-Request-ID": "find-me-in-the-log"}
    )
    assert response.status_code == 500
    assert response.json() == {"detail": "Internal server error"}
    assert response.headers["x-request-id"] == "find-me-in-the-log"


async def test_security_headers(fake_client: httpx.AsyncClient, alice: dict[str, str]) -> None:
    anonymous = await fake_client.get("/healthz")
    assert anonymous.headers["x-content-type-options"] == "nosniff"
    assert anonymous.headers["referrer-policy"] == "no-referrer"
    assert "cache-control" not in anonymous.headers

    authenticated = await fake_client.get("/todo", headers=alice)
    assert authenticated.headers["cache-control"] == "no-store"
    assert authenticated.headers["x-content-type-options"] == "nosniff"
