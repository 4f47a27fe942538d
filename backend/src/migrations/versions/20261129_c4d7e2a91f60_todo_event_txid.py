"""A todo remembers its last event's place in the log (`todo.event_txid`), so its
changes may run at READ COMMITTED without their events sorting out of version order.

Revision ID: c4d7e2a91f60
Revises: 0ed4c033b856
Create Date: 2026-11-29 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c4d7e2a91f60"
down_revision: str | None = "0ed4c033b856"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # 0 for existing todos: any transaction that changes one from now on has a larger id
    # than the transactions that wrote its events so far, which have all ended.
    op.add_column(
        "todo", sa.Column("event_txid", sa.BigInteger(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    with op.batch_alter_table("todo") as batch:  # SQLite rebuilds the table to drop
        batch.drop_column("event_txid")
