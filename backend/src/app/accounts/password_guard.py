"""Password checks that count failures. Logging in, changing the password and deleting
the account all prove knowledge of a password, so they share one throttle: a stolen
token must not become a way around the log-in limits."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from app.accounts.repository import name_key_of
from app.accounts.tables import User
from app.accounts.throttle import ThrottlePolicy
from app.daos import daos
from app.platform.db import Database
from app.platform.errors import AppError, TooManyLoginFailuresError, WrongPasswordError
from app.platform.fields import PASSWORD_MAX
from app.platform.security import Caller, verify_password
from app.platform.settings import Settings
from app.platform.tables import utcnow
from app.platform.telemetry.metrics import LOGIN_THROTTLED

# Both keys' series exist from the start (at 0): an alert on their rate sees them.
for _key_kind in ("addr", "name", "link"):
    LOGIN_THROTTLED.labels(_key_kind)


def name_key(name: str) -> str:
    return f"name:{name_key_of(name)}"  # Bob and bob are one name, with one count


def address_key(address: str) -> str:
    return f"addr:{address}"


@dataclass(frozen=True)
class PasswordGuard:
    db: Database
    settings: Settings
    client_address: str

    async def verify(self, password: str, user: User | None, *, name: str | None) -> bool:
        """Whether `password` is `user`'s (False for no user, after the same Argon2
        work). Each attempt is counted per client address and per `name` (None for
        names no account can have) BEFORE the password is checked; past either limit
        this raises TooManyLoginFailuresError (429) and checks nothing, so no burst of
        concurrent guesses gets more than the limit's number checked. A success gives
        the address its attempt back and clears the name's count (clearing the
        address's would let one valid account reset a guesser's address)."""
        address = (address_key(self.client_address), self._policy(per_address=True))
        keys = [address]
        if name is not None:
            keys.append((name_key(name), self._policy(per_address=False)))
        # The address first: a locked one never counts a name.
        await admit_attempts(self.db, keys, TooManyLoginFailuresError)

        password_ok = await verify_password(
            password[:PASSWORD_MAX], user.password_hash if user else None
        )
        if user is None or not password_ok:
            return False
        await self.db.write_statement(partial(daos.login_throttle.clear, key=name_key(user.name)))
        await give_back(self.db, [address])
        return True

    async def confirm(self, caller: Caller, password: str) -> User:
        """The caller's account, once `password` proves it is theirs (a token alone is
        not enough to change or delete an account): WrongPasswordError (403) if not."""
        user = await self.db.read(lambda conn: daos.users.get_for_caller(conn, caller))
        if not await self.verify(password, user, name=user.name):
            raise WrongPasswordError
        return user

    def _policy(self, *, per_address: bool) -> ThrottlePolicy:
        return throttle_policy(self.settings, per_address=per_address)


Attempt = tuple[str, ThrottlePolicy]  # a throttle key and the limits it is counted under


def throttle_policy(settings: Settings, *, per_address: bool) -> ThrottlePolicy:
    """The log-in limits: per client address, or per name (per account)."""
    return ThrottlePolicy(
        limit=settings.login_failures_per_address
        if per_address
        else settings.login_failures_per_name,
        window=timedelta(seconds=settings.login_failure_window_seconds),
        lockout=timedelta(seconds=settings.login_lockout_seconds),
    )


async def admit_attempts(
    db: Database, keys: list[Attempt], refused: Callable[[int], AppError]
) -> None:
    """Count one attempt against each key, in order, BEFORE the secret it guards is
    checked; past a key's limit, give back the attempts already counted and raise
    `refused(seconds until the lock ends)` (a 429), so no burst of concurrent guesses
    gets more than the limit's number checked. The caller gives the attempts back
    (`give_back`) when the secret was right: only failures count. Log-ins and share
    links (`app.sharelinks.service`) count this way, in the one `login_throttle` table
    under keys of their own."""
    now = utcnow()
    admitted: list[Attempt] = []
    for key, policy in keys:
        admission = await db.write_statement(
            partial(daos.login_throttle.admit, key=key, now=now, policy=policy)
        )
        if not admission.admitted:
            LOGIN_THROTTLED.labels(key.partition(":")[0]).inc()  # "addr", "name", "link"
            await give_back(db, admitted)
            assert admission.locked_until is not None, "a refused key is locked"
            raise refused(_seconds_until(admission.locked_until))
        admitted.append((key, policy))


async def give_back(db: Database, attempts: list[Attempt]) -> None:
    """Give back attempts that succeeded (and the locks they set, if any)."""
    for key, policy in attempts:
        await db.write_statement(partial(daos.login_throttle.refund, key=key, policy=policy))


def _seconds_until(moment: datetime) -> int:
    # Now, not when this attempt began: a concurrent attempt may have set the lock since.
    return max(1, math.ceil((moment - utcnow()).total_seconds()))
