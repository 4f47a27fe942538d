"""The cluster's watchdog (reaper.py): a cluster whose owner is SIGKILLed does not keep
running. The first test stands in processes of its own for the cluster's (seconds); the
second kills `make cluster` for real (a cluster's formation: ~20 s)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cluster import reaper
from tests.processes import wait_until

REAPER = Path(reaper.__file__)
SLEEPER = "import time, sys; time.sleep(600)"


def test_the_processes_named_under_the_directory_die_with_their_owner(tmp_path: Path) -> None:
    directory = tmp_path / "mi-patroni-test"
    directory.mkdir()
    owner = subprocess.Popen([sys.executable, "-c", SLEEPER])
    # Sessions of their own, as etcd, Patroni and the postmasters run: the owner's death
    # alone would not reach them.
    started = [
        subprocess.Popen(
            [sys.executable, "-c", SLEEPER, f"--data-dir={directory}/{name}"],
            start_new_session=True,
        )
        for name in ("etcd", "pg0")
    ]
    bystander = subprocess.Popen([sys.executable, "-c", SLEEPER, str(tmp_path / "elsewhere")])
    watchdog = subprocess.Popen(
        [sys.executable, str(REAPER), str(owner.pid), str(directory)], start_new_session=True
    )
    try:
        time.sleep(0.5)
        assert all(p.poll() is None for p in [*started, watchdog]), "nothing is reaped early"
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        assert watchdog.wait(timeout=10) == 0
        assert [p.wait(timeout=5) for p in started] == [-signal.SIGKILL] * 2
        assert not directory.exists()
        assert bystander.poll() is None, "a process outside the directory is left alone"
    finally:
        for process in [owner, *started, bystander, watchdog]:
            process.kill()
            process.wait()


def test_a_killed_make_cluster_leaves_nothing_running() -> None:
    cluster = subprocess.Popen(
        [sys.executable, "-m", "tests.cluster.patroni"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert cluster.stdout is not None
    try:
        lines: list[str] = []
        for line in cluster.stdout:
            lines.append(line)
            if line.startswith("formed in"):
                break
        base = lines[-1].rsplit(" in ", 1)[1].strip()
        assert Path(base).is_dir(), "".join(lines)
        assert len(reaper.started_under(base)) >= 5, "etcd, three Patronis and postmasters"
        os.kill(cluster.pid, signal.SIGKILL)
        cluster.wait()
        wait_until(lambda: not Path(base).exists(), timeout=30, what="the cluster's removal")
        wait_until(
            lambda: not reaper.started_under(base), timeout=10, what="the cluster's processes"
        )
    finally:
        cluster.kill()
        cluster.wait()
