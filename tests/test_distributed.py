"""Grading on a Dask cluster gives the same grades.csv as grading on this machine, with each
worker's warm scorer started once per class and kept for every submission after, and its
sandbox host started once and kept for the next class."""
import csv
from pathlib import Path

import pytest

from autograder import grade
from autograder.tools import samples
from autograder.assignments import get

pytestmark = pytest.mark.slow

CHOSEN = ("reference", "zero_based", "stub")
#: Each chosen sample twice: a worker grades several, so its warm state is reused (or not).
CLASS = [f"{sample_id}{copy}" for copy in ("", "_again") for sample_id in CHOSEN]


def _host_home():
    from autograder.engine import distributed
    return str(distributed._host.home) if distributed._host is not None else None


def rows(path):
    with open(path, newline="") as f:
        return {row["id"]: {k: v for k, v in row.items() if k != "seconds"}
                for row in csv.DictReader(f)}


def test_a_local_dask_cluster_grades_like_the_local_pool(tmp_path, reference_results):
    from dask.distributed import Client, LocalCluster

    from autograder.engine import distributed, notebooks

    reference_results("tuning")  # seeded into both runs' training results, as make grade does
    assignment = get("tuning")
    by_id = {s.id: s for s in samples.samples_of(assignment)}
    folder = tmp_path / "class"
    for student in CLASS:
        notebooks.write(samples.notebook_for(assignment, by_id[student.removesuffix("_again")]),
                        folder / f"{student}.ipynb")
    local = grade.grade_class("tuning", folder, tmp_path / "local", jobs=2, timeout=60,
                              memory_gb=8, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        remote = grade.grade_class("tuning", folder, tmp_path / "cluster", jobs=1, timeout=60,
                                   memory_gb=8, progress=False,
                                   scheduler=cluster.scheduler_address)
        # a second class on the same cluster: the same hosts, new scorers
        again = grade.grade_class("tuning", folder, tmp_path / "again", jobs=1, timeout=60,
                                  memory_gb=8, progress=False,
                                  scheduler=cluster.scheduler_address)
        with Client(cluster) as client:
            states = list(client.run(distributed.warm_state).values())
            homes = [Path(home) for home in client.run(_host_home).values() if home]
    # the hosts kept for a next class were stopped with their workers, folders and all
    assert homes and not any(home.exists() for home in homes), homes
    assert set(remote.rows) == set(CLASS)
    assert rows(tmp_path / "cluster" / "grades.csv") == rows(tmp_path / "local" / "grades.csv")
    for student in CLASS:
        assert ((tmp_path / "cluster" / "feedback" / f"{student}.md").read_text()
                .split("in ")[0] == (tmp_path / "local" / "feedback" / f"{student}.md")
                .read_text().split("in ")[0])
    assert local.rows["reference"]["total"] == "10"
    assert rows(tmp_path / "again" / "grades.csv") == rows(tmp_path / "cluster" / "grades.csv")
    assert set(again.rows) == set(CLASS)
    # warm state kept: each worker process imported TensorFlow once in its sandbox host, for
    # both classes, and once per class in each thread's scorer, for every submission that
    # thread took; together they took each class, sandbox and scorer once per submission
    # (a worker that joined the cluster late may have missed the first class)
    hosts = [state["host"] for state in states if state["host"]]
    scorers = [scorer for state in states for scorer in state["scorers"]]
    assert all(host["starts"] == 1 for host in hosts), states
    assert sum(host["served"] for host in hosts) == 2 * len(CLASS), states
    assert all(s["starts"] == 1 for s in scorers), states
    assert sum(s["served"] for s in scorers) == 2 * len(CLASS), states
    assert any(len({s["bundle"] for s in state["scorers"]}) == 2 for state in states), states
    # and trusted training results: the reference solution's, seeded on the workers as locally
    for run in ("local", "cluster"):
        stages = rows(tmp_path / run / "stages.csv")
        assert int(stages["reference"]["reused"]) > 0 and int(
            stages["reference_again"]["reused"]) > 0, (run, stages)
