"""The local pool's hand-out (``grade.LocalPool``): a submission identical to one being
scored waits for it, holding neither a sandbox turn nor a scorer, and trains nothing again;
a second scorer starts only when a submission waits for one.

The fast tests replace the warm workers and both stages with stand-ins driven by events, so
that the order is forced, not hoped for; the slow one checks on the real sandbox that two
students' identical notebooks leave artifacts with one fingerprint and a different
mistake another (else the pool would never find a submission to wait for).
"""
import itertools
import threading
from pathlib import Path

import pytest

from autograder import assignments, grade
from autograder.build import bundle
from autograder.engine import notebooks, runner
from autograder.engine.runner import Outcome
from autograder.engine.warm import WarmSandbox
from autograder.tools import samples

slow = pytest.mark.slow


class Worker:
    """A warm scorer or sandbox host, ready once every submission has been handed to the
    pool (as real ones, which import TensorFlow meanwhile)."""

    def __init__(self, name, submitted):
        self.name, self.submitted = name, submitted

    def warm_up(self, cache=None):
        pass

    def wait(self, seconds=None):
        assert self.submitted.wait(30)

    def close(self, remove=False):
        pass


class Ran:
    """A sandboxed submission whose fingerprint is its name up to the digit ("a1", "a2": a)."""

    def __init__(self, student):
        self.student, self.ended, self.removed, self.waited = student, None, False, 0.0
        self.queued = 0.0

    def fingerprint(self, staged):
        return None if self.student.startswith("x") else self.student.rstrip("0123456789")

    def remove(self):
        self.removed = True


class StandIns:
    """The pool's two stages, stood in for: ``a1`` is held in its scoring (training model
    a) until the test releases it, and ``a2``'s sandbox ends only once a1 is being scored."""

    def __init__(self, monkeypatch):
        self.trained, self.ran, self.lock = [], {}, threading.Lock()
        self.release_a, self.a1_scoring = threading.Event(), threading.Event()
        self.submitted, scorers = threading.Event(), itertools.count()
        monkeypatch.setattr(grade.LocalPool, "_scorer", lambda pool: Worker(
            f"scorer{next(scorers)}", self.submitted))
        monkeypatch.setattr(grade.LocalPool, "_host", lambda pool: Worker(
            "sandbox", self.submitted))
        monkeypatch.setattr(grade.LocalPool, "PATIENCE", 0.2)  # then a second scorer starts
        self.scorers = []
        monkeypatch.setattr(grade, "run_sandboxed", self.run_sandboxed)
        monkeypatch.setattr(grade, "score_sandboxed", self.score_sandboxed)

    def run_sandboxed(self, notebook, staged, *, sandbox, **_):
        if notebook.stem == "a2":
            assert self.a1_scoring.wait(30)
        self.ran[notebook.stem] = Ran(notebook.stem)
        return self.ran[notebook.stem]

    def score_sandboxed(self, submission, staged, *, scorer, cache, **_):
        key = submission.fingerprint(staged)
        with self.lock:
            self.scorers.append(scorer.name)
            new = key not in self.trained
            if new and key is not None:
                self.trained.append(key)
        if submission.student == "a1":
            self.a1_scoring.set()
            assert self.release_a.wait(30)
        return Outcome(submission.student, "graded", reused=int(not new))

    def grade(self, tmp_path, cache, names=("a1", "a2", "c1", "x1", "x2")):
        """The pool started on ``names``: (pool, {name: future})."""
        pool = grade.LocalPool(2, tmp_path, timeout=30, memory_bytes=2**30, hide=(),
                               running=grade.Running(), cache=cache)
        futures = {name: pool.submit(tmp_path / f"{name}.ipynb") for name in names}
        self.submitted.set()
        return pool, futures


def test_an_identical_submission_waits_for_the_one_being_scored_and_frees_its_turn(
        tmp_path, monkeypatch):
    """a1 trains model a and is held there; a2 (the same artifacts) holds nothing while the
    next submissions are graded (by a second scorer, wanted once they waited for a1's), and
    is scored once a1 is, reusing a."""
    stand_ins = StandIns(monkeypatch)
    pool, futures = stand_ins.grade(tmp_path, cache=tmp_path / "cache")
    try:
        for name in ("c1", "x1", "x2"):  # graded while a1 is held: a2 holds nothing
            assert futures[name].result(timeout=30).status == "graded"
        assert not futures["a1"].done() and not futures["a2"].done()
        stand_ins.release_a.set()
        a1, a2 = futures["a1"].result(timeout=30), futures["a2"].result(timeout=30)
    finally:
        stand_ins.release_a.set()
        pool.shutdown()
    assert (a1.reused, a2.reused) == (0, 1)  # a was trained once, for a1
    assert pool.started == 2 and "scorer1" in stand_ins.scorers  # wanted while a1 trained
    assert sorted(stand_ins.trained) == ["a", "c"] and pool.deferred == 1  # a once
    ran = stand_ins.ran
    assert all(r.removed for r in ran.values())  # each folder removed once scored
    assert ran["a2"].waited > 0 and ran["c1"].waited == 0  # left out of its own seconds
    assert pool.scoring == {}


def test_a_class_whose_scoring_keeps_up_starts_one_scorer(tmp_path, monkeypatch):
    """Nothing waits for a scorer as long as PATIENCE: the second scorer (5.5 CPU seconds of
    imports) is never started, and the one there scores every submission."""
    stand_ins = StandIns(monkeypatch)
    monkeypatch.setattr(grade.LocalPool, "PATIENCE", 60.0)
    pool, futures = stand_ins.grade(tmp_path, cache=tmp_path / "cache",
                                    names=[f"x{i}" for i in range(8)])
    try:
        assert all(f.result(timeout=30).status == "graded" for f in futures.values())
    finally:
        pool.shutdown()
    assert pool.started == 1 and set(stand_ins.scorers) == {"scorer0"}
    assert len(stand_ins.scorers) == 8


def test_without_trusted_results_kept_nobody_waits(tmp_path, monkeypatch):
    """With no training cache (``--no-reuse``) the one waiting would train the model again
    anyway: a2 is scored beside a1, by a second scorer."""
    stand_ins = StandIns(monkeypatch)
    pool, futures = stand_ins.grade(tmp_path, cache=None, names=("a1", "a2"))
    try:
        assert futures["a2"].result(timeout=30).status == "graded"
        assert not futures["a1"].done()
    finally:
        stand_ins.release_a.set()
        pool.shutdown()
    assert pool.deferred == 0 and stand_ins.ran["a2"].waited == 0


@slow
def test_identical_notebooks_leave_artifacts_of_one_fingerprint(tmp_path):
    """Two students' copies of one mistake run in the warm sandbox leave the same
    fingerprint; another mistake leaves another."""
    assignment = assignments.get("getting_started")
    by_id = {s.id: s for s in samples.samples_of(assignment)}
    host = WarmSandbox()
    try:
        with bundle.staged_bundle(assignment) as staged:
            prints = {}
            for student, sample in (("ann", "no_sigmoid"), ("bo", "no_sigmoid"),
                                    ("cy", "bottleneck")):
                notebook = tmp_path / f"{student}.ipynb"
                notebooks.write(samples.notebook_for(assignment, by_id[sample]), notebook)
                submission = runner.run_sandboxed(notebook, staged, timeout=60,
                                                  memory_bytes=4 * 2**30, sandbox=host)
                try:
                    assert submission.ended is None and submission.status == "graded", \
                        submission.message
                    prints[student] = submission.fingerprint(staged)
                finally:
                    submission.remove()
    finally:
        host.close(remove=True)
    assert prints["ann"] and prints["ann"] == prints["bo"] != prints["cy"], prints
