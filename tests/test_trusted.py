"""What crosses the scorer's walls: artifacts in, scores and training results out, each read
as hostile data by the grader; a scorer that dies keeps the points it had written."""
import json
import math
import os
import resource
import signal
import subprocess
import sys
import textwrap

import pytest

from autograder.engine import trusted
from tests.conftest import REPO

KEY = "a" * 64


def entry(**changes):
    return {"value": 0.91, "seconds": 3.5, "dataset": "happy", **changes}


def write_trained(outbox, name, content):
    folder = outbox / "trained"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(content if isinstance(content, str) else json.dumps(content))


def test_only_well_formed_new_entries_reach_the_cache(tmp_path):
    outbox, cache = tmp_path / "outbox", tmp_path / "cache"
    good, kept_before = "b" * 64 + ".json", "c" * 64 + ".json"
    cache.mkdir()
    (cache / kept_before).write_text(json.dumps(entry(value=0.5)))
    write_trained(outbox, good, entry())
    write_trained(outbox, kept_before, entry(value=0.99))  # never over an existing one
    write_trained(outbox, "../escape.json", entry())
    write_trained(outbox, "short.json", entry())
    write_trained(outbox, "d" * 64 + ".json", entry(value=float("nan")))
    write_trained(outbox, "e" * 64 + ".json", entry(extra="payload"))
    write_trained(outbox, "f" * 64 + ".json", entry(dataset="../../etc"))
    write_trained(outbox, "0" * 64 + ".json", "not json")
    os.symlink("/etc/passwd", outbox / "trained" / ("1" * 64 + ".json"))
    assert trusted.keep_trained(outbox, cache) == 1
    assert sorted(p.name for p in cache.iterdir()) == sorted([good, kept_before])
    assert json.loads((cache / kept_before).read_text())["value"] == 0.5
    assert json.loads((cache / good).read_text()) == entry()
    assert not (tmp_path / "escape.json").exists()


def test_a_linked_trained_folder_is_ignored(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / (KEY + ".json")).write_text(json.dumps(entry()))
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    os.symlink(elsewhere, outbox / "trained")
    assert trusted.keep_trained(outbox, tmp_path / "cache") == 0


def scores_file(outbox, questions, complete=True, tainted=()):
    outbox.mkdir(parents=True, exist_ok=True)
    (outbox / "score.json").write_text(json.dumps(
        {"questions": questions, "complete": complete, "tainted": list(tainted)}))


def test_scores_are_recomputed_from_the_cases(tmp_path):
    scores_file(tmp_path, {"q": {"score": 999, "max": 1, "cases": [
        {"name": "a", "points": 2, "passed": True, "message": ""},
        {"name": "b", "points": 3, "passed": "yes", "message": "why"}]}})
    read = trusted.read_scores(tmp_path)
    assert read["questions"]["q"]["score"] == 2 and read["questions"]["q"]["max"] == 5
    assert read["complete"] is True


@pytest.mark.parametrize("content", ["{", json.dumps({"questions": []}), "x" * 3_000_000,
                                     json.dumps({"questions": {"q": {"cases": [{}]}}})])
def test_unreadable_scores_read_as_none(tmp_path, content):
    (tmp_path / "score.json").write_text(content)
    assert trusted.read_scores(tmp_path) is None


def test_artifacts_are_copied_as_regular_bounded_files_only(tmp_path):
    artifacts, inbox = tmp_path / "artifacts", tmp_path / "inbox"
    artifacts.mkdir()
    (artifacts / "good.json").write_text('{"value": 1}')
    os.symlink("/etc/passwd", artifacts / "linked.json")
    os.mkfifo(artifacts / "fifo.json")
    (artifacts / "big.json").write_text(" " * (trusted.ARTIFACT_LIMIT + 1))
    (artifacts / "unasked.json").write_text("{}")
    trusted.copy_artifacts(artifacts, inbox, ["good", "linked", "fifo", "big", "missing"])
    assert sorted(p.name for p in inbox.iterdir()) == ["big.json", "fifo.json", "good.json",
                                                      "linked.json"]
    assert (inbox / "good.json").read_text() == '{"value": 1}'
    assert "not a regular file" in (inbox / "linked.json").read_text()
    assert "not a regular file" in (inbox / "fifo.json").read_text()
    assert "over the limit" in (inbox / "big.json").read_text()


class DyingScorer:
    """A warm scorer that writes the scores of one test, a training result, then dies."""

    last_code = -11

    def __init__(self, root):
        self.root, self.count = root, 0

    def slot(self):
        self.count += 1
        return self.root / f"in{self.count}", self.root / f"out{self.count}"

    def score(self, inbox, outbox, cache):
        scores_file(outbox, {"happy_model": {"score": 3, "max": 3, "cases": [
            {"name": "layers", "points": 3, "passed": True, "message": ""}]}}, complete=False)
        write_trained(outbox, KEY + ".json", entry())
        return "exit code -11"


def test_a_scorer_that_dies_keeps_the_points_it_wrote_and_nothing_else(tmp_path):
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "grading_config.json").write_text(json.dumps({"probes": {"happyModel": {}}}))
    artifacts, cache = tmp_path / "artifacts", tmp_path / "cache"
    artifacts.mkdir()
    scored = trusted.score_submission(staged, artifacts, tmp_path, cache=cache,
                                      memory_bytes=2**30, scorer=DyingScorer(tmp_path))
    assert not scored.complete and scored.failure == "exit code -11"
    assert scored.questions["happy_model"]["score"] == 3
    assert list(cache.iterdir()) == []  # a run that did not finish keeps no training result
    assert math.isclose(scored.train_seconds, 0.0)


class TaintedScorer(DyingScorer):
    """A scorer that finishes, but whose process-wide settings changed while it scored."""

    def score(self, inbox, outbox, cache):
        scores_file(outbox, {"q": {"cases": [{"name": "a", "points": 1, "passed": True,
                                                "message": ""}]}}, tainted=["keras.epsilon"])
        write_trained(outbox, KEY + ".json", entry())
        return ""


def test_a_tainted_run_scores_but_keeps_no_training_result(tmp_path):
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "grading_config.json").write_text(json.dumps({"probes": {}}))
    (tmp_path / "artifacts").mkdir()
    scored = trusted.score_submission(staged, tmp_path / "artifacts", tmp_path,
                                      cache=tmp_path / "cache", memory_bytes=2**30,
                                      scorer=TaintedScorer(tmp_path))
    assert scored.complete and scored.questions["q"]["score"] == 1
    assert scored.kept == 0 and list((tmp_path / "cache").iterdir()) == []


class EndedInsideATest(DyingScorer):
    """A scorer whose process the kernel ends inside the second test of three (its CPU
    limit, SIGXCPU as bubblewrap reports it), then a fresh one that scores the rest."""

    CASES = [("layers", 3), ("learns", 2), ("compiled", 1)]

    def __init__(self, root, stop_at=1, code=128 + signal.SIGXCPU):
        super().__init__(root)
        self.stop_at, self.code, self.runs, self.seen_resume = stop_at, code, 0, []

    def slot(self):
        return self.root / "in", self.root / "out"

    def score(self, inbox, outbox, cache):
        from autograder.engine.scorer import RESUME, scored_before

        self.runs += 1
        before = scored_before(inbox).get("happy_model", {})
        self.seen_resume.append(sorted(before))
        cases = []
        for index, (name, points) in enumerate(self.CASES):
            if name in before:
                cases.append(before[name])
                continue
            if index == self.stop_at and self.runs == 1:
                (outbox / "score.json").write_text(json.dumps({
                    "questions": {"happy_model": {"cases": cases}}, "complete": False,
                    "tainted": [], "running": {"question": "happy_model", "case": name,
                                               "points": points}}))
                write_trained(outbox, KEY + ".json", entry())
                self.last_code = self.code
                return f"exit code {self.code}"
            cases.append({"name": name, "points": points, "passed": True, "message": ""})
        scores_file(outbox, {"happy_model": {"cases": cases}})
        self.last_code = None
        assert (inbox / RESUME).exists()
        return ""


@pytest.mark.parametrize("code, said", [
    (128 + signal.SIGXCPU, "more than 400 s of computing time"),
    (-signal.SIGSEGV, "this test stopped the grader (exit code -11)")])
def test_a_scorer_ended_inside_a_test_fails_that_test_and_scores_the_rest(tmp_path, code, said):
    """The CPU limit holds inside one TensorFlow call because the kernel ends the scorer
    there; the grader then fails that test with a sentence, a fresh scorer grades the rest,
    and the row is complete ("graded"), keeping no training result of the broken run."""
    staged = tmp_path / "staged"
    staged.mkdir()
    (staged / "grading_config.json").write_text(json.dumps({"probes": {"happyModel": {}}}))
    (tmp_path / "artifacts").mkdir()
    scorer = EndedInsideATest(tmp_path, code=code)
    scored = trusted.score_submission(staged, tmp_path / "artifacts", tmp_path,
                                      cache=tmp_path / "cache", memory_bytes=2**30,
                                      scorer=scorer)
    assert scored.complete, scored.failure
    assert scorer.runs == 2 and scorer.seen_resume == [[], ["layers", "learns"]]
    cases = {c["name"]: c for c in scored.questions["happy_model"]["cases"]}
    assert [c["passed"] for c in cases.values()] == [True, False, True]
    assert said in cases["learns"]["message"]
    assert scored.questions["happy_model"]["score"] == 4 and \
        scored.questions["happy_model"]["max"] == 6
    assert scored.kept == 0 and list((tmp_path / "cache").iterdir()) == []


def test_the_kernel_ends_a_test_inside_one_native_call():
    """The scorer's timer raises between bytecodes only; inside one native call (here one
    LAPACK call of minutes) the kernel's RLIMIT_CPU, set by kernel_cpu_limit, ends the process
    a few CPU seconds past the limit. Measured in CPU seconds of the child, never wall time."""
    program = textwrap.dedent("""
        import numpy as np
        from autograder.engine.scorer import kernel_cpu_limit
        matrix = np.random.default_rng(0).random((5000, 5000))
        with kernel_cpu_limit(2):
            np.linalg.eigvals(matrix)  # one call, minutes of CPU on one thread
        print("returned")
    """)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                           cwd=REPO, env={**os.environ, "OPENBLAS_NUM_THREADS": "1",
                                          "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert child.returncode == -signal.SIGXCPU, (child.returncode, child.stderr[-500:])
    assert "returned" not in child.stdout
    assert used < 2 + 1 + 4, used  # the limit, its rounding up, and the start-up before it


def test_no_text_a_submission_recorded_can_make_its_results_unwritable(tmp_path):
    """Issue 22: a Keras error quoting a layer name with a lone surrogate made
    report.save_results raise UnicodeEncodeError, which stopped the class; what UTF-8 cannot
    hold is now written as '?', and the stored results read back as text a page can hold."""
    from autograder.engine import report
    from autograder.engine.runner import Outcome

    case = {"name": "layers", "points": 3, "passed": False, "message": "layer 'a\udfffb' failed"}
    outcome = Outcome("s1", "graded", {"happy_model": 0.0}, {"happy_model": "a\udfffb"},
                      results={"happy_model": {"score": 0, "max": 3, "cases": [case]}})
    report.save_results(tmp_path, outcome)
    saved = report.load_results(tmp_path, "s1")
    assert saved["results"]["happy_model"]["cases"][0]["message"] == "layer 'a?b' failed"
    json.dumps(saved, ensure_ascii=False).encode("utf-8")  # every string is writable
