"""The event log behind live updates (`GET /events`): the `event` table.

Each change to a list or its todos appends a row in its own transaction; every
replica reads the log in order (see app/live/log.py for how "in order" is made
safe against transactions that commit late). Rows are pruned after the retention
window, so downgrading loses nothing but the recent history of changes.

Revision ID: 0ed4c033b856
Revises: 7b1e4d2a9c35
Create Date: 2026-11-29 03:11:53.387381
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0ed4c033b856"
down_revision: str | None = "7b1e4d2a9c35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "event",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("list_id", sa.Uuid(), nullable=True),
        sa.Column("from_list_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index("ix_event_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_event_txid_id", ["txid", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_txid_id")
        batch_op.drop_index("ix_event_created_at")

    op.drop_table("event")
