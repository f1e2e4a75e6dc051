"""The large-class benchmark (``make bench``'s second half): its generated class, and the
harness's pure parts with fakes: the commands it runs, the scaling of otter's sample, the
marginals and stage sums, the goal verdicts and the report. No figure here depends on the
machine's speed."""
import json
import sys
import threading
from collections import Counter

import pytest

from autograder import assignments
from autograder.assignments import KitError
from autograder.tools import scale
from autograder.tools.samples import Sample
from autograder.tools.scale import build_class


def test_a_generated_class_mixes_assignments_and_kinds(tmp_path):
    built = build_class(40, tmp_path)
    assert set(built) == set(assignments.available())
    assert sum(len(v) for v in built.values()) == 40
    assert len(list(tmp_path.rglob("*.ipynb"))) == 40
    kinds = Counter()
    for students in built.values():
        for student, sample in students:
            kinds["correct" if sample.id in ("reference", "alternative") else "other"] += 1
    assert kinds["correct"] >= 0.6 * 40 and kinds["other"] >= 0.2 * 40
    ids = [student for students in built.values() for student, _ in students]
    assert len(set(ids)) == 40  # unique ids across assignments
    only = build_class(6, tmp_path / "tuning-only", ["tuning"])
    assert list(only) == ["tuning"] and len(only["tuning"]) == 6


def test_a_smaller_class_is_the_start_of_a_larger_one(tmp_path):
    """So one otter sample, taken from the largest class, is a sample of every class."""
    small, large = build_class(12, tmp_path / "a"), build_class(30, tmp_path / "b")
    for name, students in small.items():
        assert [(s, sample.id) for s, sample in students] == \
            [(s, sample.id) for s, sample in large[name][:len(students)]]


def test_otter_runs_stock_otter_on_the_kits_zip(tmp_path):
    command = scale.otter_command(tmp_path / "convnets.zip", tmp_path / "s001.ipynb",
                                  tmp_path / "out")
    assert command == [sys.executable, "-m", "otter", "run", "-a", str(tmp_path / "convnets.zip"),
                       str(tmp_path / "s001.ipynb"), "-o", str(tmp_path / "out")]


def test_the_kit_runs_as_make_grade_on_jobs_or_on_a_cluster(tmp_path):
    local = scale.grade_command("tuning", tmp_path / "subs", tmp_path / "run", jobs=2, timeout=60)
    assert local[1:3] == ["-m", "autograder.grade"]
    assert local[local.index("--jobs") + 1] == "2" and "--scheduler" not in local
    assert local[local.index("--assignment") + 1] == "tuning"
    assert local[local.index("--timeout") + 1] == "60"
    remote = scale.grade_command("tuning", tmp_path / "subs", tmp_path / "run", jobs=2,
                                 timeout=60, scheduler="tcp://127.0.0.1:8786")
    assert remote[remote.index("--scheduler") + 1] == "tcp://127.0.0.1:8786"
    assert "--jobs" not in remote
    default = scale.grade_command("tuning", tmp_path / "subs", tmp_path / "run", jobs=2)
    assert "--timeout" not in default  # the assignment's budget, as make grade


def _sample(sample_id, **kw):
    return Sample(sample_id, "", {}, **kw)


def test_otters_sample_skips_adversarial_ones_and_follows_the_class_order():
    built = {"a": [("s0000_reference", _sample("reference")),
                   ("s0002_loop", _sample("loop", attack="while True: pass")),
                   ("s1000_reference", _sample("reference"))],
             "b": [("s0001_mistake", _sample("mistake")),
                   ("s0999_broken", _sample("broken", status="invalid")),
                   ("s0003_alternative", _sample("alternative"))]}
    assert scale.otter_sample(built, 10) == [("a", "s0000_reference"), ("b", "s0001_mistake"),
                                             ("b", "s0003_alternative"), ("a", "s1000_reference")]
    assert scale.otter_sample(built, 2) == [("a", "s0000_reference"), ("b", "s0001_mistake")]


def test_otters_sample_is_scaled_by_each_assignments_mean():
    # two at a time: 10 s and 30 s of work took 20 s of wall
    sample = [("a", 10.0), ("b", 30.0)]
    assert scale.otter_estimate(20.0, sample, {"a": 1, "b": 1}) == pytest.approx(20.0)
    assert scale.otter_estimate(20.0, sample, {"a": 3, "b": 1}) == pytest.approx(30.0)
    assert scale.otter_estimate(20.0, sample, {"a": 10, "b": 10}) == pytest.approx(200.0)
    # an assignment the sample lacks counts at the sample's mean (20 s)
    assert scale.otter_estimate(20.0, sample, {"c": 2}) == pytest.approx(20.0)
    # a uniform sample scales with the class's size
    assert scale.otter_estimate(50.0, [("a", 2.0)] * 50, {"a": 300}) == pytest.approx(300.0)
    with pytest.raises(ValueError, match="no submission"):
        scale.otter_estimate(1.0, [], {"a": 1})


def test_otters_points_are_read_bounded_and_any_failure_is_no_points(tmp_path, monkeypatch):
    results = tmp_path / "results.json"
    assert scale.otter_points(results) is None  # none written
    results.write_text(json.dumps({"tests": [{"score": 2}, {"score": 1.5}, {"name": "x"}]}))
    assert scale.otter_points(results) == 3.5
    for broken in ("{", '{"tests": 3}', '{"tests": [{"score": "many"}]}', "[]"):
        results.write_text(broken)
        assert scale.otter_points(results) is None
    results.write_text(json.dumps({"tests": [{"score": 1}]}))
    monkeypatch.setattr(scale, "OTTER_RESULTS_BYTES", 10)
    assert scale.otter_points(results) is None  # over the bound: not read


def test_otter_differs_names_each_submission_otter_scored_otherwise():
    runs = [{"id": "s0", "points": 20.0}, {"id": "s1", "points": 18.0},
            {"id": "s2", "points": None}, {"id": "s3", "points": 4.0}]
    rows = [{"id": "s0", "total": "20"}, {"id": "s1", "total": "16"}, {"id": "s2", "total": "0"}]
    assert scale.otter_differs(runs, rows) == ["s1: otter 18.0, kit 16", "s2: otter None, kit 0",
                                               "s3: otter 4.0, kit None"]


def test_otter_one_runs_the_command_in_a_folder_of_its_own(tmp_path, monkeypatch):
    writer = ("import json, sys; from pathlib import Path; "
              "Path(sys.argv[1], 'results.json').write_text(json.dumps("
              "{'tests': [{'score': 7}]}))")
    monkeypatch.setattr(scale, "otter_command",
                        lambda zip_, notebook, out: [sys.executable, "-c", writer, str(out)])
    seconds, points, why = scale.otter_one(tmp_path / "a.zip", tmp_path / "nb.ipynb")
    assert (points, why) == (7.0, "") and seconds > 0
    monkeypatch.setattr(scale, "otter_command", lambda zip_, notebook, out: [
        sys.executable, "-c", "import sys; sys.exit('otter: no such notebook')"])
    _, points, why = scale.otter_one(tmp_path / "a.zip", tmp_path / "nb.ipynb")
    assert points is None and "no such notebook" in why


def test_an_otter_run_that_fails_to_start_is_that_submissions_row(tmp_path, monkeypatch):
    def broken(autograder_zip, notebook):
        raise OSError("no space left on device")

    monkeypatch.setattr(scale, "otter_one", broken)
    done = scale.run_otter([("a", "s000_reference"), ("a", "s001_mistake")],
                           {"a": tmp_path / "a.zip"}, tmp_path, jobs=2)
    assert [(r["points"], r["why"]) for r in done["runs"]] == \
        [(None, "OSError: no space left on device")] * 2


def test_otter_runs_jobs_at_a_time(tmp_path, monkeypatch):
    together = threading.Barrier(2, timeout=60)  # both jobs must be in flight at once
    running, most, lock = [0], [0], threading.Lock()

    def fake(autograder_zip, notebook):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        together.wait()
        with lock:
            running[0] -= 1
        return 1.0, 3.0, ""

    monkeypatch.setattr(scale, "otter_one", fake)
    sample = [("a", f"s{i:03d}_reference") for i in range(6)]
    done = scale.run_otter(sample, {"a": tmp_path / "a.zip"}, tmp_path, jobs=2)
    assert most[0] == 2 and done["jobs"] == 2
    assert [r["id"] for r in done["runs"]] == [student for _, student in sample]
    assert {r["points"] for r in done["runs"]} == {3.0}


STAGES = [
    {"id": "s0_reference", "sandbox": "1.0", "scorer": "20.0", "training": "18.0", "reused": "0",
     "total": "21.0"},
    {"id": "s1_reference", "sandbox": "0.5", "scorer": "1.5", "training": "0.0", "reused": "2",
     "total": "2.0"},
    {"id": "s2_alternative", "sandbox": "0.5", "scorer": "2.5", "training": "0.0", "reused": "1",
     "total": "3.0"},
    {"id": "s3_mistake", "sandbox": "0.5", "scorer": "0.5", "training": "0.0", "reused": "1",
     "total": "1.0"},
    {"id": "s4_stub", "sandbox": "0.5", "scorer": "0.5", "training": "", "reused": "0",
     "total": "1.0"},
]
KINDS = {"s0_reference": "reference", "s1_reference": "reference",
         "s2_alternative": "alternative", "s3_mistake": "mistake", "s4_stub": "stub"}


def test_marginals_separate_reused_correct_submissions_from_new_models():
    found = scale.marginals(STAGES, KINDS)
    # correct and answered from trusted results: s1 and s2 (the mistake is not counted)
    assert found["reused_correct"] == {"median": 2.5, "n": 2}
    assert found["distinct_model"] == {"median": 21.0, "n": 1}
    assert scale.marginals([], {}) == {"reused_correct": {"median": None, "n": 0},
                                       "distinct_model": {"median": None, "n": 0}}


def test_where_the_time_goes_sums_stages_and_what_no_submission_covers():
    sums = scale.where_time_goes(STAGES, wall=20.0, jobs=2)
    assert sums == {"sandbox": 3.0, "scorer": 7.0, "training": 18.0, "outside": 12.0}
    # a column the grader adds later is summed too
    extra = [dict(row, feedback="0.5") for row in STAGES]
    assert scale.where_time_goes(extra, wall=20.0, jobs=2)["feedback"] == 2.5


def test_graded_rows_wait_for_a_graded_row(tmp_path):
    grades = tmp_path / "grades.csv"
    assert scale.graded_rows(grades) == []
    grades.write_text("id,total,status\ns0,0,invalid\n")
    assert scale.graded_rows(grades) == []
    grades.write_text("id,total,status\ns0,0,invalid\ns1,20,graded\n")
    assert [row["id"] for row in scale.graded_rows(grades)] == ["s1"]


def test_run_grade_sees_the_first_row_and_names_the_log_when_grading_fails(tmp_path):
    grades = tmp_path / "grades.csv"
    grader = (f"from pathlib import Path; import time; "
              f"Path({str(grades)!r}).write_text('id,total,status\\ns1,20,graded\\n'); "
              f"time.sleep(0.5)")
    wall, first = scale.run_grade([sys.executable, "-c", grader], grades, tmp_path / "ok.log")
    assert first is not None and first <= wall
    failing = [sys.executable, "-c", "import sys; print('no such assignment'); sys.exit(2)"]
    with pytest.raises(KitError, match="exit 2") as raised:
        scale.run_grade(failing, tmp_path / "none.csv", tmp_path / "bad.log")
    assert str(tmp_path / "bad.log") in str(raised.value)
    assert "no such assignment" in str(raised.value)


def test_grade_differences_ignore_seconds_and_name_every_other_change():
    local = [{"id": "a", "total": "20", "seconds": "2.0"},
             {"id": "b", "total": "3", "seconds": "9"}, {"id": "c", "total": "1", "seconds": "1"}]
    assert scale.grade_differences(local, [dict(r, seconds="5") for r in local]) == []
    cluster = [{"id": "a", "total": "20", "seconds": "1"},
               {"id": "b", "total": "4", "seconds": "9"}, {"id": "d", "total": "1", "seconds": "1"}]
    assert scale.grade_differences(local, cluster) == [
        "c: only in the local run", "d: only on the cluster",
        "b total: '3' locally, '4' on the cluster"]


@pytest.mark.parametrize("value, comparison, bound, expected", [
    (10.0, ">=", 10.0, "met"), (9.99, ">=", 10.0, "NOT met"), (1.5, "<=", 1.5, "met"),
    (1.51, "<=", 1.5, "NOT met"), (None, "<=", 1.5, "not measured")])
def test_verdicts(value, comparison, bound, expected):
    assert scale.verdict(value, comparison, bound) == expected


def _class(size, wall, ratio, first_row, reused):
    return {"size": size, "jobs": 2, "wall": wall, "first_row": first_row, "median": 2.0,
            "worst": 60.0, "memory": {"peak": 5 * 2**30, "per_job": 5 * 2**29,
                                      "largest": 2**30, "load_max": 2.5},
            "trained": 3, "reused": 100,
            "marginal": {"reused_correct": {"median": reused, "n": 40},
                         "distinct_model": {"median": 30.0, "n": 3}},
            "time": {"sandbox": 100.0, "scorer": 80.0, "training": 60.0, "outside": 20.0},
            "counts": {"a": size}, "otter_wall": wall * ratio, "ratio": ratio}


def _result(otter_runs=60, dask=None):
    return {"when": "2026-12-04T20:00:00", "cores": 2, "jobs": 2, "load_at_start": [0.1, 0.2, 0.3],
            "load_max": 2.5,
            "classes": [_class(25, 100.0, 6.0, {"a": 9.0, "b": None}, 1.2),
                        _class(100, 200.0, 12.5, {"a": 8.0}, 1.3),
                        _class(300, 400.0, 19.0, {"a": 14.5, "b": 7.0}, 1.6)],
            "otter": {"jobs": 2, "wall": 1500.0, "runs": [{}] * otter_runs,
                      "differ": [], "memory": {}},
            "dask": dask}


def test_goals_are_judged_on_their_figures():
    rows = {row["goal"]: row for row in scale.goal_rows(_result())}
    by_key = dict(zip([g[1] for g in scale.GOALS], rows.values()))
    assert (by_key["ratio:100"]["figure"], by_key["ratio:100"]["verdict"]) == (12.5, "met")
    assert (by_key["ratio:300"]["figure"], by_key["ratio:300"]["verdict"]) == (19.0, "NOT met")
    assert (by_key["reused"]["figure"], by_key["reused"]["verdict"]) == (1.6, "NOT met")
    # the worst first row of every grade run, an assignment without a graded row aside
    assert (by_key["first_row"]["figure"], by_key["first_row"]["verdict"]) == (14.5, "NOT met")
    unmeasured = _result()
    unmeasured["classes"] = unmeasured["classes"][:1]
    assert {row["verdict"] for row in scale.goal_rows(unmeasured)
            if row["goal"].startswith("kit vs otter")} == {"not measured"}


def test_the_report_puts_each_goal_beside_its_figure():
    text = "\n".join(scale.render(_result()))
    assert "load average 0.1 0.2 0.3" in text and "at most 2.5" in text
    line_100 = next(line for line in text.splitlines() if line.lstrip().startswith("100 "))
    assert "12.5x" in line_100 and ">= 10x" in line_100 and line_100.endswith("met")
    line_300 = next(line for line in text.splitlines() if line.lstrip().startswith("300 "))
    assert "19.0x" in line_300 and ">= 20x" in line_300 and line_300.endswith("NOT met")
    assert "timed on 60 submissions (the first 60 of the class of 300" in text
    assert "scaled" in text
    assert "indicative only" not in text
    goals = text.split("goal (issue 25)")[1]
    assert "1.6 s" in goals and "<= 1.5 s" in goals and "14.5 s" in goals and "<= 10 s" in goals
    assert "training 60 s" in text  # where the time went
    assert "indicative only" in "\n".join(scale.render(_result(otter_runs=4)))
    overlapped = _result()
    overlapped["classes"][-1]["time"]["outside"] = -57.0  # sandboxes and scorers side by side
    lines = scale.render(overlapped)
    line = next(line for line in lines if line.startswith("  300: sandbox"))
    assert "outside" not in line and "-57" not in line
    assert "sum 57 s past the jobs' wall" in lines[lines.index(line) + 1]


def test_the_report_compares_the_cluster_with_local_jobs():
    same = {"size": 300, "workers": 2, "wall": 390.0, "local_wall": 400.0, "differences": []}
    text = "\n".join(scale.render(_result(dask=same)))
    assert "local Dask cluster" in text and "grades.csv identical" in text and "met" in text
    slower = dict(same, wall=450.0, differences=["b total: '3' locally, '4' on the cluster"])
    text = "\n".join(scale.render(_result(dask=slower)))
    assert "NOT met" in text and "1 difference(s): b total" in text


def test_dask_must_name_one_of_the_sizes(capsys):
    with pytest.raises(SystemExit):
        scale.main(["--sizes", "25", "--dask", "300"])
    assert "--dask 300 is not one of --sizes 25" in capsys.readouterr().err


def test_otters_sample_gives_every_class_its_scaled_wall_and_ratio(tmp_path, monkeypatch):
    built = {"a": [(f"s{i:03d}_reference", _sample("reference")) for i in range(0, 8, 2)],
             "b": [(f"s{i:03d}_reference", _sample("reference")) for i in range(1, 8, 2)]}
    ran = []

    def fake_run(sample, zips, folder, jobs):
        ran.append((sample, jobs))
        return {"jobs": jobs, "wall": 30.0, "memory": {},
                "runs": [{"assignment": name, "id": student, "points": 1.0, "why": "",
                          "seconds": 10.0 if name == "a" else 20.0} for name, student in sample]}

    monkeypatch.setattr(scale, "run_otter", fake_run)
    classes = [{"size": 4, "wall": 10.0, "counts": {"a": 2, "b": 2}},
               {"size": 8, "wall": 15.0, "counts": {"a": 4, "b": 4}}]
    rows = [{"id": student, "total": "1"} for students in built.values() for student, _ in students]
    otter = scale.otter_anchor(classes, built, tmp_path, {}, rows, 4, jobs=2)
    assert ran == [([("a", "s000_reference"), ("b", "s001_reference"), ("a", "s002_reference"),
                     ("b", "s003_reference")], 2)]
    assert otter["differ"] == []
    # the sample (2 of a at 10 s, 2 of b at 20 s) took 30 s; the class of 4 is the same work
    assert (classes[0]["otter_wall"], classes[0]["ratio"]) == (30.0, 3.0)
    assert (classes[1]["otter_wall"], classes[1]["ratio"]) == (60.0, 4.0)


def test_an_earlier_otter_timing_is_reused_only_for_the_same_sample_jobs_and_cores(
        tmp_path, monkeypatch):
    """--otter-from: a timing of this class's sample at this many jobs and cores is reused,
    and the zip members that changed since are named; any other timing is refused."""
    import os
    import zipfile
    built = {"a": [(f"s{i:03d}_reference", _sample("reference")) for i in range(0, 8, 2)]}
    zips = {"a": tmp_path / "a.zip"}
    with zipfile.ZipFile(zips["a"], "w") as archive:
        archive.writestr("tests/q1.py", "same")
        archive.writestr("tests/q2.py", "changed since")
    runs = [{"assignment": "a", "id": f"s00{i}_reference", "points": 1.0, "why": "",
             "seconds": 10.0} for i in (0, 2)]
    anchor = {"jobs": 2, "cores": os.cpu_count(), "wall": 12.0, "memory": {"load_max": 0.5},
              "runs": runs, "when": "then", "load_at_start": [0.4, 0.3, 0.2],
              "zips": {"a": {"tests/q1.py": scale.zip_members(zips["a"])["tests/q1.py"],
                             "tests/q2.py": "an older digest"}}}
    stored = tmp_path / "scale.json"
    stored.write_text(json.dumps({"otter": anchor}))
    monkeypatch.setattr(scale, "run_otter", lambda *a: pytest.fail("otter ran again"))
    classes = [{"size": 4, "wall": 6.0, "counts": {"a": 4}}]
    rows = [{"id": student, "total": "1"} for student, _ in built["a"]]
    otter = scale.otter_anchor(classes, built, tmp_path, zips, rows, 0, jobs=2, stored=stored)
    assert otter["changed"] == ["a.zip: tests/q2.py"] and otter["differ"] == []
    assert (classes[0]["otter_wall"], classes[0]["ratio"]) == (24.0, 4.0)
    report = "\n".join(scale.ratio_table({"jobs": 2, "cores": 2, "classes": classes,
                                          "otter": otter}))
    assert "taken from" in report and "a.zip: tests/q2.py" in report
    assert "caution" not in report  # timed on a quiet machine
    otter["memory"] = {"load_max": 2 * 2 + 1.2}  # beside another run's tests
    busy = "\n".join(scale.ratio_table({"jobs": 2, "cores": 2, "classes": classes,
                                        "otter": {**otter, "cores": 2}}))
    assert "caution: otter was timed beside other work (load up to 5.2 on 2 cores)" in busy

    with pytest.raises(KitError, match="1 at a time"):
        scale.stored_anchor(stored, built, zips, jobs=1)
    anchor["runs"] = runs[::-1]
    stored.write_text(json.dumps(anchor))  # an anchor file alone is read too, then refused
    with pytest.raises(KitError, match="other submissions"):
        scale.stored_anchor(stored, built, zips, jobs=2)


def test_the_memory_peak_counts_a_shared_page_once():
    """A page a forked child shares with its parent is not counted twice (PSS, not RSS)."""
    import os
    import time

    import psutil

    block = bytearray(64 * 2**20)  # touched: 64 MiB resident in this process
    for i in range(0, len(block), 4096):
        block[i] = 1
    child = os.fork()
    if child == 0:  # shares every page of the parent until one is written
        time.sleep(2)
        os._exit(0)
    try:
        me, forked = psutil.Process(), psutil.Process(child)
        rss = me.memory_info().rss + forked.memory_info().rss
        pss = (scale.proportional(me, me.memory_info().rss)
               + scale.proportional(forked, forked.memory_info().rss))
        assert pss < rss - 48 * 2**20  # the shared 64 MiB counted about once, not twice
    finally:
        os.waitpid(child, 0)
    del block
