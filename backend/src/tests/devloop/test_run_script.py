"""scripts/run.sh, which `make run`, `make dev` and `make debug` execute: a busy port is
reported before anything starts; Ctrl-C (or SIGTERM) stops both servers and exits 0;
a server that dies on its own ends the run with a non-zero status.

The running cases use `--dev` (`make dev`): `make run` differs only in serving the
production build, which would first cost a `next build` here."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

from tests.databases import free_port, unavailable
from tests.devloop.sessions import dev_env, session_pids, started
from tests.processes import REPO_ROOT, port_open, wait_until

RUN_SH = REPO_ROOT / "scripts" / "run.sh"
BANNER = "minor-illusion is starting"


def script_env(tmp_path: Path, backend_port: int, frontend_port: int) -> dict[str, str]:
    return dev_env(
        tmp_path / "data", BACKEND_PORT=str(backend_port), FRONTEND_PORT=str(frontend_port)
    )


@pytest.mark.parametrize("busy", ["BACKEND_PORT", "FRONTEND_PORT"])
def test_a_busy_port_is_reported_before_anything_starts(tmp_path: Path, busy: str) -> None:
    ports = {"BACKEND_PORT": free_port(), "FRONTEND_PORT": free_port()}
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", ports[busy]))
        occupant.listen()
        result = subprocess.run(
            [str(RUN_SH), "--dev"],
            env=script_env(tmp_path, ports["BACKEND_PORT"], ports["FRONTEND_PORT"]),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode != 0
    assert f"port {ports[busy]} is busy" in result.stderr
    assert f"make dev {busy}={ports[busy] + 1}" in result.stderr
    assert BANNER not in result.stdout
    assert not (tmp_path / "data").exists(), "nothing may start, not even the migration"


@pytest.mark.parametrize("ending", ["ctrl-c", "sigterm", "backend dies"])
def test_stopping_the_run(tmp_path: Path, ending: str) -> None:
    if not (REPO_ROOT / "frontend" / "node_modules" / ".installed").exists():
        unavailable("the frontend is not installed: make install-frontend")
    backend_port, frontend_port = free_port(), free_port()
    env = script_env(tmp_path, backend_port, frontend_port)
    log = tmp_path / "run.log"
    with started([str(RUN_SH), "--dev"], env=env, cwd=REPO_ROOT, log=log) as script:

        def serving() -> bool:
            """The script has started both servers and said so, and both listen."""
            assert script.poll() is None, f"run.sh ended early:\n{log.read_text()}"
            return (
                BANNER in log.read_text() and port_open(backend_port) and port_open(frontend_port)
            )

        wait_until(serving, timeout=180, what="run.sh's banner and both servers listening")

        if ending == "ctrl-c":  # the terminal signals the whole foreground group
            os.killpg(script.pid, signal.SIGINT)
        elif ending == "sigterm":  # systemd, `kill`: the script alone
            script.send_signal(signal.SIGTERM)
        else:
            backend = next(
                pid
                for pid in session_pids(script.pid)
                if b"--reload" in Path(f"/proc/{pid}/cmdline").read_bytes()
            )
            os.kill(backend, signal.SIGKILL)
        status = script.wait(timeout=60)

        if ending == "backend dies":
            assert status != 0, log.read_text()
            assert "a process ended on its own" in log.read_text()
        else:
            assert status == 0, log.read_text()
            assert "Traceback" not in log.read_text()
        wait_until(
            lambda: not session_pids(script.pid), timeout=15, what="every process to be gone"
        )
        assert not port_open(backend_port)
        assert not port_open(frontend_port)
