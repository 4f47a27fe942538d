"""Fixtures for the documentation tests. Contents:

1. `site` — the site, built strictly from the working tree into a temporary directory
   (so the tests see the pages as they are now), with the inputs `make docs` prepares:
   the vendored mermaid and the executed notebooks (`make docs-inputs`).
2. `served_site` — that site over HTTP on 127.0.0.1, on a free port.
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.processes import BACKEND_SRC, REPO_ROOT


# 1 ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "PYTHONPATH": str(BACKEND_SRC), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"mkdocs build --strict (run `make docs-inputs` first?):\n{result.stderr}"
    )
    return out


# 2 ---------------------------------------------------------------------------------------
class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No line per request in the test output."""


@pytest.fixture(scope="session")
def served_site(site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
