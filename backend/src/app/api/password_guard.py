"""Password checks that count failures. Logging in, changing the password and deleting
the account all prove knowledge of a password, so they share one throttle: a stolen
token must not become a way around the log-in limits."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.config import Settings
from app.core.security import Caller, verify_password
from app.db import Database
from app.errors import TooManyLoginFailuresError, WrongPasswordError
from app.models import PASSWORD_MAX, LoginThrottleDAO, ThrottlePolicy, UserDAO, utcnow


def name_key(name: str) -> str:
    return f"name:{name}"


def address_key(address: str) -> str:
    return f"addr:{address}"


@dataclass(frozen=True)
class PasswordGuard:
    db: Database
    settings: Settings
    client_address: str

    async def verify(self, password: str, user: UserDAO | None, *, name: str | None) -> bool:
        """Whether `password` is `user`'s (False for no user, after the same Argon2
        work). Failures are counted per client address and per `name` (None for names
        no account can have); past the limits this raises TooManyLoginFailuresError
        (429) before any password is checked. A success clears the name's count, not the
        address's, or one valid account would reset a guesser's address."""
        limits = {address_key(self.client_address): self.settings.login_failures_per_address}
        if name is not None:
            limits[name_key(name)] = self.settings.login_failures_per_name
        now = utcnow()
        locked_until = await self.db.read(
            lambda conn: LoginThrottleDAO.locked_until_max(conn, limits.keys(), now)
        )
        if locked_until is not None:
            raise TooManyLoginFailuresError(math.ceil((locked_until - now).total_seconds()))

        password_ok = await verify_password(
            password[:PASSWORD_MAX], user.password_hash if user else None
        )
        if user is None or not password_ok:
            await self.db.write(lambda conn: self._count_failure(conn, now, limits))
            return False
        await self.db.write(lambda conn: LoginThrottleDAO.clear(conn, name_key(user.name)))
        return True

    async def confirm(self, caller: Caller, password: str) -> UserDAO:
        """The caller's account, once `password` proves it is theirs (a token alone is
        not enough to change or delete an account): WrongPasswordError (403) if not."""
        user = await self.db.read(lambda conn: UserDAO.get_for_caller(conn, caller))
        if not await self.verify(password, user, name=user.name):
            raise WrongPasswordError
        return user

    async def _count_failure(
        self, conn: AsyncConnection, now: datetime, limits: dict[str, int]
    ) -> None:
        window = timedelta(seconds=self.settings.login_failure_window_seconds)
        lockout = timedelta(seconds=self.settings.login_lockout_seconds)
        for key, limit in limits.items():
            policy = ThrottlePolicy(limit=limit, window=window, lockout=lockout)
            await LoginThrottleDAO.record_failure(conn, key, now=now, policy=policy)
