"""Search without a database: the words a query searches for, the engines' query texts
built from them (nothing of the client's syntax gets through), the highlighter's
segments and snippets, and the route over fake DAOs (tests/todos/test_search.py runs
the real statements on every engine)."""

from __future__ import annotations

import httpx
import pytest

from app.todos import search
from app.todos.search import Matcher, segments, snippet, words


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Buy MILK", ["buy", "milk"]),
        ('"milk" NEAR(bread) *', ["milk", "near", "bread"]),
        ("title:milk & !bread | x_y", ["title", "milk", "bread", "x", "y"]),
        ("café\x00crème", ["café", "crème"]),
        ("???", []),
        (" ".join(f"w{n}" for n in range(20)), [f"w{n}" for n in range(search.TERMS_MAX)]),
    ],
)
def test_words_are_letters_and_digits_only(query: str, expected: list[str]) -> None:
    assert words(query) == expected


def test_query_texts_quote_every_word_and_make_the_last_a_prefix() -> None:
    assert search.fts5_match(["near", "milk"]) == '"near" "milk"*'
    assert search.tsquery(["buy", "milk"]) == "'buy' & 'milk':*"


@pytest.mark.parametrize(
    ("text", "terms", "marked"),
    [
        ("Running shoes", ["run"], ["Running"]),
        ("Buy milk, then more MILK", ["milk"], ["milk", "MILK"]),
        ("Milkshake and milk", ["mil"], ["Milkshake", "milk"]),  # the last word: a prefix
        ("Milkshake and milk", ["mil", "and"], ["and"]),  # not the last: whole words only
        ("Le café crème", ["cafe"], ["café"]),
        ("nothing here", ["milk"], []),
        ("", ["milk"], []),
    ],
)
def test_segments_mark_the_matched_words_and_keep_the_text(
    text: str, terms: list[str], marked: list[str]
) -> None:
    pieces = segments(text, Matcher.of(terms))
    assert "".join(piece for piece, _ in pieces) == text
    assert [piece for piece, match in pieces if match] == marked


def test_a_snippet_is_cut_around_the_first_match() -> None:
    text = " ".join(f"w{n}" for n in range(100)).replace("w70", "needle")
    pieces, before, after = snippet(text, Matcher.of(["needle"]))
    cut = "".join(piece for piece, _ in pieces)
    assert before
    assert after
    assert cut in text
    assert len(cut.split()) == search.SNIPPET_WORDS
    assert [piece for piece, match in pieces if match] == ["needle"]
    short, before, after = snippet("just a few words", Matcher.of(["few"]))
    assert (before, after) == (False, False)
    assert "".join(piece for piece, _ in short) == "just a few words"


def test_matches_all_needs_every_word() -> None:
    matcher = Matcher.of(["paint", "blu"])
    assert matcher.matches_all(["paint", "blu"], "Painting the fence blue")
    assert not matcher.matches_all(["paint", "blu"], "Painting the door red")


async def test_the_route_over_fake_daos(
    fake_client: httpx.AsyncClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    await fake_client.post("/todo", json={"title": "Buy milk"}, headers=alice)
    await fake_client.post("/todo", json={"title": "Milk for bob"}, headers=bob)
    response = await fake_client.get("/todo/search", params={"q": "milk"}, headers=alice)
    assert response.status_code == 200, response.text
    (hit,) = response.json()
    assert hit["todo"]["title"] == "Buy milk"
    assert hit["title"] == [{"text": "Buy ", "match": False}, {"text": "milk", "match": True}]
    refused = await fake_client.get("/todo/search", params={"q": " "}, headers=alice)
    assert refused.status_code == 422
