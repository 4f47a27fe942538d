"""/metrics is not reachable through the public proxy: two replicas, each with its
metrics port, behind the repository's nginx template (as in tests/scaleout). nginx
forwards the public port only, and the public port has no /metrics."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.databases import free_port
from tests.processes import backend_env, running_backend, wait_until
from tests.scaleout.harness import running_nginx


def test_metrics_through_nginx_get_no_metrics(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    logs: Path = tmp_path_factory.mktemp("nginx-metrics")
    ports = (free_port(), free_port())
    with (
        running_backend(
            backend_env(postgres_url, logs / "one", METRICS_PORT=str(ports[0])), logs, "one"
        ) as one,
        running_backend(
            backend_env(postgres_url, logs / "two", METRICS_PORT=str(ports[1])), logs, "two"
        ) as two,
        running_nginx((one.address, two.address)) as proxy,
    ):
        for path in ("/metrics", "/metrics/", "//metrics", "/metrics?format=text"):
            for _ in range(2):  # round robin: both replicas are asked
                response = httpx.get(f"{proxy.url}{path}", timeout=10)
                assert response.status_code == 404, (path, response.text)
                assert "minor_illusion_" not in response.text
        for port in ports:  # each replica's own metrics port still answers
            scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10)
            assert scraped.status_code == 200
            assert "minor_illusion_http_requests_total" in scraped.text
        # A request id from the client crosses nginx into the replica's log line.
        response = httpx.get(
            f"{proxy.url}/todo/", headers={"X-Request-ID": "via-nginx-1"}, timeout=10
        )
        assert response.headers["x-request-id"] == "via-nginx-1"
        wait_until(
            lambda: any(
                event.get("request_id") == "via-nginx-1"
                for replica in (one, two)
                for event in replica.log_events()
            ),
            timeout=5,
            what="a replica's access line with the client's request id",
        )
