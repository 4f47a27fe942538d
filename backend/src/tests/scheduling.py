"""How `make test` spreads the backend suite over its processes (pytest-xdist).

Two things keep the slowest part from starting last and running alone at the end:

- `start_slowest_first`: the files that start servers, a browser or a fuzzer run before
  the many quick ones (a stable sort: a file's own order is kept).
- `FileAndEngineScheduling`: `--dist loadfile`, except that the fuzzer's runs on each
  database engine are separate units, so its SQLite and PostgreSQL halves (each with a
  server of its own) run in two processes at once. Only the fuzzer's: split the same way,
  the API suites' bursts of 50 requests on PostgreSQL and on the cockroachdb dialect ran
  at the same time in three processes and took every one of the shared server's 100
  connections.
"""

from __future__ import annotations

import re

import pytest
from xdist.scheduler import LoadScopeScheduling

# Measured with `pytest --junitxml` (docs/how-to/testing.md): each of these takes from
# tens of seconds to minutes of one process, most of the suite's files a few seconds.
SLOWEST_FIRST = (
    "tests/cluster/",
    "tests/fuzz/",
    "tests/docs/test_tutorials.py",
    "tests/docs/",
    "tests/api/test_graceful_shutdown.py",
    "tests/notebooks/",
    "tests/scaleout/",
    "tests/devloop/",
    "tests/api/test_live_server.py",
    "tests/telemetry/",
    "tests/sessions/",  # 1 000 log-ins per engine: ~30 s on each PostgreSQL dialect
)
SPLIT_BY_ENGINE = ("tests/fuzz/",)
ENGINE_IN_TEST_ID = re.compile(r"[\[\-](sqlite|postgresql|cockroachdb|cockroach)[\]\-]")


def start_slowest_first(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        for position, prefix in enumerate(SLOWEST_FIRST):
            if item.nodeid.startswith(prefix):
                return position
        return len(SLOWEST_FIRST)

    items.sort(key=rank)


# pytest-xdist has type hints but no py.typed marker: to mypy its classes are Any.
class FileAndEngineScheduling(LoadScopeScheduling):  # type: ignore[misc]
    """A unit of work is a test file (of `SPLIT_BY_ENGINE`: a file on one engine); units
    go out in collection order (`start_slowest_first`)."""

    def __init__(self, config: pytest.Config, log: object = None) -> None:
        config.option.loadscopereorder = False
        super().__init__(config, log)

    def _split_scope(self, nodeid: str) -> str:
        path, _, test = nodeid.partition("::")
        engine = ENGINE_IN_TEST_ID.search(test) if path.startswith(SPLIT_BY_ENGINE) else None
        return f"{path}[{engine.group(1)}]" if engine else path
