"""deploy/kubernetes/, checked offline: every manifest against the Kubernetes API's own
schemas (kubernetes-validate, which ships them, in strict mode: an unknown or misspelt
field fails), then what a schema cannot know: that the probes' paths are routes of the
app, that ports, images, commands, labels and selectors agree with each other, with the
app and with docker-compose.yaml, and that the shutdown timings fit together. Nothing is
applied to a cluster: there is none here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml  # type: ignore[import-untyped]  # (no stubs installed)
from pydantic import SecretStr, ValidationError
from sqlalchemy.engine import make_url

from app.cli import build_parser
from app.main import create_app
from app.platform.settings import DatabaseSettings, Settings
from tests.processes import REPO_ROOT
from tests.scaleout.test_compose import compose
from tests.scaleout.test_compose_patroni import setting_names

MANIFESTS = REPO_ROOT / "deploy" / "kubernetes"
# The oldest Kubernetes the manifests are meant for, and the newest whose schemas the
# locked kubernetes-validate ships: an API removed in between fails one of them.
KUBERNETES_VERSIONS = ("1.32.0", "1.37.0")
NAMESPACE = "minor-illusion"

Resource = dict[str, Any]


def load(path: Path) -> list[Resource]:
    return [document for document in yaml.safe_load_all(path.read_text()) if document]


@pytest.fixture(scope="module")
def resources() -> list[Resource]:
    kustomization = load(MANIFESTS / "kustomization.yaml")[0]
    return [resource for name in kustomization["resources"] for resource in load(MANIFESTS / name)]


def find(resources: list[Resource], kind: str, name: str) -> Resource:
    [found] = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    return found


def pod_templates(resources: list[Resource]) -> dict[str, Resource]:
    """The pod template of each workload (Deployments and the Job), by workload name."""
    return {
        r["metadata"]["name"]: r["spec"]["template"]
        for r in resources
        if r["kind"] in ("Deployment", "Job")
    }


def container(resources: list[Resource], workload: str) -> Resource:
    [only] = pod_templates(resources)[workload]["spec"]["containers"]
    return dict(only)


def selects(selector: Resource, labels: dict[str, str]) -> bool:
    """Kubernetes' label selector semantics (matchLabels, and matchExpressions' In)."""
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        assert expression["operator"] == "In", "only In is used here"
        if labels.get(expression["key"]) not in expression["values"]:
            return False
    return True


def selected(resources: list[Resource], selector: Resource) -> set[str]:
    return {
        name
        for name, template in pod_templates(resources).items()
        if selects(selector, template["metadata"]["labels"])
    }


def config_data(resources: list[Resource], name: str) -> dict[str, str]:
    resource = find(resources, "ConfigMap", name) if name.endswith("config") else None
    if resource is None:
        resource = find(resources, "Secret", name)
        return dict(resource["stringData"])
    return dict(resource["data"])


def workload_env(resources: list[Resource], workload: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for source in container(resources, workload).get("envFrom", []):
        reference = source.get("configMapRef") or source["secretRef"]
        env |= config_data(resources, reference["name"])
    env |= {item["name"]: item["value"] for item in container(resources, workload).get("env", [])}
    return env


def port_number(resources: list[Resource], workload: str, port: int | str) -> int:
    """A named or numbered container port, as a probe or a Service's targetPort names it."""
    if isinstance(port, int):
        return port
    [number] = [
        p["containerPort"] for p in container(resources, workload)["ports"] if p["name"] == port
    ]
    return int(number)


@pytest.fixture(scope="module")
def compose_services() -> dict[str, Any]:
    result = compose("config", "--format", "json")
    assert result.returncode == 0, result.stderr
    return dict(json.loads(result.stdout)["services"])


# --- the schemas ----------------------------------------------------------------------------


def test_kustomization_lists_every_manifest() -> None:
    kustomization = load(MANIFESTS / "kustomization.yaml")[0]
    listed = set(kustomization["resources"])
    assert listed == {p.name for p in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    assert kustomization["namespace"] == NAMESPACE


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_is_valid_for_the_pinned_kubernetes(
    resources: list[Resource], version: str
) -> None:
    for resource in resources:
        try:
            kubernetes_validate.validate(resource, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{resource['kind']}/{resource['metadata']['name']} ({version}): {error}")


def test_the_validator_catches_a_misspelt_field(resources: list[Resource]) -> None:
    """Strict mode is on: a field Kubernetes does not know is an error, not ignored."""
    deployment = find(resources, "Deployment", "backend")
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSIONS[0], strict=True)


def test_every_kind_the_deployment_needs(resources: list[Resource]) -> None:
    kinds = {(r["kind"], r["metadata"]["name"]) for r in resources}
    assert {
        ("Namespace", NAMESPACE),
        ("Deployment", "backend"),
        ("Deployment", "frontend"),
        ("Service", "backend"),
        ("Service", "frontend"),
        ("Job", "migrate"),
        ("HorizontalPodAutoscaler", "backend"),
        ("PodDisruptionBudget", "backend"),
        ("ConfigMap", "backend-config"),
        ("Secret", "backend-secrets"),
        ("NetworkPolicy", "default-deny"),
    } <= kinds
    assert find(resources, "HorizontalPodAutoscaler", "backend")["apiVersion"] == "autoscaling/v2"


# --- the app --------------------------------------------------------------------------------


def test_probe_paths_are_routes_of_the_app(resources: list[Resource]) -> None:
    app = create_app(Settings(secret_key=SecretStr("x" * 32), dev_mode=False))
    # The app's own route table, as its OpenAPI document lists it: the GETs it serves.
    routes = {path for path, methods in app.openapi()["paths"].items() if "get" in methods}
    backend = container(resources, "backend")
    assert backend["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("startupProbe", "livenessProbe"):
        assert backend[probe]["httpGet"]["path"] == "/healthz"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert backend[probe]["httpGet"]["path"] in routes
        assert port_number(resources, "backend", backend[probe]["httpGet"]["port"]) == 8000
    # The frontend's probe page exists and is the one its image's HEALTHCHECK fetches.
    frontend = container(resources, "frontend")
    for probe in ("livenessProbe", "readinessProbe"):
        assert frontend[probe]["httpGet"]["path"] == "/login"
    assert (REPO_ROOT / "frontend" / "src" / "app" / "login" / "page.tsx").exists()
    assert "/login" in (REPO_ROOT / "frontend" / "Dockerfile").read_text()


def test_the_backend_serves_on_the_port_the_service_targets(resources: list[Resource]) -> None:
    args = build_parser().parse_args(container(resources, "backend")["command"][1:])
    assert (args.command, args.host) == ("serve", "0.0.0.0")  # noqa: S104 (inside a pod)
    for workload, port in (("backend", args.port), ("frontend", 3000)):
        service = find(resources, "Service", workload)
        [service_port] = service["spec"]["ports"]
        assert port_number(resources, workload, service_port["targetPort"]) == port
        assert service_port["port"] == port
        # A Service's selector is matchLabels alone.
        assert selected(resources, {"matchLabels": service["spec"]["selector"]}) == {workload}
    assert workload_env(resources, "frontend")["PORT"] == "3000"
    # The frontend reaches the backend through its Service, by the Service's port.
    backend_url = workload_env(resources, "frontend")["BACKEND_URL"]
    assert backend_url == f"http://backend:{args.port}"
    # The metrics port is the one METRICS_PORT opens, and no Service exposes it.
    metrics = port_number(resources, "backend", "metrics")
    assert workload_env(resources, "backend")["METRICS_PORT"] == str(metrics)


def test_shutdown_drains_within_the_grace_period(resources: list[Resource]) -> None:
    """preStop's wait, then the server's graceful drain, then a margin to exit, all
    within terminationGracePeriodSeconds (which counts from the start of preStop)."""
    spec = pod_templates(resources)["backend"]["spec"]
    backend = container(resources, "backend")
    args = build_parser().parse_args(backend["command"][1:])
    sleep, seconds = backend["lifecycle"]["preStop"]["exec"]["command"]
    assert sleep == "sleep"
    margin = 5  # the same as compose's: stop_grace_period 15 s for a 10 s drain
    assert spec["terminationGracePeriodSeconds"] >= int(seconds) + args.graceful_timeout + margin
    assert args.graceful_timeout == build_parser().parse_args(["serve"]).graceful_timeout


def test_start_up_may_wait_for_the_database(resources: list[Resource]) -> None:
    """The app serves nothing until the database answers (up to DB_CONNECT_TIMEOUT):
    the startup probe must allow longer, or liveness would restart it meanwhile."""
    startup = container(resources, "backend")["startupProbe"]
    allowed = startup["periodSeconds"] * startup["failureThreshold"]
    assert allowed > float(workload_env(resources, "backend")["DB_CONNECT_TIMEOUT"])


def test_the_most_replicas_fit_the_databases_connections(resources: list[Resource]) -> None:
    """replicas x workers x 2 pools x DB_POOL_SIZE, plus the migrate Job's connection and
    PostgreSQL's superuser_reserved_connections (3), within max_connections: 100, the
    default of PostgreSQL and of CloudNativePG (docs/operations.md, "Kubernetes")."""
    max_connections, reserved, migrate = 100, 3, 1
    replicas = find(resources, "HorizontalPodAutoscaler", "backend")["spec"]["maxReplicas"]
    workers = build_parser().parse_args(container(resources, "backend")["command"][1:]).workers
    pool = int(workload_env(resources, "backend")["DB_POOL_SIZE"])
    assert replicas * workers * 2 * pool + migrate + reserved <= max_connections


def test_every_setting_is_one_the_backend_reads(resources: list[Resource]) -> None:
    for workload in ("backend", "migrate"):
        env = workload_env(resources, workload)
        assert not set(env) - setting_names(), workload
        assert "DEV_MODE" not in env
    env = workload_env(resources, "backend")
    settings = DatabaseSettings.model_validate(
        {key.lower(): value for key, value in env.items() if key.lower() in Settings.model_fields}
    )
    assert settings.db_failover_wait == 5
    assert settings.database_read_url == ""


def test_placeholders_stop_the_app_rather_than_run_it_insecurely(
    resources: list[Resource],
) -> None:
    secrets = config_data(resources, "backend-secrets")
    assert "REPLACE" in secrets["SECRET_KEY"]
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(secret_key=SecretStr(secrets["SECRET_KEY"]), dev_mode=False)
    url = make_url(secrets["DATABASE_URL"])
    assert url.drivername == "postgresql+asyncpg"
    assert "REPLACE" in str(url.password)


# --- compose ----------------------------------------------------------------------------------


def test_images_and_migrate_command_are_composes(
    resources: list[Resource], compose_services: dict[str, Any]
) -> None:
    assert container(resources, "backend")["image"] == compose_services["backend1"]["image"]
    assert container(resources, "migrate")["image"] == compose_services["migrate"]["image"]
    assert container(resources, "frontend")["image"] == compose_services["frontend"]["image"]
    assert container(resources, "migrate")["command"] == compose_services["migrate"]["command"]
    serve = build_parser().parse_args(container(resources, "backend")["command"][1:])
    assert serve.command == "serve"
    assert pod_templates(resources)["migrate"]["spec"]["restartPolicy"] == "Never"


# --- labels, selectors, disruption, scaling ----------------------------------------------------


def test_selectors_match_their_own_pods_only(resources: list[Resource]) -> None:
    for name in ("backend", "frontend"):
        deployment = find(resources, "Deployment", name)
        assert selected(resources, deployment["spec"]["selector"]) == {name}
        budget = find(resources, "PodDisruptionBudget", name)
        assert selected(resources, budget["spec"]["selector"]) == {name}
        assert budget["spec"]["minAvailable"] == 1
    autoscaler = find(resources, "HorizontalPodAutoscaler", "backend")["spec"]
    assert autoscaler["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "backend",
    }
    # The autoscaler owns the replica count; its floor keeps the budget satisfiable.
    assert "replicas" not in find(resources, "Deployment", "backend")["spec"]
    assert autoscaler["minReplicas"] > 1
    assert container(resources, "backend")["resources"]["requests"]["cpu"]  # for Utilization


def test_pods_meet_the_restricted_pod_security_standard(resources: list[Resource]) -> None:
    namespace = find(resources, "Namespace", NAMESPACE)
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    for name, template in pod_templates(resources).items():
        spec = template["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert spec["automountServiceAccountToken"] is False, name
        for each in spec["containers"]:
            context = each["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert each["resources"]["limits"]["memory"], name
            # Only emptyDir volumes are writable, and /tmp is one of them.
            volumes = {v["name"]: v for v in spec["volumes"]}
            mounts = {m["mountPath"]: volumes[m["name"]] for m in each["volumeMounts"]}
            assert "/tmp" in mounts, name  # noqa: S108 (a pod's own emptyDir)
            assert all("emptyDir" in volume for volume in mounts.values()), name
    # The backend image's user (backend/Dockerfile: uid 10001).
    assert "--uid 10001" in (REPO_ROOT / "backend" / "Dockerfile").read_text()
    for name in ("backend", "migrate"):
        assert pod_templates(resources)[name]["spec"]["securityContext"]["runAsUser"] == 10001


# --- the network ---------------------------------------------------------------------------


def policies(resources: list[Resource]) -> dict[str, Resource]:
    return {r["metadata"]["name"]: r["spec"] for r in resources if r["kind"] == "NetworkPolicy"}


def test_everything_is_denied_unless_allowed(resources: list[Resource]) -> None:
    deny = policies(resources)["default-deny"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    # Every allowing policy selects pods that exist.
    for name, spec in policies(resources).items():
        if spec["podSelector"]:
            assert selected(resources, spec["podSelector"]), name


def test_only_the_frontend_reaches_the_backend(resources: list[Resource]) -> None:
    ingress = [
        (rule, spec["podSelector"])
        for spec in policies(resources).values()
        if "Ingress" in spec["policyTypes"]
        for rule in spec.get("ingress", [])
    ]
    backend_port = port_number(resources, "backend", "http")
    into_backend = [rule for rule, target in ingress if "backend" in selected(resources, target)]
    [rule] = into_backend
    [source] = rule["from"]
    assert selected(resources, source["podSelector"]) == {"frontend"}
    assert rule["ports"] == [{"protocol": "TCP", "port": backend_port}]
    # And the frontend may send there.
    frontend = policies(resources)["frontend"]
    [egress] = frontend["egress"]
    assert selected(resources, egress["to"][0]["podSelector"]) == {"backend"}
    assert egress["ports"] == [{"protocol": "TCP", "port": backend_port}]


def test_backend_and_migrate_reach_the_database_and_dns(resources: list[Resource]) -> None:
    database = policies(resources)["database-clients"]
    assert selected(resources, database["podSelector"]) == {"backend", "migrate"}
    [egress] = database["egress"]
    [peer] = egress["to"]
    url = make_url(config_data(resources, "backend-secrets")["DATABASE_URL"])
    assert url.host is not None
    service, namespace = url.host.split(".")[:2]
    assert namespace == peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
    # CloudNativePG's Services are <cluster>-rw / -ro / -r; its pods carry cnpg.io/cluster.
    assert service == peer["podSelector"]["matchLabels"]["cnpg.io/cluster"] + "-rw"
    assert egress["ports"] == [{"protocol": "TCP", "port": url.port}]
    dns = policies(resources)["dns"]
    assert dns["podSelector"] == {}
    [rule] = dns["egress"]
    assert {(p["protocol"], p["port"]) for p in rule["ports"]} == {("UDP", 53), ("TCP", 53)}
