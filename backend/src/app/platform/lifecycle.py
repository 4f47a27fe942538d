"""Whether this worker process has been told to stop.

Hypercorn drains a worker by waiting for its requests to finish, and tells the app
nothing until they have: a request that never ends on its own (an event stream) would
hold the drain for the whole graceful timeout. The supervisors that start workers
(`app.server`, `app.devserver`) hand their stop event to `watch`; the broker
(`app.live.broker`) polls `stopping()` and ends its streams, and their clients reconnect to
another replica.
"""

from __future__ import annotations

from typing import Protocol


class _Flag(Protocol):
    def is_set(self) -> bool: ...


_stop: _Flag | None = None


def watch(stop: _Flag) -> None:
    """Use `stop` (a multiprocessing Event the supervisor sets) as this process's flag."""
    global _stop
    _stop = stop


def stopping() -> bool:
    return _stop is not None and _stop.is_set()


def in_worker() -> bool:
    """Whether this process is a server's worker (rather than, say, a test's app)."""
    return _stop is not None
