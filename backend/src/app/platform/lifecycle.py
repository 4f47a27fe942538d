"""Whether this worker process has been told to stop.

Hypercorn drains a worker by waiting for its requests to finish, and tells the app
nothing until they have: a request that never ends on its own (an event stream) would
hold the drain for the whole graceful timeout. The supervisors that start workers
(`app.server`, `app.devserver`) hand their stop event to `watch`; the broker
(`app.live.broker`) polls `stopping()` and ends its streams, and their clients reconnect to
another replica.
"""

from __future__ import annotations

import gc
from typing import Protocol

# Allocations (net of frees) between two young-generation collections: CPython's
# default is 700.
GC_YOUNG_THRESHOLD = 20_000


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


def settle_after_start_up() -> None:
    """A server worker's collector settings, once start-up is done.

    Everything start-up made (modules, schemas, routes, the pool) lives as long as the
    process: frozen out of the collector's sight, a full collection walks only what
    requests make, and its pauses stop showing in the tail latency. Objects made later
    that live long too (open event streams, 300 each) are what the young-generation
    threshold is for: at 700 allocations, a request's short-lived objects were promoted
    often enough to make full collections walk every stream; at GC_YOUNG_THRESHOLD they
    die young instead (docs/performance.md). The benchmark's reference servers call it
    too (bench/floors.py, bench/ceiling.py), so that every server it measures runs with
    the same settings.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD)
