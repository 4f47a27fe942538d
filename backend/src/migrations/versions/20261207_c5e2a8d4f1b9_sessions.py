"""Sessions are rows: `user_session`, one per log-in, which its token names (`sid`).

Tokens issued before this revision name no session: they are refused (401) and their
holders log in again (docs/operations.md, upgrade notes). No rows are made for them.

Revision ID: c5e2a8d4f1b9
Revises: c9e2f4a81b37
Create Date: 2026-12-07 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c5e2a8d4f1b9"
down_revision: str | None = "c9e2f4a81b37"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_session",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("idle_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_session_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
    )
    op.create_index(
        "ix_user_session_user_id_created_at_id",
        "user_session",
        ["user_id", "created_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_user_session_user_id_created_at_id", table_name="user_session")
    op.drop_table("user_session")
