"""Processes the developer-loop tests start: each in a session of its own, so everything
it spawns (workers, the debug adapter, Next.js) can be found afterwards and nothing is
left behind, whatever the test did."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

# What a developer's shell might carry that would point a test's server elsewhere.
FOREIGN = {"DATABASE_URL", "DB_DSN", "SECRET_KEY", "PYTHONPATH", "DEBUG", "DEBUG_WAIT"}


def dev_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """`make run`'s environment: dev mode, the embedded SQLite database in `data_dir`."""
    env = {key: value for key, value in os.environ.items() if key not in FOREIGN}
    env.update(DATA_DIR=str(data_dir), DEV_MODE="1", HOST="127.0.0.1")
    env.update(overrides)
    return env


def session_pids(session: int) -> list[int]:
    """Every live process of `session` (field 6 of /proc/<pid>/stat), zombies excluded."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z" and int(fields[3]) == session:
                found.append(int(stat.parent.name))
    return found


@contextmanager
def started(
    command: Sequence[str], *, env: Mapping[str, str], cwd: Path, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` as the leader of a new session; on exit, SIGKILL to whatever of the
    session is still there."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            list(command),
            env=dict(env),
            cwd=cwd,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        for pid in session_pids(process.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
