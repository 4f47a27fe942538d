"""Invitations and blocks: `invitation` (an offer of a role in a list, open until it is
answered, cancelled or expires) and `account_block` (whose invitations never reach an
account).

Both tables are new: upgrade touches no existing row, so every membership stays as it
was; downgrade drops them, with every open invitation and block.

Revision ID: b7d41f0e9a26
Revises: 5a8e1c3f7d20
Create Date: 2026-12-07 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "b7d41f0e9a26"
down_revision: str | None = "5a8e1c3f7d20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("list_id", sa.Uuid(), nullable=False),
        sa.Column("invitee_id", sa.Uuid(), nullable=False),
        sa.Column("inviter_id", sa.Uuid(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('viewer', 'editor', 'owner')", name=op.f("ck_invitation_role")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'cancelled')",
            name=op.f("ck_invitation_status"),
        ),
        sa.ForeignKeyConstraint(
            ["invitee_id"],
            ["users.id"],
            name=op.f("fk_invitation_invitee_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["inviter_id"],
            ["users.id"],
            name=op.f("fk_invitation_inviter_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["todo_list.id"],
            name=op.f("fk_invitation_list_id_todo_list"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("list_id", "invitee_id", name=op.f("uq_invitation_list_id_invitee_id")),
    )
    op.create_index(
        "ix_invitation_invitee_id_status", "invitation", ["invitee_id", "status"], unique=False
    )
    op.create_index(
        "ix_invitation_inviter_id_created_at",
        "invitation",
        ["inviter_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "account_block",
        sa.Column("blocker_id", sa.Uuid(), nullable=False),
        sa.Column("blocked_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["blocked_id"],
            ["users.id"],
            name=op.f("fk_account_block_blocked_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["blocker_id"],
            ["users.id"],
            name=op.f("fk_account_block_blocker_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("blocker_id", "blocked_id", name=op.f("pk_account_block")),
    )


def downgrade() -> None:
    op.drop_table("account_block")
    op.drop_index("ix_invitation_inviter_id_created_at", table_name="invitation")
    op.drop_index("ix_invitation_invitee_id_status", table_name="invitation")
    op.drop_table("invitation")
