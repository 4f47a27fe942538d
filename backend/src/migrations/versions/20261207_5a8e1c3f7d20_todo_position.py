"""Manual order: `todo.position`, a fractional key compared byte by byte
(`app.todos.ordering`). Existing todos get keys in the order their lists showed them
until now, oldest first.

Revision ID: 5a8e1c3f7d20
Revises: e3a9c5d17b42
Create Date: 2026-12-07 14:00:00.000000
"""

from collections.abc import Sequence
from itertools import groupby

import fractional_indexing  # type: ignore[import-untyped]
import sqlalchemy as sa
from alembic import op

revision: str = "5a8e1c3f7d20"
down_revision: str | None = "e3a9c5d17b42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As `app.todos.tables.POSITION_TYPE` is today: a migration keeps its own copy.
POSITION_TYPE = sa.String(64).with_variant(
    sa.String(64, collation="C"), "postgresql", "cockroachdb"
)
TODO = sa.table(
    "todo",
    sa.column("id", sa.Uuid()),
    sa.column("list_id", sa.Uuid()),
    sa.column("created_at", sa.DateTime()),
    sa.column("position", POSITION_TYPE),
)


def upgrade() -> None:
    op.add_column("todo", sa.Column("position", POSITION_TYPE, nullable=True))
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(TODO.c.id, TODO.c.list_id).order_by(TODO.c.list_id, TODO.c.created_at, TODO.c.id)
    ).all()
    keyed = []
    for _, todos in groupby(rows, key=lambda row: row.list_id):
        ids = [row.id for row in todos]
        keys = fractional_indexing.generate_n_keys_between(None, None, len(ids))
        keyed += [{"todo_id": id_, "new_position": key} for id_, key in zip(ids, keys, strict=True)]
    if keyed:
        conn.execute(
            sa.update(TODO)
            .where(TODO.c.id == sa.bindparam("todo_id"))
            .values(position=sa.bindparam("new_position")),
            keyed,
        )
    with op.batch_alter_table("todo") as batch:  # SQLite rebuilds the table for NOT NULL
        batch.alter_column("position", existing_type=POSITION_TYPE, nullable=False)
        batch.create_index("ix_todo_list_id_position_id", ["list_id", "position", "id"])


def downgrade() -> None:
    with op.batch_alter_table("todo") as batch:
        batch.drop_index("ix_todo_list_id_position_id")
        batch.drop_column("position")
