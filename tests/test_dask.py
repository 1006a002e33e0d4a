"""Extraction on a Dask cluster gives the same graph as the local build."""

from __future__ import annotations

import io

import pyoxigraph as ox
import pytest

from kg.build import build
from kg.store import EmbeddedStore

pytest.importorskip("dask.distributed")


def data_graph(location) -> list[str]:
    out = io.BytesIO()
    EmbeddedStore(location).dump(out, ox.RdfFormat.N_TRIPLES)
    return sorted(out.getvalue().decode("utf-8").splitlines())


@pytest.mark.slow
def test_a_local_cluster_builds_the_same_graph_as_local_processes(tmp_path, sample_corpus):
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        # By address, as `kg build --scheduler ADDRESS` does.
        on_dask = build([sample_corpus], tmp_path / "dask", scheduler=cluster.scheduler_address)
        with Client(cluster) as client:  # or with a Client the caller already holds
            again = build([sample_corpus], tmp_path / "dask-client", scheduler=client, full=True)
    local = build([sample_corpus], tmp_path / "local", jobs=2)
    assert on_dask.extracted == again.extracted == local.extracted == 16
    assert data_graph(tmp_path / "dask") == data_graph(tmp_path / "local") == data_graph(tmp_path / "dask-client")
    assert on_dask.organizations_by_type == local.organizations_by_type
