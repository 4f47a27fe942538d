"""Personal access tokens: `access_token` (each token's SHA-256, never its secret) and
`access_token_list` (the lists a token for chosen lists reaches).

Both tables are new: upgrade touches no existing row; downgrade drops them, and every
token with them (their owners make new ones after upgrading again).

Revision ID: e3a9c5d17b42
Revises: c4d7e2a91f60
Create Date: 2026-12-07 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "e3a9c5d17b42"
down_revision: str | None = "c4d7e2a91f60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "access_token",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("hint", sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
        sa.Column("can_write", sa.Boolean(), nullable=False),
        sa.Column("all_lists", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_access_token_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_token")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_access_token_secret_hash")),
    )
    op.create_index(op.f("ix_access_token_owner_id"), "access_token", ["owner_id"], unique=False)
    op.create_table(
        "access_token_list",
        sa.Column("token_id", sa.Uuid(), nullable=False),
        sa.Column("list_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["todo_list.id"],
            name=op.f("fk_access_token_list_list_id_todo_list"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["access_token.id"],
            name=op.f("fk_access_token_list_token_id_access_token"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_id", "list_id", name=op.f("pk_access_token_list")),
    )


def downgrade() -> None:
    op.drop_table("access_token_list")
    op.drop_index(op.f("ix_access_token_owner_id"), table_name="access_token")
    op.drop_table("access_token")
