"""What the account routes get injected."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.password_guard import PasswordGuard
from app.platform.http.deps import ClientAddress, DatabaseDep, SettingsDep


async def password_guard(
    db: DatabaseDep, settings: SettingsDep, address: ClientAddress
) -> PasswordGuard:
    return PasswordGuard(db, settings, address)


PasswordGuardDep = Annotated[PasswordGuard, Depends(password_guard)]
