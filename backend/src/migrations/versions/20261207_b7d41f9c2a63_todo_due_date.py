"""Due dates: `todo.due_date`, `due_time` and `due_zone` as the user set them, and
`due_at`, the instant it falls due, for comparing and sorting (`app.todos.due`).
Existing todos have no due date: all four NULL.

Revision ID: b7d41f9c2a63
Revises: 9d41b6e0a7c3
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b7d41f9c2a63"
down_revision: str | None = "9d41b6e0a7c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("todo", sa.Column("due_date", sa.Date(), nullable=True))
    op.add_column("todo", sa.Column("due_time", sa.Time(), nullable=True))
    op.add_column(
        "todo", sa.Column("due_zone", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
    )
    op.add_column("todo", sa.Column("due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_index("ix_todo_list_id_due_at_id", "todo", ["list_id", "due_at", "id"])


def downgrade() -> None:
    with op.batch_alter_table("todo") as batch:  # SQLite rebuilds the table to drop
        batch.drop_index("ix_todo_list_id_due_at_id")
        batch.drop_column("due_at")
        batch.drop_column("due_zone")
        batch.drop_column("due_time")
        batch.drop_column("due_date")
