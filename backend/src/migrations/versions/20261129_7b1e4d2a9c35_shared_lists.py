"""Shared lists: every todo belongs to a list; each user gets a personal list.

Upgrade creates `todo_list` and `list_member`, gives every existing user a personal
list named "Personal" (with themselves as its owner), moves each user's todos into it
(`todo.list_id`) and drops `todo.owner_id`.

Downgrade gives each todo back an `owner_id`: the user whose personal list holds it,
else its list's longest-standing owner (todos of shared lists go to that owner, as
their own). Sharing itself is lost.

Revision ID: 7b1e4d2a9c35
Revises: 3f6a2c91d0b7
Create Date: 2026-11-29 00:06:06.914349
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "7b1e4d2a9c35"
down_revision: str | None = "3f6a2c91d0b7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PERSONAL_LIST_NAME = "Personal"
BATCH = 10_000

users = sa.table(
    "users",
    sa.column("id", sa.Uuid()),
    # UTC-aware on every engine (SQLite stores no zone; plain DateTime would read naive).
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)
todo = sa.table("todo", sa.column("owner_id", sa.Uuid()), sa.column("list_id", sa.Uuid()))
todo_list = sa.table(
    "todo_list",
    sa.column("id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("personal_of", sa.Uuid()),
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)
list_member = sa.table(
    "list_member",
    sa.column("list_id", sa.Uuid()),
    sa.column("user_id", sa.Uuid()),
    sa.column("role", sa.String()),
    sa.column("created_at", sqlmodel.sql.sqltypes.UTCDateTime()),
)


def upgrade() -> None:
    op.create_table(
        "todo_list",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("personal_of", sa.Uuid(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["personal_of"],
            ["users.id"],
            name=op.f("fk_todo_list_personal_of_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_todo_list")),
        sa.UniqueConstraint("personal_of", name=op.f("uq_todo_list_personal_of")),
    )
    op.create_table(
        "list_member",
        sa.Column("list_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "role IN ('viewer', 'editor', 'owner')", name=op.f("ck_list_member_role")
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["todo_list.id"],
            name=op.f("fk_list_member_list_id_todo_list"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_list_member_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("list_id", "user_id", name=op.f("pk_list_member")),
    )
    op.create_index("ix_list_member_user_id_list_id", "list_member", ["user_id", "list_id"])
    _create_personal_lists()

    op.add_column("todo", sa.Column("list_id", sa.Uuid(), nullable=True))
    personal_list_of_owner = (
        sa.select(todo_list.c.id)
        .where(todo_list.c.personal_of == todo.c.owner_id)
        .scalar_subquery()
    )
    op.execute(sa.update(todo).values(list_id=personal_list_of_owner))

    with op.batch_alter_table("todo") as batch:  # SQLite rebuilds the table
        batch.alter_column("list_id", existing_type=sa.Uuid(), nullable=False)
        batch.drop_index("ix_todo_owner_id_completed_created_at_id")
        batch.drop_index("ix_todo_owner_id_created_at_id")
        batch.drop_constraint("fk_todo_owner_id_users", type_="foreignkey")
        batch.drop_column("owner_id")
        batch.create_index(
            "ix_todo_list_id_completed_created_at_id", ["list_id", "completed", "created_at", "id"]
        )
        batch.create_index("ix_todo_list_id_created_at_id", ["list_id", "created_at", "id"])
        batch.create_foreign_key(
            batch.f("fk_todo_list_id_todo_list"),
            "todo_list",
            ["list_id"],
            ["id"],
            ondelete="CASCADE",
        )


def _create_personal_lists() -> None:
    """One personal list per existing user, in batches (ids are made here: UUIDv4, as
    the app makes them, on every engine)."""
    connection = op.get_bind()
    now = datetime.now(UTC)
    rows = connection.execute(sa.select(users.c.id, users.c.created_at)).all()
    for start in range(0, len(rows), BATCH):
        lists, members = [], []
        for user_id, created_at in rows[start : start + BATCH]:
            list_id = uuid.uuid4()
            lists.append(
                {
                    "id": list_id,
                    "name": PERSONAL_LIST_NAME,
                    "personal_of": user_id,
                    "created_at": now,
                }
            )
            members.append(
                {"list_id": list_id, "user_id": user_id, "role": "owner", "created_at": created_at}
            )
        connection.execute(sa.insert(todo_list), lists)
        connection.execute(sa.insert(list_member), members)


def downgrade() -> None:
    op.add_column("todo", sa.Column("owner_id", sa.Uuid(), nullable=True))
    personal_owner = (
        sa.select(todo_list.c.personal_of).where(todo_list.c.id == todo.c.list_id).scalar_subquery()
    )
    longest_standing_owner = (
        sa.select(list_member.c.user_id)
        .where(list_member.c.list_id == todo.c.list_id, list_member.c.role == "owner")
        .order_by(list_member.c.created_at, list_member.c.user_id)
        .limit(1)
        .scalar_subquery()
    )
    op.execute(
        sa.update(todo).values(owner_id=sa.func.coalesce(personal_owner, longest_standing_owner))
    )

    with op.batch_alter_table("todo") as batch:
        batch.alter_column("owner_id", existing_type=sa.Uuid(), nullable=False)
        batch.drop_index("ix_todo_list_id_created_at_id")
        batch.drop_index("ix_todo_list_id_completed_created_at_id")
        batch.drop_constraint("fk_todo_list_id_todo_list", type_="foreignkey")
        batch.drop_column("list_id")
        batch.create_foreign_key(
            batch.f("fk_todo_owner_id_users"), "users", ["owner_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_todo_owner_id_created_at_id", ["owner_id", "created_at", "id"])
        batch.create_index(
            "ix_todo_owner_id_completed_created_at_id",
            ["owner_id", "completed", "created_at", "id"],
        )

    op.drop_index("ix_list_member_user_id_list_id", table_name="list_member")
    op.drop_table("list_member")
    op.drop_table("todo_list")
