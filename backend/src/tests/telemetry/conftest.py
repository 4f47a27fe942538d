"""Fixtures of the telemetry tests. Contents:

1. `postgres_url` — a fresh database on the shared PostgreSQL, migrated, per module.
2. `scrape()`     — a metrics port's samples, parsed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests import databases
from tests.processes import backend_env, run_cli

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


# 1 ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
async def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    async with databases.fresh_postgres_database("mi_telemetry") as fresh:
        url = fresh.render_as_string(hide_password=False)
        run_cli("migrate", env=backend_env(url, tmp_path_factory.mktemp("migrate")))
        yield url


# 2 ---------------------------------------------------------------------------------------
def scrape(metrics_url: str) -> Samples:
    """Every sample at `metrics_url`, keyed by (sample name, labels)."""
    response = httpx.get(metrics_url, timeout=10)
    assert response.status_code == 200, response.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every sample of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, have), v in samples.items() if n == name and wanted <= have)
