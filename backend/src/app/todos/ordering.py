"""Manual order: the fractional keys in `todo.position` (decisions: docs/architecture.md,
"Manual order").

A list's order is its todos sorted by `(position, id)`, comparing `position` byte by
byte on every engine. A key sorts between any two others, so a move rewrites one row;
`fractional-indexing` (the algorithm Figma and Linear use) makes the keys: base-62
digits, ASCII only, so bytewise order is the keys' order.
"""

from __future__ import annotations

import re

import fractional_indexing  # type: ignore[import-untyped]

# How long a key may grow. Moving todos into one gap over and over adds a character
# about every six moves; past this bound the list is given fresh, short keys instead
# (`TodoRepository`'s rebalance). Short keys also keep the index small.
POSITION_MAX = 64
_DIGITS = re.compile(r"[0-9A-Za-z]+")


def between(before: str | None, after: str | None) -> str:
    """A key sorting after `before` and before `after` (None: the start / the end).
    `before < after` bytewise when both are given."""
    key: str = fractional_indexing.generate_key_between(before, after)
    return key


def evenly(count: int) -> list[str]:
    """`count` short keys in ascending order, for a whole list at once."""
    keys: list[str] = fractional_indexing.generate_n_keys_between(None, None, count)
    return keys


def is_key(text: str) -> bool:
    """Whether `text` is a key this module could have made (for cursors from clients)."""
    # The package checks a key's shape but not its digits.
    if len(text) > POSITION_MAX or not _DIGITS.fullmatch(text):
        return False
    try:
        fractional_indexing.validate_order_key(text)
    except (fractional_indexing.FIError, KeyError, IndexError, ValueError):
        return False
    return True
