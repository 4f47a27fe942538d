"""Every bound the API promises, and malformed input: always a 4xx, never a 500."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import NoReturn

import httpx
import pytest

from tests.conftest import ClientFrom, MakeUser, new_address, signup_and_login


def forged_cursor(position: str) -> str:
    """A cursor as the server encodes one, around a position of the attacker's choice."""
    raw = f"{position}|{uuid.uuid4().hex}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def strict_json(response: httpx.Response) -> object:
    """The body parsed as JSON proper: NaN and Infinity are not JSON."""

    def refuse(constant: str) -> NoReturn:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(response.content, parse_constant=refuse)


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
        ({"title": "\u200b"}, 422),  # zero-width space: looked like a title of nothing
        ({"title": "\u2060\ufeff\u200d"}, 422),  # word joiner, BOM, zero-width joiner
        ({"title": "\x01\x7f"}, 422),  # control characters
        ({"title": "\u3164\u00ad"}, 422),  # Hangul filler, soft hyphen
        ({"title": "\u200ba\u200b"}, 201),
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


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/todo", '{"title": %s}'),
        ("POST", "/todo", '{"title": "ok", "completed": %s}'),
        ("PATCH", "/todo/{todo_id}", '{"completed": %s}'),
        ("POST", "/auth/signup", '{"name": %s, "password": "long enough"}'),
        ("PUT", "/me/password", '{"current_password": %s, "new_password": "long enough"}'),
        ("DELETE", "/me", '{"password": %s}'),
        ("POST", "/todo", "[%s]"),
    ],
)
async def test_non_finite_numbers_are_422(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    method: str,
    path: str,
    body: str,
    number: str,
) -> None:
    """Python's JSON parser reads NaN, Infinity and 1e999 as floats; the 422 that echoes
    them used to fail to encode and answer 500, to anyone, with no account needed."""
    todo = (await client.post("/todo", json={"title": "target"}, headers=headers)).json()
    response = await client.request(
        method,
        path.format(todo_id=todo["id"]),
        content=(body % number).encode(),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    detail = strict_json(response)
    assert isinstance(detail, dict)
    assert detail["detail"][0]["msg"]
    assert (await client.get(f"/todo/{todo['id']}", headers=headers)).json() == todo


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
        *(
            ({"cursor": forged_cursor(position)}, 422)
            for position in [
                "0001-01-01T00:00:00+14:00",  # before year 1 in UTC: overflowed into a 500
                "9999-12-31T23:59:59-14:00",  # after year 9999 in UTC
                "2026-01-01T00:00:00",  # no zone
                "2026-13-45T00:00:00+00:00",
            ]
        ),
        ({"cursor": forged_cursor("0001-01-01T14:00:00+14:00")}, 200),  # the first instant
        ({"order": "created", "cursor": forged_cursor("0001-01-01T14:00:00+14:00")}, 200),
        ({"order": "position", "cursor": forged_cursor("0001-01-01T14:00:00+14:00")}, 422),
        ({"order": "random"}, 422),
        ({"order": "created"}, 200),
        *(
            ({"cursor": forged_cursor(f"p:{position}")}, status)
            for position, status in [
                ("a0", 200),
                ("a0V", 200),
                ("", 422),
                ("a00", 422),  # a fraction never ends in its zero digit
                ("a0é", 422),  # not a base-62 digit
                ("a0 ", 422),
                ("NaN", 422),
                ("a" + "z" * 64, 422),  # longer than a key may be
            ]
        ),
        ({"order": "created", "cursor": forged_cursor("p:a0")}, 422),
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


def nested_arrays(depth: int) -> bytes:
    return b'{"title": "x", "content": ' + b"[" * depth + b"]" * depth + b"}"


def nested_objects(depth: int) -> bytes:
    return b'{"title": ' + b'{"a": ' * depth + b"1" + b"}" * depth + b"}"


@pytest.mark.parametrize("depth", [100, 5_000, 30_000])
@pytest.mark.parametrize("shape", [nested_arrays, nested_objects])
@pytest.mark.parametrize(
    ("method", "url"),
    [("POST", "/todo"), ("PATCH", "/todo/{id}"), ("PUT", "/me/password"), ("DELETE", "/me")],
)
async def test_deeply_nested_json_is_a_4xx(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    method: str,
    url: str,
    shape: Callable[[int], bytes],
    depth: int,
) -> None:
    """Past the parser's recursion limit a 400, below it a 422, beyond 64 KiB a 413:
    never a 500, and nothing stored or changed."""
    todo = (await client.post("/todo", json={"title": "before"}, headers=headers)).json()
    response = await client.request(
        method,
        url.format(id=todo["id"]),
        content=shape(depth),
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code in {400, 413, 422}, response.text[:300]
    assert "detail" in response.json()
    assert (await client.get("/todo", headers=headers)).json() == [todo]


# Text that breaks naive handling: astral-plane emoji and ZWJ sequences (UTF-16
# surrogate pairs), right-to-left text and bidi overrides, stacked combining marks,
# the same letter composed and decomposed (they must stay different: no normalization),
# invisible characters, and SQL / JSON / HTML metacharacters.
AWKWARD_TEXT = [
    "🚀 rocket, 👩‍👩‍👧‍👦 family, 🇳🇱 flag",
    "שלום עולם مرحبا بالعالم",
    "\u202eevil override\u202c and \u200f marks",
    "Z\u0351\u0352\u0353a\u0354\u0355\u0356l\u0357\u0358\u0359g\u035a\u035bo",
    "\u00e9 composed vs e\u0301 decomposed",
    "\ufeffBOM, zero\u200bwidth, soft\u00adhyphen, \uffff noncharacter",
    "'; DROP TABLE todo; -- \" OR 1=1 /* */ \\ %_ $1 :name ?",
    '{"json": "inside"} <script>alert(1)</script> &amp;',
    "\U0001f600" * 200,  # 200 characters, 800 bytes of UTF-8: the title limit counts characters
]


@pytest.mark.parametrize("text", AWKWARD_TEXT)
async def test_awkward_text_round_trips_exactly(
    client: httpx.AsyncClient, headers: dict[str, str], text: str
) -> None:
    created = await client.post("/todo", json={"title": text, "content": text}, headers=headers)
    assert created.status_code == 201, created.text
    todo_url = f"/todo/{created.json()['id']}"
    assert (await client.get(todo_url, headers=headers)).json()["title"] == text

    edited = text[::-1] if text.strip()[::-1].strip() else text
    patched = await client.patch(todo_url, json={"title": edited, "content": text}, headers=headers)
    assert patched.status_code == 200, patched.text
    [listed] = (await client.get("/todo", headers=headers)).json()
    assert (listed["title"], listed["content"]) == (edited, text)
    assert listed["title"].encode() == edited.encode()  # byte for byte, not just equal-looking


async def test_sql_metacharacters_in_every_other_string_field(
    client: httpx.AsyncClient, client_from: ClientFrom
) -> None:
    """Passwords and idempotency keys are text like any other: stored and compared,
    never interpreted."""
    password = "pw'; DROP TABLE users; --\"\\"
    async with client_from(new_address()) as isolated:
        name, auth = await signup_and_login(isolated, password=password)
        key = "k';DROP/**/TABLE/**/todo;--"
        created = await isolated.post(
            "/todo", json={"title": "t"}, headers={**auth, "Idempotency-Key": key}
        )
        replayed = await isolated.post(
            "/todo", json={"title": "t"}, headers={**auth, "Idempotency-Key": key}
        )
        assert created.status_code == replayed.status_code == 201
        assert created.json() == replayed.json()

        new_password = "x' OR '1'='1"
        changed = await isolated.put(
            "/me/password",
            json={"current_password": password, "new_password": new_password},
            headers=auth,
        )
        assert changed.status_code == 200, changed.text
        wrong = await isolated.post("/auth/login", data={"username": name, "password": "x"})
        assert wrong.status_code == 401
        right = await isolated.post(
            "/auth/login", data={"username": name, "password": new_password}
        )
        assert right.status_code == 200
    assert (await client.get("/healthz")).status_code == 200


@pytest.mark.parametrize("method", ["PATCH", "PUT", "DELETE"])
@pytest.mark.parametrize(
    "if_match", ['"2147483648"', '"999999999999999999"', '"1", W/"99999999999"']
)
async def test_versions_beyond_the_column_are_a_412(
    client: httpx.AsyncClient, headers: dict[str, str], method: str, if_match: str
) -> None:
    """Found by a random fuzz draw: an If-Match version past 32 bits reached PostgreSQL's
    INTEGER column and failed there (a 500). No todo can have such a version: 412."""
    todo = (await client.post("/todo", json={"title": "t"}, headers=headers)).json()
    body = None if method == "DELETE" else {"title": "changed"}
    response = await client.request(
        method, f"/todo/{todo['id']}", json=body, headers={**headers, "If-Match": if_match}
    )
    assert response.status_code == 412, response.text
    assert (await client.get(f"/todo/{todo['id']}", headers=headers)).json() == todo
