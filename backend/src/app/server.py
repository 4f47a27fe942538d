"""Runs Hypercorn's workers under a supervisor that alone decides when they stop.

Hypercorn's own supervisor (`hypercorn.run.run`) spawns workers that die on SIGTERM:
sent to the whole process group (systemd's default, `kill -- -PGID`), the signal killed
each worker with its requests in flight. Here the workers start with the stop signals
blocked (a spawned process inherits the signal mask), so they never receive them. The
supervisor takes them, sets the shutdown event every worker polls, and each worker stops
accepting, finishes its requests (up to `graceful_timeout`) and exits. Wherever the
signal is sent, the result is the same drain.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from multiprocessing import get_context
from multiprocessing.connection import wait
from multiprocessing.synchronize import Event
from pathlib import Path
from types import FrameType

from hypercorn.asyncio.run import asyncio_worker, uvloop_worker
from hypercorn.config import Config, Sockets

from app.platform import lifecycle
from app.platform.telemetry import metrics

# SIGHUP (a closed terminal, `kill -HUP`) too: left to its default it would kill the supervisor
# alone and leave its workers serving, with nothing to stop them but SIGKILL.
STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}


def serve(config: Config, *, metrics_dir: Path | None = None, with_metrics: bool = False) -> int:
    """Serve with `config.workers` worker processes until a stop signal, or until a
    worker exits on its own (it crashed: the others are stopped too). Returns the
    exit status: 0 after a clean drain, else the first failed worker's.

    `with_metrics`: the workers record Prometheus metrics into one directory (
    `metrics_dir`, emptied first; else a temporary one), prepared here before they
    start so that every worker, whichever answers a scrape, reports all of them."""
    directory, created = (
        metrics.prepare_multiprocess_dir(metrics_dir) if with_metrics else (None, False)
    )
    try:
        return _supervise(config)
    finally:
        if directory is not None and created:
            metrics.remove_multiprocess_dir(directory)


def _supervise(config: Config) -> int:
    worker = uvloop_worker if config.worker_class == "uvloop" else asyncio_worker
    context = get_context("spawn")
    shutdown = context.Event()
    sockets = config.create_sockets()

    # A signal is only recorded on this pipe, which wakes `wait` below: the handler
    # itself does nothing, so it cannot interrupt the supervisor halfway through a step.
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    for signum in STOP_SIGNALS:
        signal.signal(signum, _recorded_on_the_wakeup_fd)

    # Blocked while the workers are spawned, so they inherit the block; a signal that
    # arrives meanwhile stays pending and is delivered here once unblocked.
    unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    workers = [
        context.Process(
            target=_worker,
            kwargs={"serve": worker, "config": config, "sockets": sockets, "shutdown": shutdown},
        )
        for _ in range(config.workers)
    ]
    for process in workers:
        process.start()
    signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
    # The workers hold their own copies. Once they stop listening the port is closed,
    # so new connections are refused (a proxy tries another replica) instead of queued.
    _close(sockets)

    wait([wake_read, *(process.sentinel for process in workers)])
    shutdown.set()
    for process in workers:
        process.join()
        if process.pid is not None:
            metrics.worker_exited(process.pid)
    return next((_exit_status(p.exitcode) for p in workers if p.exitcode), 0)


def _worker(serve: Callable[..., None], config: Config, sockets: Sockets, shutdown: Event) -> None:
    """One worker: Hypercorn's, with the stop event also where the app can see it."""
    lifecycle.watch(shutdown)
    serve(config=config, sockets=sockets, shutdown_event=shutdown)


def _recorded_on_the_wakeup_fd(signum: int, frame: FrameType | None) -> None:
    """Python writes the signal number to the wakeup fd before calling this."""


def _close(sockets: Sockets) -> None:
    for sock in [*sockets.secure_sockets, *sockets.insecure_sockets, *sockets.quic_sockets]:
        sock.close()


def _exit_status(exitcode: int | None) -> int:
    """A worker killed by signal N reports -N; a shell reports it as 128 + N."""
    assert exitcode is not None
    return exitcode if exitcode > 0 else 128 - exitcode
