"""Parsing what clients send in headers and query strings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from fastapi import HTTPException

from app.api.deps import IfMatch, parse_if_match
from app.errors import InvalidCursorError
from app.models import TodoCursor


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("*", IfMatch(versions=None)),
        ('"3"', IfMatch(versions=frozenset({3}))),
        (' "3" , "5"', IfMatch(versions=frozenset({3, 5}))),
        ('W/"3"', IfMatch(versions=frozenset())),  # weak tags never match strongly
    ],
)
def test_if_match_parses(header: str | None, expected: IfMatch | None) -> None:
    assert parse_if_match(header) == expected


@pytest.mark.parametrize("header", ["3", '"abc"', '"3', "", '"99999999999999999999"', '*, "1"'])
def test_if_match_rejects_malformed(header: str) -> None:
    with pytest.raises(HTTPException) as caught:
        parse_if_match(header)
    assert caught.value.status_code == 400


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
