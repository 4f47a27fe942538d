"""The developer's ways to serve (`make dev`, `make debug`): `serve_reloading`, one
worker restarted on every saved change, and `serve_debuggable`, one process under
debugpy. Production serving is `app.server`'s supervisor.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import threading
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from multiprocessing.context import ForkServerProcess
from multiprocessing.synchronize import Event
from pathlib import Path
from types import FrameType

from hypercorn.config import Config, Sockets

from app.platform import lifecycle

# --- `serve --reload` --------------------------------------------------------------------
# One worker at a time, restarted when a source file of the `app` package changes. The
# listening socket belongs to this process and outlives the workers, so a request sent
# during a restart waits in the backlog instead of being refused. The next worker is
# started before the previous one stops and takes over once it has imported the app: a
# change that does not import (a syntax error) leaves the previous version serving.

RELOAD_POLL_SECONDS = 0.2
RELOAD_PRELOAD = [
    *("fastapi", "pydantic", "pydantic_settings", "sqlalchemy.ext.asyncio", "sqlmodel"),
    *("alembic", "structlog", "hypercorn.asyncio.run", "aiosqlite", "asyncpg", "jwt"),
    *("pwdlib", "orjson", "uvloop", "sqlalchemy_cockroachdb"),
]


@dataclass
class _Generation:
    """One worker of `serve --reload`, with the events it shares with this process."""

    process: ForkServerProcess
    shutdown: Event
    loaded: Event

    def stop(self, timeout: float) -> None:
        self.shutdown.set()
        self.process.join(timeout)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def serve_reloading(config: Config) -> int:
    """Serve with one worker, replaced after each change to `app/`, until a stop signal
    (SIGINT, SIGTERM, SIGHUP); then 0. A worker that dies is replaced on the next change."""
    from app.server import STOP_SIGNALS

    package = Path(_module_file("app")).parent
    # Workers are forked from a server process that has imported the libraries once
    # (never `app`): a restart imports only the app's own modules, which keeps it quick.
    context = get_context("forkserver")
    context.set_forkserver_preload(RELOAD_PRELOAD)
    sockets = config.create_sockets()
    # Only this process holds the writing end: a worker sees EOF once it is gone.
    alive, _alive_writer = context.Pipe(duplex=False)
    stop_read, stop_write = os.pipe()
    os.set_blocking(stop_write, False)
    signal.set_wakeup_fd(stop_write)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _recorded_on_the_wakeup_fd)

    def start() -> _Generation:
        shutdown, loaded = context.Event(), context.Event()
        process = context.Process(
            target=_reloaded_worker,
            kwargs={
                "config": config,
                "sockets": sockets,
                "shutdown": shutdown,
                "loaded": loaded,
                "reloader": alive,
            },
        )
        # Started with the stop signals blocked (the mask is inherited): Ctrl-C reaches
        # the whole process group, and only this process decides when a worker stops.
        # The fork server, started by the first worker, keeps the mask for all of them.
        # (The events exist first: creating the first one starts multiprocessing's
        # resource tracker, which unblocks SIGINT and SIGTERM once it has started.)
        unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            process.start()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        return _Generation(process, shutdown, loaded)

    def say(message: str) -> None:
        print(f"minor-illusion serve --reload: {message}", file=sys.stderr, flush=True)

    say(f"watching {package} for changes")
    serving: _Generation | None = None
    candidate: _Generation | None = start()
    sources = _sources(package)
    try:
        while not wait([stop_read], timeout=RELOAD_POLL_SECONDS):
            if candidate is not None and candidate.loaded.is_set():
                if serving is not None:
                    serving.stop(config.graceful_timeout)
                serving, candidate = candidate, None
            elif candidate is not None and not candidate.process.is_alive():
                still = "the previous version still serves" if serving else "nothing serves"
                say(f"the new code did not load ({still}); save a fix to try again")
                candidate = None
            if serving is not None and not serving.process.is_alive():
                say(f"the worker exited ({serving.process.exitcode}); save a change to restart")
                serving = None
            changed = _sources(package)
            if changed != sources:
                say(f"reloading: {_difference(sources, changed)} changed")
                sources = changed
                if candidate is not None:
                    candidate.stop(config.graceful_timeout)
                candidate = start()
    finally:
        for generation in (candidate, serving):
            if generation is not None:
                generation.stop(config.graceful_timeout)
        for sock in sockets.insecure_sockets:
            sock.close()
    return 0


def _reloaded_worker(
    config: Config, sockets: Sockets, shutdown: Event, loaded: Event, reloader: Connection
) -> None:
    """A worker of `serve --reload`, forked before the app was imported: imports it (the
    fallible part), says so, then serves until `shutdown` is set or the reloader is gone."""
    from hypercorn.asyncio.run import asyncio_worker, uvloop_worker

    # Whatever ends the reloading process (even SIGKILL) ends its worker too.
    threading.Thread(target=_set_at_eof, args=(reloader, shutdown), daemon=True).start()
    importlib.import_module("app.main")
    loaded.set()
    worker = uvloop_worker if config.worker_class == "uvloop" else asyncio_worker
    lifecycle.watch(shutdown)
    worker(config=config, sockets=sockets, shutdown_event=shutdown)


def _set_at_eof(connection: Connection, event: Event) -> None:
    """`connection` is readable (at EOF) once the process holding its other end is gone."""
    wait([connection])
    event.set()


def _sources(package: Path) -> dict[Path, int]:
    """Every Python source of the package with its modification time."""
    found = {}
    for path in package.rglob("*.py"):
        try:
            found[path] = path.stat().st_mtime_ns
        except FileNotFoundError:  # deleted while we looked (an editor's temporary file)
            continue
    return found


def _difference(before: dict[Path, int], after: dict[Path, int]) -> str:
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    return ", ".join(p.name for p in changed[:3]) + (" …" if len(changed) > 3 else "")


def _module_file(name: str) -> str:
    file = importlib.import_module(name).__file__
    assert file is not None
    return file


def _recorded_on_the_wakeup_fd(signum: int, frame: FrameType | None) -> None:
    """Python writes the signal number to the wakeup fd before calling this."""


# --- `serve --debugpy` -------------------------------------------------------------------
def serve_debuggable(config: Config, address: tuple[str, int], *, wait_for_client: bool) -> int:
    """Serve in this one process (no worker processes, no reload: the process a debugger
    attaches to is the one that answers) with debugpy listening on `address`."""
    import debugpy
    from hypercorn.asyncio.run import asyncio_worker

    host, port = address
    try:
        debugpy.listen((host, port))
    except (RuntimeError, OSError) as exc:
        print(
            f"minor-illusion: the debugger cannot listen on {host}:{port} ({exc}); "
            "is another debug session running? Choose another port with --debugpy",
            file=sys.stderr,
        )
        return 1
    print(f"debugpy: listening on {host}:{port} (attach a debugger to it)", flush=True)
    if wait_for_client:
        print("debugpy: waiting for a debugger to attach …", flush=True)
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            debugpy.wait_for_client()
        except KeyboardInterrupt:
            return 0
    # asyncio rather than uvloop: the debugger's asyncio support (await in the debug
    # console, task inspection) expects the standard loop. SIGINT and SIGTERM drain.
    asyncio_worker(config)
    return 0
