"""Search (issue 34): the todos whose title or content holds every word of a query,
across every list the caller can see, best first, with the words that matched marked.

One API, one statement per engine, chosen per connection as the event log chooses its
ordering (`app.platform.db.server_flavour`: "sqlite", "postgresql", or "cockroachdb"
for a real CockroachDB server, which `Database.ping` recognises at start-up):

- SQLite: an FTS5 table, `todo_search` (tokenizer `porter unicode61 remove_diacritics
  2`: "running" finds "run", "cafe" finds "café"), ranked by `bm25` with the title
  weighing twice the content. Triggers on `todo` keep it in step with every write,
  whoever makes it (the API, an import, a cascade); `todo_search_key` maps each todo to
  the FTS row, because a rowid of `todo` itself is not stable (VACUUM and Alembic's
  batch rebuilds renumber it).
- PostgreSQL (and the cockroachdb dialect on PostgreSQL, as the tests run it): a stored
  generated column, `todo.search_document`, the title's `to_tsvector('english', …)`
  weighted A and the content's weighted B; `@@` against a `to_tsquery` built from the
  words, ranked by `ts_rank`. A search reads the caller's lists' todos by `list_id` and
  tests each stored vector (computing one per row cost 20 µs). No GIN index on the
  document alone: with one, the planner read every match of a common word in the
  table, other users' too, and W7 timed out at 1 M rows (docs/search.md, "Scale").
- CockroachDB (a real server; none runs in this repository's tests): the same column
  and query (CockroachDB 23.1+ has `to_tsvector`, `to_tsquery`, `@@` and `ts_rank`),
  over an inverted index whose first column is `list_id`, so a caller's lists are a
  prefix of the index and other users' todos are never read.

The migration (`20261207_c9e2f4a81b37_todo_search`) creates all of it; the names are in
`SEARCH_OBJECTS`, which autogenerate leaves alone (they are not in the models).

The access rule is the statement's own (`app.access.visible`), as in every read: a list
the caller left a moment ago is not searched on their next request.

The words of a query are its runs of letters and digits (`words`); every one must match
(AND), the last also as a prefix, so results follow as one types. Nothing a client sends
reaches an engine's query syntax: quotes, `*`, `NEAR`, `:` and parentheses are not
letters, so they only separate words. Which words are marked in the answer is worked
out here (`highlight`), not by the engines, so it is the same on all three and never
HTML: a Snowball (English) stem match, and the last word as a prefix.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

import snowballstemmer  # type: ignore[import-untyped]
from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Uuid,
    bindparam,
    column,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import REGCONFIG

from app import access
from app.platform.tables import table as app_table
from app.todos.schemas import SearchHit, Segment, TodoPublic

QUERY_MAX = 200  # characters of `q`
TERMS_MAX = 8  # words of `q` searched for; the rest are ignored
SEARCH_LIMIT_MAX = 50
SEARCH_LIMIT_DEFAULT = 20
SNIPPET_WORDS = 24  # words of content around the first match

# What the migration creates and autogenerate must not touch (`migrations/env.py`): the
# SQLite FTS5 table (and the shadow tables FTS5 makes for it, `todo_search_*`), its key
# table; the generated column of PostgreSQL and CockroachDB, and CockroachDB's index.
SEARCH_TABLE = "todo_search"
SEARCH_KEY_TABLE = "todo_search_key"
SEARCH_INDEX = "ix_todo_search"  # CockroachDB's inverted index (list_id, search_document)
SEARCH_DOCUMENT = "search_document"  # the generated column of `todo` (not SQLite)
SEARCH_OBJECTS_PREFIX = "todo_search"

# The text search configuration of PostgreSQL and CockroachDB: English stemming and
# stop words, as SQLite's porter tokenizer stems English. A constant, not a setting:
# the index is built with it, and a query in another configuration would not use it.
TEXT_SEARCH_CONFIG = "english"

_WORD = re.compile(r"[^\W_]+")


def words(query: str) -> list[str]:
    """The query's words, lower-cased: runs of letters and digits, at most `TERMS_MAX`."""
    return [word.casefold() for word in _WORD.findall(query)][:TERMS_MAX]


class Found(TodoPublic):
    """A row of the search statement: the todo and the name of its list."""

    list_name: str


# --- the statements -----------------------------------------------------------------------


def fts5_match(terms: Sequence[str]) -> str:
    """An FTS5 query for the words: each a quoted string (so no word is ever an operator
    such as NEAR or AND), all required, the last a prefix. Words hold only letters and
    digits (`words`), so the quotes need no escaping."""
    quoted = [f'"{term}"' for term in terms]
    quoted[-1] += "*"
    return " ".join(quoted)


def tsquery(terms: Sequence[str]) -> str:
    """A `to_tsquery` text for the words: each a quoted lexeme, all required (`&`), the
    last a prefix (`:*`). Words hold only letters and digits, so nothing needs escaping."""
    quoted = [f"'{term}'" for term in terms]
    quoted[-1] += ":*"
    return " & ".join(quoted)


def search_params(
    caller_params: dict[str, Any], terms: Sequence[str], limit: int
) -> dict[str, Any]:
    return {
        **caller_params,
        "match": fts5_match(terms),
        "tsquery": tsquery(terms),
        "limit": limit,
    }


Columns = tuple[ColumnElement[Any], ...]


@cache
def select_fts5(columns: Columns) -> Select[Any]:
    """SQLite: the FTS5 table's matches, joined to their todos, that the caller can see."""
    todo, lists = app_table("todo"), app_table("todo_list")
    fts = table(SEARCH_TABLE, column("rowid", Integer))
    keys = table(SEARCH_KEY_TABLE, column("id", Integer), column("todo_id", Uuid()))
    fts_table: ColumnElement[Any] = literal_column(SEARCH_TABLE)
    rank = func.bm25(fts_table, 2.0, 1.0)  # lower is better
    return (
        select(*columns, lists.c.name.label("list_name"))
        .select_from(fts)
        .join(keys, keys.c.id == fts.c.rowid)
        .join(todo, todo.c.id == keys.c.todo_id)
        .join(lists, lists.c.id == todo.c.list_id)
        .where(fts_table.op("MATCH")(bindparam("match")), access.visible(todo))
        .order_by(rank, todo.c.id)
        .limit(bindparam("limit"))
    )


@cache
def select_tsvector(columns: Columns) -> Select[Any]:
    """PostgreSQL and CockroachDB: the todos the caller can see whose document matches,
    ranked by `ts_rank` over the stored, weighted document."""
    todo, lists = app_table("todo"), app_table("todo_list")
    document: ColumnElement[Any] = literal_column(f"todo.{SEARCH_DOCUMENT}")
    config = literal_column(f"'{TEXT_SEARCH_CONFIG}'", REGCONFIG)
    # A subquery, so it is computed once per statement (an InitPlan): inline, a generic
    # plan (asyncpg prepares statements) called `to_tsquery` for every todo tested.
    query = select(func.to_tsquery(config, bindparam("tsquery"))).scalar_subquery()
    return (
        select(*columns, lists.c.name.label("list_name"))
        .join(lists, lists.c.id == todo.c.list_id)
        .where(document.op("@@")(query), access.visible(todo))
        .order_by(func.ts_rank(document, query).desc(), todo.c.id)
        .limit(bindparam("limit"))
    )


def statement(flavour: str, columns: Columns) -> Select[Any]:
    """The search statement for a connection's server (`server_flavour`), selecting
    `columns` of each todo found and its list's name (`list_name`)."""
    return select_fts5(columns) if flavour == "sqlite" else select_tsvector(columns)


# --- the highlights -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Matcher:
    """Tells which words of a text match a query's words: same Snowball stem, or, for
    the last word of the query, starting with it. Accents are ignored, as SQLite's
    tokenizer ignores them."""

    stems: frozenset[str]
    prefix: str

    @classmethod
    def of(cls, terms: Sequence[str]) -> Matcher:
        folded = [_fold(term) for term in terms]
        return cls(stems=frozenset(_stem(term) for term in folded), prefix=folded[-1])

    def matches(self, word: str) -> bool:
        folded, stem = _normal(word)
        return folded.startswith(self.prefix) or stem in self.stems

    def matches_all(self, terms: Sequence[str], text: str) -> bool:
        """Whether every query word has a match in `text` (what the fake DAO finds)."""
        found = [_fold(word.casefold()) for word in _WORD.findall(text)]
        stems = {_stem(word) for word in found}
        *whole, last = [_fold(term) for term in terms]
        return all(_stem(term) in stems for term in whole) and any(
            word.startswith(last) or _stem(word) == _stem(last) for word in found
        )


def segments(text: str, matcher: Matcher) -> list[tuple[str, bool]]:
    """`text` cut into (piece, matched) runs, in order; joined, the pieces are `text`."""
    runs: list[tuple[str, bool]] = []
    end = 0
    for found in _WORD.finditer(text):
        if matcher.matches(found.group()):
            if found.start() > end:
                runs.append((text[end : found.start()], False))
            runs.append((found.group(), True))
            end = found.end()
    if end < len(text):
        runs.append((text[end:], False))
    return _merged(runs)


def snippet(text: str, matcher: Matcher) -> tuple[list[tuple[str, bool]], bool, bool]:
    """About `SNIPPET_WORDS` words of `text` around its first match (its start if none),
    as `segments`, and whether text was left out before and after."""
    spans = [found.span() for found in _WORD.finditer(text)]
    if len(spans) <= SNIPPET_WORDS:
        return segments(text, matcher), False, False
    first = next(
        (n for n, (a, b) in enumerate(spans) if matcher.matches(text[a:b])),
        0,
    )
    start = max(0, min(first - SNIPPET_WORDS // 3, len(spans) - SNIPPET_WORDS))
    stop = start + SNIPPET_WORDS - 1
    begin = 0 if start == 0 else spans[start][0]
    finish = len(text) if stop >= len(spans) - 1 else spans[stop][1]
    return segments(text[begin:finish], matcher), begin > 0, finish < len(text)


def hits(found: Sequence[Found], terms: Sequence[str]) -> list[SearchHit]:
    """The search's results as the API sends them, their matched words marked."""
    matcher = Matcher.of(terms)
    return [hit(row, matcher) for row in found]


def hit(found: Found, matcher: Matcher) -> SearchHit:
    """A search result as the API sends it, its matched words marked."""
    pieces, starts_inside, ends_inside = snippet(found.content, matcher)
    return SearchHit(
        todo=TodoPublic.model_validate(found.model_dump(exclude={"list_name"})),
        list_name=found.list_name,
        title=[Segment(text=text, match=match) for text, match in segments(found.title, matcher)],
        snippet=[Segment(text=text, match=match) for text, match in pieces],
        snippet_starts_inside=starts_inside,
        snippet_ends_inside=ends_inside,
    )


def _merged(runs: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    merged: list[tuple[str, bool]] = []
    for piece, matched in runs:
        if merged and merged[-1][1] == matched and not matched:
            merged[-1] = (merged[-1][0] + piece, matched)
        else:
            merged.append((piece, matched))
    return merged


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=16_384)
def _stem(word: str) -> str:
    """The word's Snowball stem. Cached: the pure-Python stemmer takes some 30 µs a
    word, and the words of titles repeat."""
    return str(_STEMMER.stemWord(word))


@lru_cache(maxsize=16_384)
def _normal(word: str) -> tuple[str, str]:
    """A word of a text as `Matcher` compares it: folded (lower case, no accents), and
    that form's stem."""
    folded = _fold(word.casefold())
    return folded, _stem(folded)


def _fold(word: str) -> str:
    """`word` without its accents ("café" → "cafe")."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))
