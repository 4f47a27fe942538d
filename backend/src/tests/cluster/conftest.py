"""Fixtures of the cluster suite (tests/cluster):

1. `cluster`: etcd and three PostgreSQL nodes under Patroni, one per test module (it
   forms in ~10 s; a failover test that kills a node runs last in its module).
2. `cluster_database`: a database made on the leader for the module's tests.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import asyncpg
import pytest

from tests.cluster.patroni import Cluster, running_cluster


# 1 ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with running_cluster() as running:
        yield running


# 2 ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
async def cluster_database(cluster: Cluster) -> str:
    leader = cluster.leader()
    assert leader is not None
    name = f"mi_cluster_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(cluster.dsn(leader))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return name  # the cluster, and the database with it, is deleted after the module
