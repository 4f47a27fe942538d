"""Coarse "last used" bookkeeping: whether a use of something (a personal access token,
a session) is due to be written down, at most once per interval and process however
busy it is. Checked and set before the caller awaits anything, so a burst of requests
writes once."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta


class UseRecorder:
    def __init__(self, precision: timedelta, *, bound: int = 10_000) -> None:
        self.precision = precision
        self.bound = bound
        self._recorded: dict[uuid.UUID, float] = {}  # id -> when this process last wrote it

    def due(self, key: uuid.UUID) -> bool:
        """Whether this use should be written (and, if so, it counts as written now)."""
        now = time.monotonic()
        if now - self._recorded.get(key, -1e9) < self.precision.total_seconds():
            return False
        self.mark(key, now)
        return True

    def mark(self, key: uuid.UUID, now: float | None = None) -> None:
        """Count a use as written now (e.g. a row just created with it)."""
        self._recorded[key] = time.monotonic() if now is None else now
        if len(self._recorded) > self.bound:  # forget the oldest half: a bound, not a policy
            for stale in sorted(self._recorded, key=self._recorded.__getitem__)[: self.bound // 2]:
                del self._recorded[stale]

    def forget(self) -> None:
        """Forget every use (tests: the next use of each is written)."""
        self._recorded.clear()
