"""Trusted training results of the reference solution, computed when the autograder is built.

``make autograder`` grades each assignment's reference solution once, like any
submission (sandbox, then trusted scorer), with a training cache in
``dist/autograder/<assignment>-results/``, and stops if the reference does not
earn every point. A class run starts its own training cache from these files,
so the most common submission, a correct one, trains nothing.

Only trusted code writes them: the scorer, into a folder under ``dist/``, which
every sandbox has masked. Each file is keyed by everything its result depends
on (architecture, budget, hidden data and seed, the grader's code, library
versions and the machine's CPU, see ``gradelib.cache_key``), so a result built
with other code or on another kind of machine is never used, only ignored.
"""
import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from autograder import assignments
from autograder.build import bundle
from autograder.engine import notebooks
from autograder.tools import samples
from autograder.assignments import KitError
from autograder.engine.runner import grade_one, sandbox_budget


def folder_of(assignment) -> Path:
    return assignment.autograder_zip.with_name(f"{assignment.name}-results")


def build(name: str) -> Path:
    """Grade the reference solution with a fresh cache; return the cache folder."""
    assignment = assignments.get(name)
    target = folder_of(assignment)
    reference = next(s for s in samples.samples_of(assignment) if s.id == "reference")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f"{name}-results-", dir=target.parent))
    try:
        with tempfile.TemporaryDirectory() as tmp, bundle.staged_bundle(assignment) as staged:
            notebook = Path(tmp) / "reference.ipynb"
            notebooks.write(samples.notebook_for(assignment, reference), notebook)
            cpu_seconds, memory_gb = sandbox_budget(assignment.config)  # a student's
            outcome = grade_one(notebook, staged, timeout=cpu_seconds,
                                memory_bytes=int(memory_gb * 2**30), cache=partial)
        want = sum(reference.expected.values())
        if outcome.status != "graded" or sum(outcome.scores.values()) != want:
            raise KitError(f"{name}: the reference solution earned "
                           f"{sum(outcome.scores.values()):g} of {want:g} points "
                           f"({outcome.status}) {outcome.message}; fix it before release")
        shutil.rmtree(target, ignore_errors=True)
        partial.rename(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


def seed(source: Path, cache: Path) -> int:
    """Copy the results in ``source`` that ``cache`` lacks; return how many were copied."""
    if not source.is_dir():
        return 0
    cache.mkdir(parents=True, exist_ok=True)
    copied = 0
    for result in source.glob("*.json"):
        if not (cache / result.name).exists():
            tmp = cache / f"{result.name}.{os.getpid()}.seed"
            try:
                shutil.copy(result, tmp)
            except FileNotFoundError:  # the folder is being rebuilt: that result trains again
                continue
            os.replace(tmp, cache / result.name)
            copied += 1
    return copied


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    args = parser.parse_args(argv)
    for name in args.assignments:
        started = time.perf_counter()
        target = build(name)
        print(f"{name}: reference results in {target} "
              f"({len(list(target.glob('*.json')))} trainings, "
              f"{time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
