"""The same tasks on a real Dask cluster (a local scheduler and two worker processes) give the same result."""
from __future__ import annotations

import pytest

from nowan.model.robustness import Dask, Subject, analyse
from nowan.model.errors import InputError


def test_dask_cluster_result_equals_local_run():
    from distributed import LocalCluster

    subject = Subject(("usb",))
    local = analyse(subject, samples=40, seed=5, trajectories=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Dask(cluster.scheduler_address) as ex:
            assert ex.workers == 2
            remote = analyse(subject, samples=40, seed=5, trajectories=2, executor=ex)
    assert remote == local


def test_unreachable_scheduler_is_a_one_line_error():
    with pytest.raises(InputError, match="cannot reach a Dask scheduler"):
        Dask("tcp://127.0.0.1:9", timeout_s=1)
