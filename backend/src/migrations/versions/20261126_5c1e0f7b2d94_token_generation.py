"""Token generations: bumping a user's revokes every token issued before.

Revision ID: 5c1e0f7b2d94
Revises: a8fa3dd4b3d8
Create Date: 2026-11-26 09:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1e0f7b2d94"
down_revision: str | None = "a8fa3dd4b3d8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing accounts start at 0, the generation that tokens without one are read as:
    # nobody is logged out by the upgrade.
    op.add_column(
        "users",
        sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:  # SQLite rebuilds the table to drop
        batch.drop_column("token_generation")
