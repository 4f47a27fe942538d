"""Every bound the API promises, and malformed input: always a 4xx, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import MakeUser


@pytest.fixture
async def headers(make_user: MakeUser) -> dict[str, str]:
    _, auth = await make_user()
    return auth


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"title": "x" * 200}, 201),
        ({"title": "x" * 201}, 422),
        ({"title": ""}, 422),
        ({"title": " \t\n"}, 422),
        ({"title": "ok", "content": "c" * 10_000}, 201),
        ({"title": "ok", "content": "c" * 10_001}, 422),
        ({"title": "nul\x00byte"}, 422),
        ({"title": "ok", "content": "nul\x00"}, 422),
        ({"title": 42}, 422),
        ({"title": ["list"]}, 422),
        ({"title": "ok", "completed": "maybe"}, 422),
        ({"title": "ok", "completed": 0}, 422),
        ({"title": "ok", "completed": None}, 422),
        ({"title": None}, 422),
    ],
)
async def test_todo_fields(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, object], status: int
) -> None:
    response = await client.post("/todo", json=body, headers=headers)
    assert response.status_code == status, response.text
    stored = (await client.get("/todo", headers=headers)).json()
    assert len(stored) == (1 if status == 201 else 0)


async def test_lone_surrogate_is_422(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    raw = b'{"title": "half \\ud800 pair"}'
    response = await client.post(
        "/todo", content=raw, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"{not json", "application/json"),
        (b'["a", "list"]', "application/json"),
        (b"title=x", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\xfd", "application/json"),
        (b'{"title": "x"}', "text/plain"),
        (b"", "application/json"),
    ],
)
async def test_malformed_bodies(
    client: httpx.AsyncClient, headers: dict[str, str], content: bytes, content_type: str
) -> None:
    response = await client.post(
        "/todo", content=content, headers={**headers, "Content-Type": content_type}
    )
    assert 400 <= response.status_code < 500, response.text
    assert "detail" in response.json()


async def test_body_over_64k_is_413(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    body = b'{"title": "x", "content": "' + b"c" * 70_000 + b'"}'
    response = await client.post(
        "/todo", content=body, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "exceeds" in response.json()["detail"]


async def test_streamed_body_over_64k_is_413(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"title": "x", "content": "'
        for _ in range(70):
            yield b"c" * 1024
        yield b'"}'

    response = await client.post(
        "/todo", content=chunks(), headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"limit": 1}, 200),
        ({"limit": 200}, 200),
        ({"limit": 0}, 422),
        ({"limit": 201}, 422),
        ({"limit": "ten"}, 422),
        ({"completed": "perhaps"}, 422),
        ({"cursor": "garbage"}, 422),
        ({"cursor": "x" * 300}, 422),
    ],
)
async def test_list_parameters(
    client: httpx.AsyncClient, headers: dict[str, str], params: dict[str, str | int], status: int
) -> None:
    response = await client.get("/todo", params=params, headers=headers)
    assert response.status_code == status, response.text


async def test_bad_content_length(client: httpx.AsyncClient, headers: dict[str, str]) -> None:
    response = await client.post(
        "/todo",
        content=b'{"title": "x"}',
        headers={**headers, "Content-Type": "application/json", "Content-Length": "abc"},
    )
    assert response.status_code == 400
