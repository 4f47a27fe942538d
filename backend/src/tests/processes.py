"""Processes tests start and stop: backend servers (through the CLI, as an operator runs
them) and private PostgreSQL clusters. Each is a context manager that leaves nothing
running behind it, whatever the test did. The scale-out tests, the notebook tests, the
live-server test and the benchmark harness all start their processes through here.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx
from sqlalchemy.engine import URL, make_url

from tests.databases import free_port, unavailable

REPO_ROOT = Path(__file__).resolve().parents[3]
BACKEND_SRC = REPO_ROOT / "backend" / "src"
CLI = [sys.executable, "-m", "app.cli"]
# Every backend a test starts gets the same secret: a token signed by one replica must
# verify on another.
SHARED_SECRET = "test-shared-secret-" + "s" * 32
# Connections per pool of a server a test starts (two pools per worker process): see
# `tests.conftest.TEST_POOL_SIZE` for the budget they share.
SERVER_POOL_SIZE = 4
APT_PACKAGES = "nginx gettext-base postgresql"


# --- prerequisites -----------------------------------------------------------------------
def missing(what: str) -> NoReturn:
    """A program the test needs is absent (see `unavailable`)."""
    unavailable(f"{what}; on Debian: apt-get install -y {APT_PACKAGES}")


def _version_key(path: str) -> tuple[int, ...]:
    """/usr/lib/postgresql/15/bin/initdb -> (15,): prefer the newest server version."""
    return tuple(int(part) for part in Path(path).parts if part.isdigit())


def find_binary(name: str, *fallbacks: str) -> str:
    """`name` on PATH, else the newest match of the glob patterns in `fallbacks`."""
    found = shutil.which(name)
    if found:
        return found
    for pattern in fallbacks:
        matches = sorted(glob.glob(pattern), key=_version_key, reverse=True)
        for candidate in matches:
            if os.access(candidate, os.X_OK):
                return candidate
    missing(f"`{name}` was not found on PATH or in {', '.join(fallbacks) or 'no other place'}")


def wait_until(
    condition: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- backend replicas --------------------------------------------------------------------
def backend_env(database_url: str, data_dir: Path, **overrides: str) -> dict[str, str]:
    """The environment of one `minor-illusion serve` process, production-like (no dev mode)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DB_DSN", "SECRET_KEY", "DEV_MODE"}
    }
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=SHARED_SECRET,
        DEV_MODE="0",
        DATA_DIR=str(data_dir),
        LOGS_AS_JSON="1",
        DB_CONNECT_TIMEOUT="30",
        DB_POOL_SIZE=str(SERVER_POOL_SIZE),
    )
    env.update(overrides)
    return env


def migrated_env(database_url: str, data_dir: Path, **overrides: str) -> dict[str, str]:
    """`backend_env` on a database `minor-illusion migrate` has brought to head."""
    env = backend_env(database_url, data_dir, **overrides)
    run_cli("migrate", env=env)
    return env


def run_cli(*args: str, env: Mapping[str, str]) -> None:
    result = subprocess.run(
        [*CLI, *args], env=dict(env), cwd=BACKEND_SRC, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"minor-illusion {' '.join(args)} failed:\n{result.stderr}"


@dataclass
class Backend:
    """One `minor-illusion serve` replica on 127.0.0.1.

    It runs as a supervisor process and the worker processes it spawns (app/server.py),
    all in the process group this harness starts, so "the replica" is that group:
    SIGTERM goes to the supervisor (as `docker stop` signals PID 1) unless a test asks
    for the whole group, SIGKILL to the whole group (as `docker kill` ends a container).
    /healthz reports the pid of the worker that answered."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    instance: str = ""  # hostname:pid as /healthz reports it, once it answered

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def address(self) -> str:
        """host:port, as nginx's upstream and $upstream_addr write it."""
        return f"127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.process.poll() is None

    def healthy(self) -> bool:
        try:
            response = httpx.get(f"{self.url}/healthz", timeout=1)
        except httpx.TransportError:
            return False
        if response.status_code != 200:
            return False
        self.instance = response.json()["instance"]
        return True

    def wait_healthy(self, timeout: float = 30) -> None:
        def ready() -> bool:
            if not self.alive():
                raise AssertionError(f"backend exited early:\n{self.log_text()}")
            return self.healthy()

        wait_until(ready, timeout=timeout, what=f"backend on :{self.port}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def log_events(self) -> list[dict[str, Any]]:
        """The JSON log lines (LOGS_AS_JSON=1), parsed."""
        events = []
        for line in self.log_text().splitlines():
            with contextlib.suppress(ValueError):
                event = json.loads(line)
                if isinstance(event, dict):
                    events.append(event)
        return events

    def count_events(self, name: str) -> int:
        return sum(1 for event in self.log_events() if event.get("event") == name)

    def wait_for_request_log(self, request_id: str, timeout: float = 5) -> None:
        """The access line is written as the response goes out: a client can have the
        response a moment before the line is in the file."""
        wait_until(
            lambda: any(e.get("request_id") == request_id for e in self.log_events()),
            timeout=timeout,
            what=f"the access line of request {request_id}",
        )

    def send_signal(self, signum: int, *, whole_group: bool = False) -> None:
        """To the supervisor alone (as `docker stop` signals PID 1), or to every process
        of the replica (systemd's default, `kill -- -PGID`). The group is the replica's
        own (see `running_backend`), never the test runner's."""
        if not whole_group:
            self.process.send_signal(signum)
            return
        assert os.getpgid(self.process.pid) != os.getpgrp(), "not the test runner's group"
        os.killpg(self.process.pid, signum)

    def terminate(self, timeout: float = 30, *, whole_group: bool = False) -> int:
        """SIGTERM, then wait for the exit code."""
        if self.alive():
            self.send_signal(signal.SIGTERM, whole_group=whole_group)
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL every process of the replica at once."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@contextmanager
def running_backend(
    env: Mapping[str, str],
    log_dir: Path,
    name: str,
    *,
    wait: bool = True,
    graceful_timeout: float = 10,
    workers: int = 1,
) -> Iterator[Backend]:
    port = free_port()
    log = log_dir / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                *CLI,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--graceful-timeout",
                str(graceful_timeout),
                "--workers",
                str(workers),
            ],
            env=dict(env),
            cwd=BACKEND_SRC,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: see Backend
        )
    backend = Backend(process, port, log)
    try:
        if wait:
            backend.wait_healthy()
        yield backend
    finally:
        if backend.alive():
            backend.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                backend.process.wait(timeout=15)
        backend.kill()  # whatever is left of the group


# --- a private PostgreSQL ----------------------------------------------------------------
PG_GLOB = "/usr/lib/postgresql/*/bin/{}"


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (initdb into a temp dir) on its own port, for tests
    that stop and start the database. The machine's shared server is never touched.

    PostgreSQL refuses to run as root; as root, the cluster belongs to the `postgres`
    OS user and every server command runs through `runuser -u postgres --`."""

    def __init__(self, base: Path) -> None:
        self.initdb = find_binary("initdb", PG_GLOB.format("initdb"))
        self.pg_ctl = find_binary("pg_ctl", PG_GLOB.format("pg_ctl"))
        self.base = base
        self.data = base / "data"
        self.logfile = base / "server.log"
        self.port = free_port()
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                missing("running as root needs the `postgres` OS user to own a private cluster")
            self._prefix = [find_binary("runuser", "/usr/sbin/runuser"), "-u", "postgres", "--"]
            os.chown(base, owner.pw_uid, owner.pw_gid)

    @property
    def admin_url(self) -> URL:
        return make_url(f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres")

    def _run(self, *command: str, timeout: float = 60) -> None:
        result = subprocess.run(
            [*self._prefix, *command], capture_output=True, text=True, timeout=timeout
        )
        if result.returncode != 0:
            log = self.logfile.read_text(errors="replace") if self.logfile.exists() else ""
            raise AssertionError(
                f"{Path(command[0]).name} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{log}"
            )

    def init(self) -> None:
        self._run(
            self.initdb,
            "--pgdata",
            str(self.data),
            "--auth=trust",
            "--username=postgres",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} "
            "-c fsync=off -c max_connections=100"
        )
        self._run(
            self.pg_ctl,
            "start",
            "--pgdata",
            str(self.data),
            "--log",
            str(self.logfile),
            "--wait",
            "--timeout=60",
            "-o",
            options,
        )

    def stop(self, mode: str = "fast") -> None:
        """`fast` disconnects sessions cleanly; `immediate` is a crash (recovery on start)."""
        self._run(
            self.pg_ctl, "stop", "--pgdata", str(self.data), "--mode", mode, "--wait", "-t", "60"
        )

    async def astop(self, mode: str = "fast") -> None:
        await asyncio.to_thread(self.stop, mode)

    async def astart(self) -> None:
        await asyncio.to_thread(self.start)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists() and port_open(self.port)

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Every process of the cluster stopped (SIGSTOP) and resumed on exit: a server
        that hangs rather than fails, as a hung host or a network partition looks to its
        clients. The kernel still accepts TCP connections; nothing answers them."""
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        pids = [postmaster, *_children(postmaster)]
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)


def _children(pid: int) -> list[int]:
    """The direct children of `pid` (PostgreSQL's backends and workers), from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:  # the field after the state is the parent's pid
                found.append(int(stat.parent.name))
    return found


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    base = Path(tempfile.mkdtemp(prefix="mi-pg-"))
    try:
        server = PrivatePostgres(base)
        server.init()
        server.start()
        try:
            yield server
        finally:
            if (server.data / "postmaster.pid").exists():
                server.stop("immediate")
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- pgbouncer ---------------------------------------------------------------------------
class Pgbouncer:
    """A pgbouncer (Debian's 1.18) in front of one PostgreSQL database, in transaction
    pooling mode with a deliberately small pool, so that clients share server
    connections transaction by transaction. Trust auth for the users the shared test
    server trusts; like PostgreSQL, it refuses to run as root."""

    POOL_SIZE = 2

    def __init__(self, base: Path, database: URL) -> None:
        self.binary = find_binary("pgbouncer", "/usr/sbin/pgbouncer")
        self.base = base
        self.database = database
        self.port = free_port()
        self.logfile = base / "pgbouncer.log"
        prefix: list[str] = []
        owner = None
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            prefix = [find_binary("runuser", "/usr/sbin/runuser"), "-u", "postgres", "--"]
        users = base / "users.txt"
        users.write_text(f'"{database.username}" ""\n')
        config = base / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"{database.database} = host={database.host} port={database.port or 5432} "
            f"dbname={database.database}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\n"
            f"pool_mode = transaction\ndefault_pool_size = {self.POOL_SIZE}\n"
            "max_client_conn = 500\n"
            f"logfile = {self.logfile}\n"
        )
        if owner is not None:
            for path in (base, users, config):
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self.command = [*prefix, self.binary, str(config)]

    @property
    def url(self) -> URL:
        """`database`, reached through the pooler."""
        return self.database.set(host="127.0.0.1", port=self.port)


@contextmanager
def running_pgbouncer(database: URL) -> Iterator[Pgbouncer]:
    base = Path(tempfile.mkdtemp(prefix="mi-pgbouncer-"))
    try:
        bouncer = Pgbouncer(base, database)
        process = subprocess.Popen(
            bouncer.command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(
                lambda: port_open(bouncer.port) or process.poll() is not None,
                timeout=10,
                what="pgbouncer to listen",
            )
            if process.poll() is not None:
                log = bouncer.logfile.read_text() if bouncer.logfile.exists() else ""
                raise AssertionError(f"pgbouncer exited ({process.returncode}):\n{log}")
            yield bouncer
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
    finally:
        shutil.rmtree(base, ignore_errors=True)
