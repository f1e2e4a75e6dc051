"""Grading on a Dask cluster gives the same grades.csv as grading on this machine."""
import csv

import pytest

from autograder import grade
from autograder.tools import samples
from autograder.assignments import get

pytestmark = pytest.mark.slow

CHOSEN = ("reference", "zero_based", "stub")


def rows(path):
    with open(path, newline="") as f:
        return {row["id"]: {k: v for k, v in row.items() if k != "seconds"}
                for row in csv.DictReader(f)}


def test_a_local_dask_cluster_grades_like_the_local_pool(tmp_path):
    from dask.distributed import LocalCluster

    assignment = get("tuning")
    by_id = {s.id: s for s in samples.samples_of(assignment)}
    folder = tmp_path / "class"
    for sample_id in CHOSEN:
        from autograder.engine import notebooks
        notebooks.write(samples.notebook_for(assignment, by_id[sample_id]),
                        folder / f"{sample_id}.ipynb")
    local = grade.grade_class("tuning", folder, tmp_path / "local", jobs=2, timeout=60,
                              memory_gb=8, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        remote = grade.grade_class("tuning", folder, tmp_path / "cluster", jobs=1, timeout=60,
                                   memory_gb=8, progress=False,
                                   scheduler=cluster.scheduler_address)
    assert set(remote.rows) == set(CHOSEN)
    assert rows(tmp_path / "cluster" / "grades.csv") == rows(tmp_path / "local" / "grades.csv")
    for sample_id in CHOSEN:
        assert ((tmp_path / "cluster" / "feedback" / f"{sample_id}.md").read_text()
                .split("in ")[0] == (tmp_path / "local" / "feedback" / f"{sample_id}.md")
                .read_text().split("in ")[0])
    assert local.rows["reference"]["total"] == "10"
