"""A stand-in for the sandbox and scorer in tests of the class tools (collect, late work,
export, reports): instant, deterministic, with per-test results like the scorer's.

A notebook made by :func:`notebook` carries the points each ConvNets test case should
get in its metadata; :func:`fake_grade_one` reads them back as a grading outcome.
"""
import json

from autograder.engine.runner import Outcome, feedback_text

#: ConvNets' questions and their test cases (name, points), as the scorer reports them.
CASES = {"happy_model": [("architecture", 4.0), ("compiled", 1.0), ("accuracy", 2.0)],
         "signs_model": [("architecture", 4.0), ("compiled", 1.0), ("accuracy", 2.0)]}
FAILURES = {"architecture": "ComparisonError: layer 3: expected BatchNormalization, found ReLU",
            "compiled": "AssertionError: the model is not compiled: call compile() first",
            "accuracy": "AssertionError: test accuracy 0.41 is below 0.7"}


def notebook(passed: dict | None = None, tag: str = "", status: str = "graded",
             flags: tuple = ()) -> bytes:
    """A notebook whose fake grade passes the cases named in ``passed``
    ({question: [case names]}; None: every case), with that status and those flags."""
    passed = passed if passed is not None else {q: [c for c, _ in cs] for q, cs in CASES.items()}
    return json.dumps({"cells": [{"cell_type": "markdown", "id": "fake", "metadata": {},
                                  "source": tag}],
                       "metadata": {"fake_passed": passed, "fake_status": status,
                                    "fake_flags": list(flags)},
                       "nbformat": 4, "nbformat_minor": 5}).encode()


def fake_grade_one(path, staged, **_):
    try:
        metadata = json.loads(path.read_text())["metadata"]
        passed = metadata["fake_passed"]
    except (ValueError, KeyError):
        return Outcome(path.stem, "invalid", message=f"{path.name}: not a notebook")
    results, scores, outputs = {}, {}, {}
    for question, cases in CASES.items():
        rows = [{"name": name, "points": points, "passed": name in passed.get(question, []),
                 "message": "" if name in passed.get(question, []) else FAILURES[name]}
                for name, points in cases]
        score = sum(r["points"] for r in rows if r["passed"])
        results[question] = {"score": score, "max": sum(p for _, p in cases), "cases": rows}
        scores[question] = score
        outputs[question] = feedback_text(results[question])  # as the real grader words it
    status = metadata.get("fake_status", "graded")
    message = "" if status == "graded" else f"stopped: {status} (fake)"
    return Outcome(path.stem, status, scores, outputs, message=message, seconds=0.1,
                   flags=metadata.get("fake_flags", []), results=results)


def use_fake_grader(monkeypatch) -> list:
    """Grade with :func:`fake_grade_one` and no warm workers; returns the ids graded."""
    from autograder import grade

    graded = []

    def _grade(self, notebook):
        graded.append(notebook.stem)
        return fake_grade_one(notebook, None)

    monkeypatch.setattr(grade.LocalPool, "_grade", _grade)
    return graded
