"""Bounds and field types the API shapes share. The tables take their column widths from
the same bounds (`app.models` imports them), so each bound is written once."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, ConfigDict, StringConstraints, WithJsonSchema

NAME_MAX = 64
PASSWORD_MAX = 128
TITLE_MAX = 200
LIST_NAME_MAX = 100
CONTENT_MAX = 10_000
IDEMPOTENCY_KEY_MAX = 255


def examples(*values: dict[str, Any]) -> ConfigDict:
    """Model config documenting example bodies (shown by /docs and /redoc)."""
    return ConfigDict(json_schema_extra={"examples": list(values)})


def _storable(value: str) -> str:
    """Refuse text no database can store faithfully: NUL bytes and lone surrogates."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid Unicode text") from exc
    return value


# What a title may not consist of alone: characters that show nothing. Whitespace as
# Python defines it and as JSON Schema's (ECMAScript) regexes do (the two differ:
# U+001C-U+001F, U+0085, U+FEFF), control characters, and the invisible format
# characters of the Basic Multilingual Plane (zero-width spaces and joiners,
# direction marks, word joiners, variation selectors, Hangul fillers). The server and
# the documented pattern spell out this one set, so they agree on every string.
_INVISIBLE = (
    r"\u0001-\u0020\u007f-\u00a0\u00ad\u034f\u061c\u115f\u1160\u1680\u17b4\u17b5"
    r"\u180b-\u180f\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164"
    r"\ufe00-\ufe0f\ufeff\uffa0"
)
_VISIBLE_NOT_NUL = rf"[^{_INVISIBLE}\u0000]"
_VISIBLE = re.compile(_VISIBLE_NOT_NUL)


def _not_blank(value: str) -> str:
    if not _VISIBLE.search(value):
        raise ValueError("must contain a visible character")
    return value


UserName = Annotated[
    str,
    StringConstraints(min_length=3, max_length=NAME_MAX, pattern=r"^[A-Za-z0-9_.-]+$"),
]
Password = Annotated[
    str,
    StringConstraints(min_length=8, max_length=PASSWORD_MAX),
    AfterValidator(_storable),
    WithJsonSchema(
        {"type": "string", "minLength": 8, "maxLength": PASSWORD_MAX, "pattern": r"^[^\u0000]*$"}
    ),
]


def _visible_text_schema(max_length: int) -> WithJsonSchema:
    """The schema of a one-line name people read (a todo's title, a list's name): it
    says what the validators enforce, so generated clients and fuzzers agree."""
    return WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": max_length,
            "pattern": rf"^[^\u0000]*{_VISIBLE_NOT_NUL}[^\u0000]*$",  # something visible, no NUL
        }
    )


Title = Annotated[
    str, AfterValidator(_storable), AfterValidator(_not_blank), _visible_text_schema(TITLE_MAX)
]
ListName = Annotated[
    str, AfterValidator(_storable), AfterValidator(_not_blank), _visible_text_schema(LIST_NAME_MAX)
]
Content = Annotated[
    str,
    AfterValidator(_storable),
    WithJsonSchema({"type": "string", "maxLength": CONTENT_MAX, "pattern": r"^[^\u0000]*$"}),
]
