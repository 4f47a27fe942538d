"""Case-insensitive user names: `Bob` and `bob` become one name.

A `name_key` column (the lower-cased name) carries the uniqueness the name itself had.
Accounts whose names already differ only in case keep working: the oldest keeps its
name, each later one is renamed `<name>-2`, `<name>-3`, ... (the first suffix free of
any other name, cut to fit 64 characters) and logs in with that name from now on. The
migration logs every rename; operators tell those users.

Revision ID: 3f6a2c91d0b7
Revises: 5c1e0f7b2d94
Create Date: 2026-11-28 21:40:00.000000
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "3f6a2c91d0b7"
down_revision: str | None = "5c1e0f7b2d94"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME_MAX = 64
log = logging.getLogger("alembic.runtime.migration")

users = sa.table(
    "users",
    sa.column("id", sa.Uuid()),
    sa.column("created_at", sa.DateTime()),
    sa.column("name", sa.String()),
    sa.column("name_key", sa.String()),
)


def upgrade() -> None:
    op.add_column(
        "users",
        sa.Column("name_key", sqlmodel.sql.sqltypes.AutoString(length=NAME_MAX), nullable=True),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(users.c.id, users.c.name).order_by(users.c.created_at, users.c.id)
    ).all()
    taken: set[str] = set()
    for user_id, name in rows:
        new_name = _free_name(name, taken)
        taken.add(new_name.lower())
        if new_name != name:
            log.warning("renamed user %s from %r to %r: names are now case-insensitive",
                        user_id, name, new_name)  # fmt: skip
        connection.execute(
            sa.update(users)
            .where(users.c.id == user_id)
            .values(name=new_name, name_key=new_name.lower())
        )
    with op.batch_alter_table("users") as batch:  # SQLite rebuilds the table
        batch.alter_column(
            "name_key",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=NAME_MAX),
            nullable=False,
        )
        batch.drop_constraint("uq_users_name", type_="unique")
        batch.create_unique_constraint(batch.f("uq_users_name_key"), ["name_key"])


def _free_name(name: str, taken: set[str]) -> str:
    if name.lower() not in taken:
        return name
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = name[: NAME_MAX - len(suffix)] + suffix
        if candidate.lower() not in taken:
            return candidate
        n += 1


def downgrade() -> None:
    # Every name_key is unique, so every name is too: the old constraint holds.
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_name_key", type_="unique")
        batch.create_unique_constraint(batch.f("uq_users_name"), ["name"])
        batch.drop_column("name_key")
