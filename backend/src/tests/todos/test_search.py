"""Search end to end on every engine (decisions: docs/search.md): words in titles and
contents across every list the caller can see, in their word forms, the last word as a
prefix, the title ranked first, the matched words marked; never a list the caller left
or a token does not cover; the index in step with creates, edits, moves and deletes;
and no input, whatever its syntax, a 500."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from app.todos import search
from tests.conftest import MakeUser
from tests.lists.test_lists import new_list, ok
from tests.sharing import add_member
from tests.todos.test_todos import create
from tests.tokens.test_tokens import create_token

Headers = dict[str, str]


async def find(client: httpx.AsyncClient, headers: Headers, q: str, **query: Any) -> list[Any]:
    response = await client.get("/todo/search", params={"q": q, **query}, headers=headers)
    return list(await ok(response))


def titles(hits: list[dict[str, Any]]) -> list[str]:
    return [hit["todo"]["title"] for hit in hits]


def marked(segments: list[dict[str, Any]]) -> list[str]:
    return [segment["text"] for segment in segments if segment["match"]]


class TestFinding:
    async def test_words_in_title_or_content_in_any_list(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        groceries = await new_list(client, headers, "Groceries")
        await create(client, headers, title="Buy milk", content="oat, two litres")
        await ok(
            await client.post(
                f"/lists/{groceries}/todos",
                json={"title": "Bread", "content": "and milk for the weekend"},
                headers=headers,
            )
        )
        await create(client, headers, title="Call mum", content="")
        hits = await find(client, headers, "milk")
        assert sorted(titles(hits)) == ["Bread", "Buy milk"]
        assert titles(hits)[0] == "Buy milk"  # a title match ranks before a content one
        by_title = {hit["todo"]["title"]: hit for hit in hits}
        assert by_title["Bread"]["list_name"] == "Groceries"
        assert marked(by_title["Buy milk"]["title"]) == ["milk"]
        assert marked(by_title["Bread"]["snippet"]) == ["milk"]
        assert "".join(s["text"] for s in by_title["Bread"]["snippet"]) == (
            "and milk for the weekend"
        )

    async def test_every_word_must_match(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        await create(client, headers, title="Paint the fence", content="blue")
        await create(client, headers, title="Paint the door", content="red")
        assert titles(await find(client, headers, "paint blue")) == ["Paint the fence"]
        assert await find(client, headers, "paint green") == []

    async def test_word_forms_and_the_last_word_as_a_prefix(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        await create(client, headers, title="Running shoes", content="")
        await create(client, headers, title="Cleaning the garage", content="")
        assert titles(await find(client, headers, "run")) == ["Running shoes"]
        assert titles(await find(client, headers, "cleaned garage")) == ["Cleaning the garage"]
        assert titles(await find(client, headers, "gara")) == ["Cleaning the garage"]
        hit = (await find(client, headers, "RUNS"))[0]
        assert marked(hit["title"]) == ["Running"]

    async def test_a_long_content_gives_a_snippet_around_the_match(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        words = [f"word{n}" for n in range(100)]
        words[60] = "needle"
        await create(client, headers, title="Haystack", content=" ".join(words))
        (hit,) = await find(client, headers, "needle")
        assert hit["snippet_starts_inside"]
        assert hit["snippet_ends_inside"]
        text = "".join(segment["text"] for segment in hit["snippet"])
        assert "needle" in text
        assert len(text.split()) == search.SNIPPET_WORDS
        assert marked(hit["snippet"]) == ["needle"]
        assert hit["todo"]["content"] == " ".join(words)

    async def test_limit_keeps_the_best(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        for n in range(5):
            await create(client, headers, title=f"task {n}", content="")
        assert len(await find(client, headers, "task", limit=3)) == 3
        assert len(await find(client, headers, "task")) == 5

    async def test_the_index_follows_edits_moves_and_deletes(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        todo = await create(client, headers, title="Old words", content="")
        await ok(
            await client.patch(
                f"/todo/{todo['id']}", json={"title": "Fresh words"}, headers=headers
            )
        )
        assert await find(client, headers, "old") == []
        assert titles(await find(client, headers, "fresh")) == ["Fresh words"]
        other = await new_list(client, headers, "Other")
        await ok(
            await client.patch(f"/todo/{todo['id']}", json={"list_id": other}, headers=headers)
        )
        (hit,) = await find(client, headers, "fresh")
        assert hit["list_name"] == "Other"
        await ok(await client.delete(f"/todo/{todo['id']}", headers=headers))
        assert await find(client, headers, "fresh") == []
        await create(client, headers, title="In a list to delete", content="")
        doomed = await new_list(client, headers, "Doomed")
        await ok(
            await client.post(
                f"/lists/{doomed}/todos", json={"title": "Vanishing"}, headers=headers
            )
        )
        await ok(await client.delete(f"/lists/{doomed}", headers=headers))
        assert await find(client, headers, "vanishing") == []


class TestAccess:
    async def test_only_lists_the_caller_is_a_member_of(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, mine = await make_user()
        _, theirs = await make_user()
        await create(client, theirs, title="Secret plan", content="")
        assert await find(client, mine, "secret") == []

    async def test_a_list_left_a_moment_ago_is_not_searched(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, owner = await make_user()
        member_name, member = await make_user()
        shared = await new_list(client, owner)
        await ok(
            await client.post(
                f"/lists/{shared}/todos", json={"title": "Shared chore"}, headers=owner
            )
        )
        await add_member(client, owner, shared, member_name, "viewer", member)
        assert titles(await find(client, member, "chore")) == ["Shared chore"]
        await ok(await client.delete(f"/lists/{shared}/members/{member_name}", headers=member))
        assert await find(client, member, "chore") == []

    async def test_a_token_for_one_list_searches_only_that_list(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, session = await make_user()
        chosen = await new_list(client, session, "chosen")
        await ok(
            await client.post(
                f"/lists/{chosen}/todos", json={"title": "Apple pie"}, headers=session
            )
        )
        await create(client, session, title="Apple juice", content="")
        _, pat = await create_token(client, session, list_ids=[chosen])
        assert titles(await find(client, pat, "apple")) == ["Apple pie"]
        assert sorted(titles(await find(client, session, "apple"))) == [
            "Apple juice",
            "Apple pie",
        ]

    async def test_a_revoked_token_is_401_even_when_nothing_matches(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        response = await client.post("/me/logout-all", headers=headers)
        assert response.status_code == 204, response.text
        for q in ("nothing", "???"):
            response = await client.get("/todo/search", params={"q": q}, headers=headers)
            assert response.status_code == 401, response.text

    async def test_unauthenticated(self, client: httpx.AsyncClient) -> None:
        assert (await client.get("/todo/search", params={"q": "x"})).status_code == 401


# Query syntax of the engines (FTS5, tsquery), operators, and what is not a word at all.
HOSTILE = [
    '"',
    '"milk',
    "milk*",
    "*",
    "milk NEAR bread",
    "NEAR(milk bread)",
    "milk AND",
    "OR",
    "NOT milk",
    "(milk",
    "milk)",
    "title:milk",
    "{title}: milk",
    "milk & | ! <->",
    "milk:*",
    "'milk'",
    "milk\\",
    "\x00milk",
    "-milk",
    "^milk",
    "🥛 milk",
    "_",
    "%",
    "a" * search.QUERY_MAX,
    " ".join(["milk"] * 30),  # more words than are searched for
]


class TestBadInput:
    @pytest.mark.parametrize("q", HOSTILE)
    async def test_syntax_never_breaks_a_search(
        self, client: httpx.AsyncClient, make_user: MakeUser, q: str
    ) -> None:
        _, headers = await make_user()
        await create(client, headers, title="milk and bread", content="")
        response = await client.get("/todo/search", params={"q": q}, headers=headers)
        assert response.status_code == 200, response.text
        words = search.words(q)
        if words and set(words) <= {"milk", "and", "bread"}:  # every word is in the title
            assert titles(response.json()) == ["milk and bread"]

    @pytest.mark.parametrize(
        ("query", "problem"),
        [
            ({}, "q"),
            ({"q": ""}, "q"),
            ({"q": "   "}, "q"),
            ({"q": "a" * (search.QUERY_MAX + 1)}, "q"),
            ({"q": "x", "limit": 0}, "limit"),
            ({"q": "x", "limit": search.SEARCH_LIMIT_MAX + 1}, "limit"),
            ({"q": "x", "limit": 2**63}, "limit"),
            ({"q": "x", "limit": "NaN"}, "limit"),
        ],
    )
    async def test_refused_with_a_detail(
        self,
        client: httpx.AsyncClient,
        make_user: MakeUser,
        query: dict[str, Any],
        problem: str,
    ) -> None:
        _, headers = await make_user()
        response = await client.get("/todo/search", params=query, headers=headers)
        assert response.status_code == 422, response.text
        assert any(error["loc"][-1] == problem for error in response.json()["detail"])

    async def test_fifty_concurrent_searches(
        self, client: httpx.AsyncClient, make_user: MakeUser
    ) -> None:
        _, headers = await make_user()
        await create(client, headers, title="concurrent milk", content="")
        responses = await asyncio.gather(
            *(client.get("/todo/search", params={"q": "milk"}, headers=headers) for _ in range(50))
        )
        assert {response.status_code for response in responses} == {200}
        assert all(titles(response.json()) == ["concurrent milk"] for response in responses)
