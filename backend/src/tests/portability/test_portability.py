"""Export and import on every engine: an export imported into another account and
exported again matches the first (everything but what the format says an import does
not carry over), TodoMVC's data imports with a report per bad row, and hostile files
get a 4xx with a useful detail, never a 500."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.portability.schemas import MAX_IMPORT_TODOS
from tests.conftest import MakeUser
from tests.sharing import add_member

Headers = dict[str, str]
SAMPLE = Path(__file__).with_name("todomvc-sample.json")


async def export(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    response = await client.get("/me/export", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"].startswith("attachment")
    document: dict[str, Any] = response.json()
    return document


async def import_file(
    client: httpx.AsyncClient, headers: Headers, body: bytes, path: str = "/me/import"
) -> httpx.Response:
    return await client.post(
        path, content=body, headers={**headers, "Content-Type": "application/json"}
    )


def carried(document: dict[str, Any]) -> list[dict[str, Any]]:
    """What an import carries over, in order: each list's name and personal flag, and
    each todo's title, content, completed and due date (ids, times, members and roles
    are the importing account's)."""
    return [
        {
            "name": None if found["personal"] else found["name"],
            "personal": found["personal"],
            "todos": [{key: todo.get(key) for key in CARRIED} for todo in found["todos"]],
        }
        for found in document["lists"]
    ]


CARRIED = ("title", "content", "completed", "due_date", "due_time", "due_zone")
# A personal todo's due date: none, a whole day, a time of day.
DUE: tuple[dict[str, str], ...] = (
    {},
    {"due_date": "2026-12-24", "due_zone": "Europe/Paris"},
    {"due_date": "2027-03-28", "due_time": "02:30:00", "due_zone": "America/New_York"},
)


async def fill(client: httpx.AsyncClient, session: Headers, other_name: str) -> None:
    """A personal list with todos (due dates among them), a list shared with
    `other_name`, and an empty list."""
    for n in range(3):
        body = {"title": f"personal {n}", "content": f"notes {n}\nline 2", "completed": n == 1}
        response = await client.post("/todo/", json=body | DUE[n], headers=session)
        assert response.status_code == 201, response.text
    for name, count in (("Groceries", 250), ("Empty", 0)):
        created = await client.post("/lists/", json={"name": name}, headers=session)
        list_id = created.json()["id"]
        for n in range(count):  # more than one page of the export's reads
            body = {"title": f"{name} {n}", "completed": n % 3 == 0}
            response = await client.post(f"/lists/{list_id}/todos/", json=body, headers=session)
            assert response.status_code == 201
        if count:
            shared = await add_member(client, session, list_id, other_name, "viewer")
            assert shared.status_code == 200, shared.text


async def test_round_trip(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    name, session = await make_user()
    other_name, other = await make_user()
    await fill(client, session, other_name)
    first = await export(client, session)
    assert first["format"] == "minor-illusion-export"
    assert first["version"] == 1
    assert first["account"] == {
        "name": name,
        "created_at": first["account"]["created_at"],
        "settings": {},
    }
    assert [found["name"] for found in first["lists"]][1:] == ["Empty", "Groceries"]
    groceries = first["lists"][2]
    assert groceries["members"] == [
        {"name": name, "role": "owner"},
        {"name": other_name, "role": "viewer"},
    ]
    assert len(groceries["todos"]) == 250
    personal = first["lists"][0]["todos"]
    assert [{key: todo.get(key) for key in DUE[2]} for todo in personal] == [
        {"due_date": None, "due_time": None, "due_zone": None},
        {"due_date": "2026-12-24", "due_time": None, "due_zone": "Europe/Paris"},
        DUE[2],
    ]

    # The viewer's export holds the shared list too, with their role in it.
    viewer_lists = (await export(client, other))["lists"]
    assert [(found["name"], found["role"]) for found in viewer_lists][1:] == [
        ("Groceries", "viewer")
    ]

    importer_name, importer = await make_user()
    response = await import_file(client, importer, json.dumps(first).encode())
    assert response.status_code == 200, response.text
    assert response.json() == {
        "lists_created": 2,
        "todos_imported": 253,
        "problems": [],
        "problems_not_shown": 0,
    }
    second = await export(client, importer)
    assert carried(second) == carried(first)
    assert second["account"]["name"] == importer_name
    for found in second["lists"]:
        assert found["role"] == "owner"
        assert found["members"] == [{"name": importer_name, "role": "owner"}]
    first_ids = {todo["id"] for found in first["lists"] for todo in found["todos"]}
    assert not first_ids & {todo["id"] for found in second["lists"] for todo in found["todos"]}


async def test_import_is_not_idempotent(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    _, session = await make_user()
    await client.post("/lists/", json={"name": "Once"}, headers=session)
    document = json.dumps(await export(client, session)).encode()
    for _ in range(2):
        assert (await import_file(client, session, document)).status_code == 200
    names = [found["name"] for found in (await client.get("/lists/", headers=session)).json()]
    assert names[1:] == ["Once", "Once", "Once"]


async def test_bad_rows_are_reported_not_fatal(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    _, session = await make_user()
    document = await export(client, session)
    good = {
        "id": "00000000-0000-4000-8000-000000000001",
        "title": "fine",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    }
    document["lists"].append(
        {
            "id": "00000000-0000-4000-8000-0000000000aa",
            "name": "Mixed",
            "personal": False,
            "role": "owner",
            "created_at": "2026-01-01T00:00:00Z",
            "members": [],
            "todos": [
                good,
                {**good, "id": "00000000-0000-4000-8000-000000000002", "title": ""},
                {**good, "id": "00000000-0000-4000-8000-000000000003", "completed": "yes"},
                good,  # a duplicate id
                {**good, "id": "00000000-0000-4000-8000-000000000004", "title": "x" * 201},
                "not an object",
                {**good, "id": "00000000-0000-4000-8000-000000000005", "title": "also fine"},
                # A due date without the zone it is in: the create's own rule refuses it.
                {**good, "id": "00000000-0000-4000-8000-000000000006", "due_date": "2026-12-24"},
            ],
        }
    )
    document["lists"].append({"id": "00000000-0000-4000-8000-0000000000aa", "name": "Dup"})
    document["lists"].append({"name": "no id"})
    response = await import_file(client, session, json.dumps(document).encode())
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["lists_created"] == 1
    assert report["todos_imported"] == 2
    rows = [problem["row"] for problem in report["problems"]]
    assert rows == [
        "lists[1].todos[1]",
        "lists[1].todos[2]",
        "lists[1].todos[3]",
        "lists[1].todos[4]",
        "lists[1].todos[5]",
        "lists[1].todos[7]",
        "lists[2]",
        "lists[3]",
    ]
    assert "duplicate id" in report["problems"][2]["detail"]
    assert "title" in report["problems"][0]["detail"]


async def test_todomvc_sample(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    _, session = await make_user()
    sample = SAMPLE.read_bytes()
    response = await import_file(client, session, sample, "/me/import/todomvc")
    assert response.status_code == 200, response.text
    assert response.json()["todos_imported"] == 5
    todos = (await client.get("/todo/", headers=session)).json()
    expected = [(row["title"], row["completed"]) for row in json.loads(sample)]
    assert [(todo["title"], todo["completed"]) for todo in todos] == expected


async def test_todomvc_bad_rows(client: httpx.AsyncClient, make_user: MakeUser) -> None:
    _, session = await make_user()
    rows = [{"title": "ok"}, {"title": ""}, {"completed": True}, [], {"title": "ok 2"}]
    response = await import_file(client, session, json.dumps(rows).encode(), "/me/import/todomvc")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["todos_imported"] == 2
    assert [problem["row"] for problem in report["problems"]] == ["[1]", "[2]", "[3]"]


def _deep(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("/me/import", b"not json", 422, "not JSON"),
        ("/me/import", b'{"format": "minor-illusion-export", "version": 2, "lists": []}', 422,
         "version 1"),
        ("/me/import", b'{"format": "other", "version": 1, "lists": []}', 422, "format"),
        ("/me/import", b'{"format": "minor-illusion-export", "version": NaN, "lists": []}', 422,
         "NaN"),
        ("/me/import", b'{"format": "minor-illusion-export", "version": 9223372036854775808,'
         b' "lists": []}', 422, "version 1"),
        ("/me/import", b'{"format": "minor-illusion-export", "version": 1, "lists": '
         + _deep(100_000) + b"}", 422, "nested"),
        ("/me/import", b'{"format": "minor-illusion-export", "version": 1, "lists": [1e999]}',
         422, "Infinity"),
        ("/me/import", b"[]", 422, "object"),
        ("/me/import", b'{"format": "minor-illusion-export", "version": 1, "lists": {}}', 422,
         "lists"),
        ("/me/import", b'{"format": "minor-illusion-export", "version": 1, "lists": [0'
         + b"1" * 5000 + b"]}", 422, "JSON"),
        ("/me/import/todomvc", b"{}", 422, "array"),
        ("/me/import/todomvc", b"[" + b'{"title": "t"},' * MAX_IMPORT_TODOS + b'{"title": "t"}]',
         422, "at most"),
        ("/me/import/todomvc", b"[" + b" " * (5 * 1024 * 1024) + b"]", 413, "exceeds"),
    ],
)  # fmt: skip
async def test_hostile_files_are_a_4xx(
    client: httpx.AsyncClient,
    make_user: MakeUser,
    path: str,
    body: bytes,
    status: int,
    words: str,
) -> None:
    _, session = await make_user()
    response = await import_file(client, session, body, path)
    assert response.status_code == status, response.text
    assert words in response.text
    assert (await client.get("/lists/", headers=session)).json()[1:] == []


async def test_many_ints_and_a_huge_one_in_rows(
    client: httpx.AsyncClient, make_user: MakeUser
) -> None:
    """2^63 and beyond where a string or boolean belongs: the row is reported."""
    _, session = await make_user()
    rows = [{"title": 2**63}, {"title": "ok", "completed": 2**64}, {"title": "fine", "id": 2**70}]
    response = await import_file(client, session, json.dumps(rows).encode(), "/me/import/todomvc")
    assert response.status_code == 200, response.text
    assert response.json()["todos_imported"] == 1
