"""What the scale-out tests add to tests/processes.py: nginx in front of replicas, and
the paths of the compose file and the nginx template."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.databases import free_port
from tests.processes import (
    REPO_ROOT,
    Backend,
    backend_env,
    find_binary,
    port_open,
    run_cli,
    running_backend,
    wait_until,
)

NGINX_TEMPLATE = REPO_ROOT / "deploy" / "nginx" / "default.conf.template"
COMPOSE_FILE = REPO_ROOT / "docker-compose.yaml"


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


# --- two replicas behind nginx -----------------------------------------------------------
@dataclass
class Cluster:
    one: Backend
    two: Backend
    proxy: Nginx


@contextmanager
def running_cluster(database_url: str, logs: Path, **overrides: str) -> Iterator[Cluster]:
    """Two `minor-illusion serve` replicas on one migrated database, behind nginx running
    the repository's config. Each replica gets its own DATA_DIR: nothing is shared but
    the database (and the SECRET_KEY, which both read from the environment)."""
    env_one = backend_env(database_url, logs / "data-one", **overrides)
    env_two = backend_env(database_url, logs / "data-two", **overrides)
    run_cli("migrate", env=env_one)
    with (
        running_backend(env_one, logs, "one") as one,
        running_backend(env_two, logs, "two") as two,
        running_nginx((one.address, two.address)) as proxy,
    ):
        yield Cluster(one, two, proxy)
