"""Search (issue 34): each engine's full-text index over todos' titles and contents
(`app.todos.search`), with every existing todo in it.

- SQLite: the FTS5 table `todo_search`, its key table `todo_search_key` (todo id -> FTS
  row) and three triggers on `todo` that keep both in step with every insert, change of
  title or content, and delete.
- PostgreSQL (and the cockroachdb dialect on it): `todo.search_document`, a stored
  generated column (the title's words weighted A, the content's B), read per list
  through the existing `list_id` indexes (no GIN index on it alone: docs/search.md,
  "Scale"). Adding it rewrites the table once: every existing todo gets its document.
- CockroachDB (a real server; not run by this repository's tests): the same column and
  an inverted index on (`list_id`, the document), so a search reads only the caller's
  lists' entries.

None of these is in the models: autogenerate leaves them alone (`migrations/env.py`).
A later migration that rebuilds `todo` on SQLite (Alembic's batch mode drops the table,
and its triggers with it) must create the triggers again: `create_sqlite_triggers`.

Revision ID: c9e2f4a81b37
Revises: b7d41f9c2a63
Create Date: 2026-12-07 20:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c9e2f4a81b37"
down_revision: str | None = "b7d41f9c2a63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The document as `app.todos.search` reads it today (a migration keeps its own copy).
# The configuration is written in: a generated column's expression must be immutable.
DOCUMENT = (
    "setweight(to_tsvector('english'::regconfig, title), 'A') || "
    "setweight(to_tsvector('english'::regconfig, content), 'B')"
)

SQLITE_TRIGGERS = (
    """CREATE TRIGGER todo_search_insert AFTER INSERT ON todo BEGIN
        INSERT INTO todo_search_key (todo_id) VALUES (new.id);
        INSERT INTO todo_search (rowid, title, content)
        VALUES ((SELECT id FROM todo_search_key WHERE todo_id = new.id), new.title, new.content);
    END""",
    """CREATE TRIGGER todo_search_update AFTER UPDATE OF title, content ON todo BEGIN
        UPDATE todo_search SET title = new.title, content = new.content
        WHERE rowid = (SELECT id FROM todo_search_key WHERE todo_id = new.id);
    END""",
    """CREATE TRIGGER todo_search_delete AFTER DELETE ON todo BEGIN
        DELETE FROM todo_search
        WHERE rowid = (SELECT id FROM todo_search_key WHERE todo_id = old.id);
        DELETE FROM todo_search_key WHERE todo_id = old.id;
    END""",
)


def create_sqlite_triggers() -> None:
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)


def _is_cockroachdb() -> bool:
    version = op.get_bind().exec_driver_sql("SELECT version()").scalar()
    return "CockroachDB" in str(version)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # The key table's own INTEGER PRIMARY KEY is the FTS row id: a rowid of `todo`
        # would change under VACUUM or a batch rebuild.
        op.execute(
            "CREATE TABLE todo_search_key ("
            "id INTEGER PRIMARY KEY, todo_id CHAR(32) NOT NULL UNIQUE)"
        )
        op.execute(
            "CREATE VIRTUAL TABLE todo_search USING fts5("
            "title, content, tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        op.execute("INSERT INTO todo_search_key (todo_id) SELECT id FROM todo")
        op.execute(
            "INSERT INTO todo_search (rowid, title, content) "
            "SELECT k.id, t.title, t.content FROM todo_search_key AS k "
            "JOIN todo AS t ON t.id = k.todo_id"
        )
        create_sqlite_triggers()
    elif _is_cockroachdb():
        op.execute(f"ALTER TABLE todo ADD COLUMN search_document TSVECTOR AS ({DOCUMENT}) STORED")
        op.execute("CREATE INVERTED INDEX ix_todo_search ON todo (list_id, search_document)")
    else:
        op.execute(
            "ALTER TABLE todo ADD COLUMN search_document tsvector "
            f"GENERATED ALWAYS AS ({DOCUMENT}) STORED"
        )
        # No GIN index on the document alone: docs/search.md, "Scale".


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("todo_search_insert", "todo_search_update", "todo_search_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")  # a batch rebuild of todo drops them
        op.execute("DROP TABLE todo_search")
        op.execute("DROP TABLE todo_search_key")
    else:
        # CockroachDB drops the index with the column it covers; PostgreSQL too.
        op.execute("ALTER TABLE todo DROP COLUMN search_document")
