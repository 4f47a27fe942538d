"""The processes the scale-out tests start and stop: backend replicas, nginx, PostgreSQL.

Each is a context manager that leaves nothing running behind it, whatever the test did.
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
import pytest
from sqlalchemy.engine import URL, make_url

from tests.databases import free_port, postgres_required

REPO_ROOT = Path(__file__).resolve().parents[4]
BACKEND_SRC = REPO_ROOT / "backend" / "src"
NGINX_TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "default.conf.template"
COMPOSE_FILE = REPO_ROOT / "docker-compose.yaml"

CLI = [sys.executable, "-m", "app.cli"]
# Every replica gets the same secret: a token signed by one must verify on the other.
SHARED_SECRET = "scale-out-shared-secret-" + "s" * 32
APT_PACKAGES = "nginx gettext-base postgresql"


# --- prerequisites -----------------------------------------------------------------------
def missing(what: str) -> NoReturn:
    """A prerequisite is absent: a failure on CI, a skip (with the reason) elsewhere."""
    message = f"{what}; on Debian: apt-get install -y {APT_PACKAGES}"
    if postgres_required():
        pytest.fail(message)
    pytest.skip(message)


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
    )
    env.update(overrides)
    return env


def run_cli(*args: str, env: Mapping[str, str]) -> None:
    result = subprocess.run(
        [*CLI, *args], env=dict(env), cwd=BACKEND_SRC, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"minor-illusion {' '.join(args)} failed:\n{result.stderr}"


@dataclass
class Backend:
    """One `minor-illusion serve` replica on 127.0.0.1.

    Hypercorn runs it as a supervisor process and a worker process it spawns, both in the
    process group this harness starts, so "the replica" is that group: SIGTERM goes to
    the supervisor (as `docker stop` signals PID 1), SIGKILL to the whole group (as
    `docker kill` ends a container). /healthz reports the worker's pid."""

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

    def terminate(self, timeout: float = 30) -> int:
        """SIGTERM, then wait for the exit code."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
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


# --- nginx -------------------------------------------------------------------------------
def render_nginx_template(values: Mapping[str, str]) -> str:
    """Render deploy/nginx/default.conf.template as the official nginx image does:
    envsubst, restricted to the named variables so nginx's own $variables survive."""
    envsubst = find_binary("envsubst")
    shell_format = " ".join(f"${{{name}}}" for name in values)
    result = subprocess.run(
        [envsubst, shell_format],
        input=NGINX_TEMPLATE.read_text(),
        env={"PATH": os.environ.get("PATH", ""), **values},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


# The image's /etc/nginx/nginx.conf, reduced to what a private, unprivileged-path
# instance needs; the rendered template is included inside `http {}` as in the image.
_NGINX_MAIN_CONF = """\
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log info;
events {{
    worker_connections 512;
}}
http {{
    client_body_temp_path {prefix}/temp/client_body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;
    include {prefix}/conf.d/*.conf;
}}
"""


@dataclass
class Nginx:
    process: subprocess.Popen[bytes]
    port: int
    prefix: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.prefix / "access.log"

    def access_lines(self) -> list[str]:
        return self.access_log.read_text().splitlines() if self.access_log.exists() else []

    def wait_for_access_line(self, text: str, timeout: float = 5) -> str:
        """The access line holding `text`. nginx writes it once the response has gone
        out, so a client can see the response a moment before the line exists."""
        found: list[str] = []

        def logged() -> bool:
            found[:] = [line for line in self.access_lines() if text in line]
            return bool(found)

        wait_until(logged, timeout=timeout, what=f"nginx to log {text!r}")
        return found[0]

    def error_log(self) -> str:
        path = self.prefix / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def nginx_config(prefix: Path, port: int, backends: tuple[str, str]) -> Path:
    """Write nginx.conf plus the rendered template into `prefix`; return nginx.conf."""
    (prefix / "conf.d").mkdir(parents=True, exist_ok=True)
    (prefix / "temp").mkdir(exist_ok=True)
    rendered = render_nginx_template(
        {
            "LISTEN_PORT": f"127.0.0.1:{port}",
            "BACKEND_1": backends[0],
            "BACKEND_2": backends[1],
            "ACCESS_LOG": str(prefix / "access.log"),
        }
    )
    (prefix / "conf.d" / "default.conf").write_text(rendered)
    main = prefix / "nginx.conf"
    main.write_text(_NGINX_MAIN_CONF.format(prefix=prefix))
    return main


def nginx_test_config(config: Path) -> subprocess.CompletedProcess[str]:
    nginx = find_binary("nginx", "/usr/sbin/nginx")
    return subprocess.run(
        [nginx, "-t", "-p", str(config.parent), "-e", "stderr", "-c", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
    )


@contextmanager
def running_nginx(backends: tuple[str, str]) -> Iterator[Nginx]:
    """nginx on a free port, proxying to the two host:port `backends`."""
    nginx = find_binary("nginx", "/usr/sbin/nginx")
    # Not pytest's tmp_path: when root starts nginx its workers run as `nobody`, which
    # must be able to reach the prefix (pytest's base directory is private to its user).
    prefix = Path(tempfile.mkdtemp(prefix="mi-nginx-"))
    prefix.chmod(0o755)
    port = free_port()
    config = nginx_config(prefix, port, backends)
    checked = nginx_test_config(config)
    assert checked.returncode == 0, f"nginx -t rejected the rendered template:\n{checked.stderr}"
    process = subprocess.Popen(
        [nginx, "-p", str(prefix), "-e", "stderr", "-c", str(config), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    proxy = Nginx(process, port, prefix)
    try:
        wait_until(lambda: port_open(port), timeout=15, what="nginx to listen")
        yield proxy
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful stop
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


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
