"""observability/ and the compose profile that runs it, checked without a Docker engine:
Prometheus scrapes exactly the replicas' metrics port, and every query of the alerts
and of the Grafana dashboard names metrics the app really exports (read from the app's
own registry, so renaming a metric without the dashboard fails here)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # (no stubs installed)
from prometheus_client import REGISTRY

from app.platform.telemetry import metrics
from tests.processes import REPO_ROOT
from tests.scaleout.harness import NGINX_TEMPLATE
from tests.scaleout.test_compose import compose

OBSERVABILITY = REPO_ROOT / "observability"
DASHBOARD = OBSERVABILITY / "grafana" / "dashboards" / "minor-illusion.json"
PROFILE_SERVICES = {"prometheus", "grafana", "jaeger"}
SUFFIXES = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum")}
METRIC_NAME = re.compile(r"\b(minor_illusion_[a-z_]+|up)\b")


def exported_names() -> set[str]:
    """The sample names the app's metrics produce (plus Prometheus's own `up`)."""
    names = {"up"}
    for family in REGISTRY.collect():
        if family.name.startswith(metrics.PREFIX):
            names.update(family.name + suffix for suffix in SUFFIXES[family.type])
    return names


def metric_names(expression: str) -> set[str]:
    return set(METRIC_NAME.findall(expression))


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    result = compose("--profile", "observability", "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    found: dict[str, Any] = json.loads(result.stdout)["services"]
    return found


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


def alert_expressions() -> list[str]:
    rules = yaml.safe_load((OBSERVABILITY / "prometheus" / "alerts.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def test_every_query_names_exported_metrics() -> None:
    exported = exported_names()
    assert "minor_illusion_http_request_duration_seconds_bucket" in exported
    for expression in [*dashboard_expressions(), *alert_expressions()]:
        named = metric_names(expression)
        assert named, expression
        assert named <= exported, (expression, named - exported)


def test_the_dashboard_shows_what_an_operator_needs() -> None:
    expressions = " ".join(dashboard_expressions())
    for needed in (
        "rate(minor_illusion_http_requests_total",  # request rate
        "histogram_quantile(0.50",
        "histogram_quantile(0.95",
        "histogram_quantile(0.99",
        'status=~"5..',  # errors
        "minor_illusion_db_transaction_reruns_total",
        "minor_illusion_db_unavailable_total",
        "minor_illusion_db_pool_checked_out",
        "minor_illusion_db_pool_waiting",
    ):
        assert needed in expressions, needed
    dashboard = json.loads(DASHBOARD.read_text())
    datasources = yaml.safe_load(
        (OBSERVABILITY / "grafana/provisioning/datasources/datasources.yml").read_text()
    )
    prometheus_uid = next(d["uid"] for d in datasources["datasources"] if d["type"] == "prometheus")
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == prometheus_uid, panel["title"]


def test_prometheus_scrapes_each_replicas_metrics_port(services: dict[str, Any]) -> None:
    config = yaml.safe_load((OBSERVABILITY / "prometheus" / "prometheus.yml").read_text())
    [job] = [j for j in config["scrape_configs"] if j["job_name"] == "minor-illusion"]
    targets = {t for group in job["static_configs"] for t in group["targets"]}
    ports = {services[name]["environment"]["METRICS_PORT"] for name in ("backend1", "backend2")}
    assert ports == {"9100"}
    assert targets == {"backend1:9100", "backend2:9100"}
    mounted = {v["target"] for v in services["prometheus"]["volumes"]}
    assert set(config["rule_files"]) <= mounted


def test_the_profile_and_what_stays_private(services: dict[str, Any]) -> None:
    for name in PROFILE_SERVICES:
        assert services[name]["profiles"] == ["observability"]
    default = compose("config", "--format", "json")
    assert default.returncode == 0, default.stderr
    assert not PROFILE_SERVICES & set(json.loads(default.stdout)["services"])
    for name in ("backend1", "backend2"):
        backend = services[name]
        assert backend["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == ""  # unless set
        assert "ports" not in backend  # the metrics port is reached on the network only
    assert services["jaeger"]["environment"]["COLLECTOR_OTLP_ENABLED"] == "true"
    assert "9100" not in NGINX_TEMPLATE.read_text()  # the proxy forwards the public port
    for name in PROFILE_SERVICES:
        for port in services[name].get("ports", []):
            assert port["host_ip"] == "127.0.0.1"
