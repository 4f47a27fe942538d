"""Housekeeping: deleting rows nothing can use any more (expired invitations, expired
share links), every few minutes, in every process.

Each job is one DELETE of rows past a time, so running it in several replicas at once
is harmless: they delete the same rows, and what one deleted the others skip. That is
why there is no lease here, unlike the webhook dispatcher's (which must deliver each
message once). The jobs are the domains' (`app.main` hands them in): the platform knows
none of them.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Sequence

import structlog

from app.platform import lifecycle

log = structlog.get_logger(__name__)

Job = Callable[[], Awaitable[int]]  # deletes what is due, answers how many rows went


class Housekeeper:
    def __init__(self, jobs: Sequence[tuple[str, Job]], *, interval: float = 600.0) -> None:
        self.jobs = tuple(jobs)
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="housekeeping")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run_once(self) -> dict[str, int]:
        """Run every job once: how many rows each deleted (a failed job logs and
        counts -1; the others still run, and it runs again next round)."""
        deleted = {}
        for name, job in self.jobs:
            try:
                deleted[name] = await job()
            except Exception as exc:  # a database hiccup must not end the loop
                log.warning("housekeeping_failed", job=name, error=type(exc).__name__)
                deleted[name] = -1
            else:
                if deleted[name]:
                    log.info("housekeeping", job=name, deleted=deleted[name])
        return deleted

    async def _run(self) -> None:
        while not lifecycle.stopping():
            # Jittered: replicas started together do not all sweep at the same moment.
            await asyncio.sleep(self.interval * random.uniform(0.5, 1.0))  # noqa: S311
            await self.run_once()
