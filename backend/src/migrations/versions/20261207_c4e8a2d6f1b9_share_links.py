"""Share links: `share_link` (a secret link, stored as its SHA-256, that makes whoever
opens it a member of a list, until revoked, expired or used up).

The table is new: upgrade touches no existing row, so every membership and invitation
stays as it was; downgrade drops it, with every link (members who joined through one
stay members).

Revision ID: c4e8a2d6f1b9
Revises: c5e2a8d4f1b9
Create Date: 2026-12-07 20:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "c4e8a2d6f1b9"
down_revision: str | None = "c5e2a8d4f1b9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "share_link",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("list_id", sa.Uuid(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.CheckConstraint("role IN ('viewer', 'editor')", name=op.f("ck_share_link_role")),
        sa.CheckConstraint(
            "uses >= 0 AND (max_uses IS NULL OR uses <= max_uses)",
            name=op.f("ck_share_link_uses"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_share_link_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["todo_list.id"],
            name=op.f("fk_share_link_list_id_todo_list"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_link")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_share_link_secret_hash")),
    )
    op.create_index(op.f("ix_share_link_list_id"), "share_link", ["list_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_share_link_list_id"), table_name="share_link")
    op.drop_table("share_link")
