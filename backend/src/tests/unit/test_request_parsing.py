"""Parsing what clients send in headers and query strings."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import jsonschema_rs
import pytest
from pydantic import ValidationError

from app.platform.errors import InvalidCursorError
from app.todos.deps import IF_MATCH_PATTERN, IfMatch, parse_if_match
from app.todos.schemas import TodoCreate, TodoCursor


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("*", IfMatch(versions=None)),
        ('"3"', IfMatch(versions=frozenset({3}))),
        (' "3" , "5"', IfMatch(versions=frozenset({3, 5}))),
        ('W/"3"', IfMatch(versions=frozenset())),  # weak tags never match strongly
        ('"2147483647"', IfMatch(versions=frozenset({2**31 - 1}))),
        # Beyond the column's range no todo can have it (a 500 on PostgreSQL once).
        ('"2147483648", "3"', IfMatch(versions=frozenset({3}))),
        ('\t"723057462897163"\t', IfMatch(versions=frozenset())),
    ],
)
def test_if_match_parses(header: str | None, expected: IfMatch | None) -> None:
    assert parse_if_match(header) == expected


@pytest.mark.parametrize(
    "header",
    ["3", '"abc"', '"3', "", '"99999999999999999999"', '*, "1"', "null", '\xa0"3"', '"3"\x1c'],
)
def test_if_match_pattern_rejects_malformed(header: str) -> None:
    assert re.fullmatch(IF_MATCH_PATTERN, header) is None


@pytest.mark.parametrize("header", ["*", '"3"', ' "3" , "5"', 'W/"3"', '"0",W/"1"'])
def test_if_match_pattern_accepts_entity_tags(header: str) -> None:
    assert re.fullmatch(IF_MATCH_PATTERN, header) is not None


def test_cursor_round_trips() -> None:
    cursor = TodoCursor(created_at=datetime.now(UTC), id=uuid.uuid4())
    assert TodoCursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize(
    "token", ["", "!!!", "bm90LWEtY3Vyc29y", "MjAyNi0xMS0yNlQwNjoxMDoyNnx4", "🙂"]
)
def test_cursor_rejects_garbage(token: str) -> None:
    with pytest.raises(InvalidCursorError):
        TodoCursor.decode(token)


def test_cursor_rejects_naive_timestamps() -> None:
    naive = TodoCursor(created_at=datetime(2026, 1, 1), id=uuid.uuid4())
    with pytest.raises(InvalidCursorError):
        TodoCursor.decode(naive.encode())


TITLE_PATTERN = TodoCreate.model_json_schema()["properties"]["title"]["pattern"]


# Both regex dialects a client may check the documented pattern with: Python's, and
# ECMAScript's (JSON Schema's own; jsonschema_rs, which schemathesis brings and uses).
def matches(pattern: str, text: str) -> tuple[bool, bool]:
    ecmascript = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    return re.search(pattern, text) is not None, ecmascript.is_valid(text)


@pytest.mark.parametrize("title", ["a", " a ", "\ta\n", "🚀", "a b", "\u200bzero-width"])
def test_documented_title_pattern_accepts_what_the_server_accepts(title: str) -> None:
    assert matches(TITLE_PATTERN, title) == (True, True)
    assert TodoCreate(title=title).title == title


@pytest.mark.parametrize(
    "title",
    # NUL as the one non-space character, and characters only one of the two regex
    # dialects calls whitespace: each came from a random fuzz draw.
    ["", " ", "\x00", "a\x00", " \x00 ", "\x00a", "\x1d", "\x1c\x1f", "\x85", "\ufeff", "\u3000"],
)
def test_documented_title_pattern_refuses_what_the_server_refuses(title: str) -> None:
    assert matches(TITLE_PATTERN, title) == (False, False)
    with pytest.raises(ValidationError):
        TodoCreate(title=title)
