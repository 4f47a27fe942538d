"""Processes the developer-loop tests start: each in a session of its own, so everything
it spawns (workers, the debug adapter, Next.js) can be found afterwards and nothing is
left behind, whatever the test did."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
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


# A terminal runs a command with SIGINT and SIGQUIT at their defaults. A test runner
# started in the background by a non-interactive shell (a CI script, `make test &`) has
# them ignored and would pass that on, and bash cannot trap a signal that was ignored
# when it started: run.sh would miss the Ctrl-C its servers stop on, and report them as
# ending on their own. This prelude restores the defaults, then becomes the command
# (same pid, same session).
AS_FROM_A_TERMINAL = [
    sys.executable,
    "-I",
    "-S",
    "-c",
    "import os, signal, sys\n"
    "for signum in (signal.SIGINT, signal.SIGQUIT): signal.signal(signum, signal.SIG_DFL)\n"
    "os.execvp(sys.argv[1], sys.argv[1:])",
]


@contextmanager
def started(
    command: Sequence[str], *, env: Mapping[str, str], cwd: Path, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`command` as the leader of a new session, with the signal dispositions a terminal
    gives it (`AS_FROM_A_TERMINAL`); on exit, SIGKILL to whatever of the session is
    still there."""
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*AS_FROM_A_TERMINAL, *command],
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
