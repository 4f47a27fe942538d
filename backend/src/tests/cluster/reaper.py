"""The test cluster's watchdog: when the process that started a cluster dies without
tearing it down (SIGKILL, a CI job's timeout), this kills every process started under
the cluster's directory and removes it.

etcd, Patroni and each postmaster run in sessions of their own (`patroni.py` kills them
by group), so nothing else takes them down with their owner. Each one names the cluster's
directory on its command line (a data directory, a configuration file); PostgreSQL's
backends, which rename theirs, exit on their own once their postmaster is gone.

    python reaper.py OWNER_PID DIRECTORY

Standard library only: it runs from its path, outside the backend's package.
"""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import signal
import sys
from pathlib import Path


def started_under(directory: str) -> list[int]:
    """The pids whose command line names `directory`, from /proc (this one excepted)."""
    needle, found = directory.encode(), []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            if needle in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
    return [pid for pid in found if pid != os.getpid()]


def main() -> int:
    owner, directory = int(sys.argv[1]), sys.argv[2]
    with contextlib.suppress(ProcessLookupError):  # already gone: clean up at once
        pidfd = os.pidfd_open(owner)
        select.select([pidfd], [], [])  # readable once the owner has exited
    if not Path(directory).exists():  # the owner tore the cluster down itself
        return 0
    for pid in started_under(directory):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
