"""Demo data for the embedded run and compose: applied only when asked (`seed-demo`),
never by a migration, and safe to apply twice. `make run` seeds at every start, so
the notes go with the account when it is created and never again: a demo user who
deleted a note does not find it back after a restart."""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncConnection

from app.accounts.service import create_account
from app.daos import daos
from app.platform.db import Database
from app.platform.security import hash_password
from app.todos.schemas import TodoCreate

log = structlog.get_logger(__name__)

DEMO_USERS = ("user1", "user2", "user3")
# Shorter than signup allows on purpose: only this command may create it.
DEMO_PASSWORD = "pass"  # noqa: S105
DEMO_NOTES = {
    "user1": [
        TodoCreate(title="Note 1", content="Your first note: tick it off when it is done."),
        TodoCreate(title="Note 2", content="Edit a note to change its title or content."),
        TodoCreate(
            title="Note 3", content="Other users see a list only once you share it with them."
        ),
    ]
}


async def seed_demo(db: Database) -> None:
    password_hash = await hash_password(DEMO_PASSWORD)

    async def seed(conn: AsyncConnection) -> tuple[int, int]:
        users_created = notes_created = 0
        for name in DEMO_USERS:
            if await daos.users.get_by_name(conn, name) is not None:
                continue
            user = await create_account(conn, name=name, password_hash=password_hash)
            users_created += 1
            for note in DEMO_NOTES.get(name, []):
                await daos.todos.create(conn, user.as_caller(), None, note)
                notes_created += 1
        return users_created, notes_created

    users_created, notes_created = await db.write(seed)
    log.info("demo_data_seeded", users_created=users_created, notes_created=notes_created)
