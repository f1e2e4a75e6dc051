"""The class grader's bookkeeping, without running otter: bad input, reruns, Ctrl-C."""
import csv

import pytest

from autograder import grade
from autograder.assignments import KitError
from autograder.engine.runner import Outcome, Sandboxed


def grade_with(monkeypatch, grade_one):
    """Grade each submission with ``grade_one(notebook, staged, **options)`` (the sandbox's
    options: timeout, memory_bytes...) instead of the sandbox and the scorer."""
    def run_sandboxed(notebook, staged, **options):
        return Sandboxed(notebook.stem, 0.0, notebook.parent / "never-made",
                         ended=grade_one(notebook, staged, **options))
    monkeypatch.setattr(grade, "run_sandboxed", run_sandboxed)


def make_class(folder, ids):
    folder.mkdir(parents=True, exist_ok=True)
    for student in ids:
        (folder / f"{student}.ipynb").write_text("{}")
    return folder


@pytest.fixture
def fake_grader(monkeypatch):
    """Replace otter with an instant grader that gives everybody 3 + 4 points."""
    calls = []

    def grade_one(notebook, staged, **_):
        calls.append(notebook.stem)
        return Outcome(notebook.stem, "graded", {"happy_model": 3.0, "signs_model": 4.0},
                       {"happy_model": "ok", "signs_model": "ok"}, seconds=0.1)

    grade_with(monkeypatch, grade_one)
    return calls


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def run(submissions, out, **kw):
    return grade.grade_class("convnets", submissions, out, jobs=2, timeout=10, memory_gb=4,
                             progress=False, **kw)


def test_missing_folder_says_what_to_pass(tmp_path):
    with pytest.raises(KitError, match="does not exist: pass SUBMISSIONS="):
        grade.find_submissions(tmp_path / "nope")


def test_empty_folder_says_what_it_holds(tmp_path):
    (tmp_path / "readme.txt").write_text("hi")
    with pytest.raises(KitError, match=r"no \.ipynb files in .* \(it holds: readme.txt\)"):
        grade.find_submissions(tmp_path)


def test_unknown_assignment_lists_the_known_ones(tmp_path):
    with pytest.raises(KitError, match="unknown assignment 'nope'.*known: convnets"):
        grade.grade_class("nope", tmp_path, tmp_path, jobs=1, timeout=1, memory_gb=1)


def test_csv_has_one_row_per_submission_with_every_column(tmp_path, fake_grader):
    subs = make_class(tmp_path / "subs", ["ada", "bob", "cy"])
    run(subs, tmp_path / "run")
    rows = read_rows(tmp_path / "run" / "grades.csv")
    assert [r["id"] for r in rows] == ["ada", "bob", "cy"]
    assert list(rows[0]) == ["id", "name", "section", "happy_model", "signs_model", "total",
                             "max", "penalty", "final", "status", "flags", "submitted_at",
                             "time_source", "late_by", "source", "notes", "seconds", "message"]
    assert rows[0]["total"] == "7" and rows[0]["max"] == "14" and rows[0]["status"] == "graded"
    assert rows[0]["final"] == "7" and rows[0]["source"] == "subs/ada.ipynb"
    assert rows[0]["time_source"] == "file" and rows[0]["penalty"] == ""  # no course file
    assert (tmp_path / "run" / "feedback" / "bob.md").exists()
    assert (tmp_path / "run" / "histogram.png").stat().st_size > 1000
    assert "| mean | 7.00 |" in (tmp_path / "run" / "summary.md").read_text()


def test_rerun_skips_graded_students_unless_regrade(tmp_path, fake_grader):
    subs = make_class(tmp_path / "subs", ["ada", "bob"])
    run(subs, tmp_path / "run")
    assert sorted(fake_grader) == ["ada", "bob"]
    make_class(subs, ["cy"])
    run(subs, tmp_path / "run")
    assert fake_grader[2:] == ["cy"]
    run(subs, tmp_path / "run", regrade=True)
    assert sorted(fake_grader[3:]) == ["ada", "bob", "cy"]
    assert len(read_rows(tmp_path / "run" / "grades.csv")) == 3


def test_ctrl_c_keeps_a_consistent_csv_and_the_rerun_finishes(tmp_path, monkeypatch):
    subs = make_class(tmp_path / "subs", ["ada", "bob", "cy", "dee"])
    seen = []

    def interrupted(notebook, staged, **_):
        seen.append(notebook.stem)
        if notebook.stem == "cy":
            raise KeyboardInterrupt
        return Outcome(notebook.stem, "graded", {"happy_model": 1.0}, seconds=0.1)

    grade_with(monkeypatch, interrupted)
    with pytest.raises(KeyboardInterrupt):
        grade.grade_class("convnets", subs, tmp_path / "run", jobs=1, timeout=10,
                          memory_gb=4, progress=False)
    kept = read_rows(tmp_path / "run" / "grades.csv")
    assert [r["id"] for r in kept] == ["ada", "bob"]
    assert not list((tmp_path / "run").glob("*.tmp"))

    def fine(notebook, staged, **_):
        seen.append(notebook.stem)
        return Outcome(notebook.stem, "graded", {"happy_model": 2.0}, seconds=0.1)

    grade_with(monkeypatch, fine)
    run(subs, tmp_path / "run")
    rows = read_rows(tmp_path / "run" / "grades.csv")
    assert [r["id"] for r in rows] == ["ada", "bob", "cy", "dee"]
    assert [r["total"] for r in rows] == ["1", "1", "2", "2"]


def test_invalid_notebooks_get_a_row_that_says_why(tmp_path):
    from autograder.engine.runner import grade_one
    bad = tmp_path / "eve.ipynb"
    bad.write_text("{not json")
    outcome = grade_one(bad, tmp_path, timeout=5, memory_bytes=2**30)
    assert outcome.status == "invalid"
    assert "eve.ipynb: not a notebook (invalid JSON" in outcome.message
    empty = tmp_path / "empty.ipynb"
    empty.write_text('{"a": 1}')
    assert "not a Jupyter notebook" in grade_one(empty, tmp_path, timeout=5,
                                                 memory_bytes=2**30).message


def test_each_sandbox_gets_its_assignments_budget_unless_the_ta_says(tmp_path, monkeypatch):
    """make grade passes no --timeout or --memory-gb: the assignment's config.json decides
    (its ``sandbox`` entry, else the kit's 30 CPU s and 4 GiB); the TA's flags still win."""
    from autograder import assignments
    from autograder.engine import runner
    seen = []

    def grade_one(notebook, staged, **options):
        seen.append((options["timeout"], options["memory_bytes"]))
        return Outcome(notebook.stem, "graded", {"happy_model": 1.0}, seconds=0.1)

    grade_with(monkeypatch, grade_one)
    subs = make_class(tmp_path / "subs", ["ada"])
    grade.main(["--assignment", "convnets", "--submissions", str(subs),
                "--out", str(tmp_path / "a"), "--jobs", "1"])
    assert seen[-1] == (runner.SANDBOX_CPU_SECONDS, runner.SANDBOX_MEMORY_GB * 2**30) == (
        30, 4 * 2**30)
    budgeted = assignments.get("convnets")
    budgeted.config["sandbox"] = {"cpu_seconds": 90, "memory_gb": 6}  # as if config.json said
    monkeypatch.setattr(grade.assignments, "get", lambda name: budgeted)
    grade.grade_class("convnets", subs, tmp_path / "b", jobs=1, progress=False)
    assert seen[-1] == (90, 6 * 2**30)
    grade.main(["--assignment", "convnets", "--submissions", str(subs), "--out",
                str(tmp_path / "c"), "--jobs", "1", "--timeout", "12", "--memory-gb", "2"])
    assert seen[-1] == (12, 2 * 2**30)
    assert runner.sandbox_budget({"sandbox": {"memory_gb": 3}}) == (30, 3)
