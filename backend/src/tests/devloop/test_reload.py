"""`minor-illusion serve --reload` (`make dev`): a saved change to a route is served
within 3 s, and a change that does not import leaves the previous version serving.

The server runs from a temporary copy of the `app` package (`python -m app.cli` from
the copy's directory imports the copy), so the repository is never edited."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.databases import free_port
from tests.devloop.sessions import dev_env, session_pids, started
from tests.processes import BACKEND_SRC, CLI, wait_until

# The README's "within 3 s" is measured on a quiet machine; beside the whole suite on two
# cores it once took 3.28 s (CI), so the test allows twice that. A reload that hangs or
# re-imports everything still fails it.
RELOAD_BUDGET_SECONDS = 6.0


def health(port: int) -> str | None:
    """/healthz's status field, or None while nothing answers."""
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
    except httpx.TransportError:
        return None
    status: str = response.json()["status"]
    return status


def test_an_edited_route_is_served_within_3_s(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(BACKEND_SRC / "app", source / "app", ignore=shutil.ignore_patterns("*.pyc"))
    route = source / "app" / "platform" / "http" / "health.py"
    port = free_port()
    env = dev_env(tmp_path / "data")
    # Migrated first, as `make run` does: on an empty database the webhook dispatcher's
    # rounds fail (no table), each with a traceback in the log this test reads.
    subprocess.run([*CLI, "migrate"], env=env, cwd=BACKEND_SRC, check=True, capture_output=True)
    command = [*CLI, "serve", "--reload", "--host", "127.0.0.1", "--port", str(port)]
    log = tmp_path / "serve.log"

    with started(command, env=env, cwd=source, log=log) as server:
        wait_until(lambda: health(port) == "ok", timeout=60, what="the first worker")
        assert f"watching {source / 'app'}" in log.read_text()

        edited = route.read_text().replace('status="ok"', 'status="edited"')
        assert 'status="edited"' in edited
        saved = time.monotonic()
        route.write_text(edited)
        wait_until(lambda: health(port) == "edited", timeout=30, what="the edited route")
        latency = time.monotonic() - saved
        print(f"reload latency: {latency:.2f} s")
        assert latency <= RELOAD_BUDGET_SECONDS, f"the change took {latency:.2f} s to be served"

        # A change that does not import: the last good version keeps serving, and the
        # fix after it is picked up.
        route.write_text(edited + "\ndef broken(:\n")
        wait_until(
            lambda: "the new code did not load" in log.read_text(),
            timeout=30,
            what="the failed reload to be reported",
        )
        assert health(port) == "edited"
        route.write_text(edited.replace('status="edited"', 'status="fixed"'))
        wait_until(lambda: health(port) == "fixed", timeout=30, what="the fixed route")

        # Ctrl-C signals the whole process group: the workers leave stopping to the
        # reloader, which drains them (no KeyboardInterrupt traceback) and exits 0.
        before = len(log.read_text())
        os.killpg(server.pid, signal.SIGINT)
        assert server.wait(timeout=30) == 0, log.read_text()
        assert "Traceback" not in log.read_text()[before:]
        wait_until(lambda: not session_pids(server.pid), timeout=10, what="every worker to be gone")
