"""``make bench``: time the grading of each sample class.

For each assignment: a correct submission graded alone (wall time; the
sandbox stage, which starts Python and TensorFlow and runs the notebook; the
training in the trusted scorer's hidden tests; and the rest, mostly the
scorer's own start-up), then the whole sample class graded in parallel
(median and max per submission, total). Targets: a correct submission in at most
60 s (text assignments) or 90 s (the others) on 2 cores.
"""
import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from autograder import assignments, similarity
from autograder.build import bundle
from autograder.tools import demo, samples
from autograder.engine.runner import DEFAULT_MEMORY_GB, grade_one


def bench(name: str, jobs: int, timeout: float):
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        assignment, book, _ = demo.run(name, jobs=jobs, timeout=timeout, out=Path(out),
                                       progress=False)
        total = time.perf_counter() - started
    with bundle.staged_bundle(assignment) as staged:
        alone = grade_one(samples.sample_dir(assignment) / "reference.ipynb", staged,
                          timeout=timeout, memory_bytes=DEFAULT_MEMORY_GB * 2**30)
    return alone, book, total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=demo.DEMO_TIMEOUT)
    args = parser.parse_args(argv)
    print(f"{'':<16} {'correct submission alone':^35} | {'sample class, ' + str(args.jobs) + ' jobs':^36}")
    print(f"{'assignment':<16} {'wall':>8} {'sandbox':>8} {'training':>8} {'other':>8} | "
          f"{'n':>3} {'median':>8} {'max':>8} {'total':>9}")
    for name in args.assignments:
        alone, book, total = bench(name, args.jobs, args.timeout)
        seconds = [float(r["seconds"]) for r in book.rows.values()]
        other = alone.seconds - alone.sandbox_seconds - alone.train_seconds
        print(f"{name:<16} {alone.seconds:>7.1f}s {alone.sandbox_seconds:>7.1f}s "
              f"{alone.train_seconds:>7.1f}s {other:>7.1f}s | {len(seconds):>3} "
              f"{statistics.median(seconds):>7.1f}s {max(seconds):>7.1f}s {total:>8.1f}s")
    if "convnets" in args.assignments:
        print("The ConvNets sample class includes the adversarial submissions; three of them "
              "run into the timeout.")
    timed = similarity.bench("tuning", 300)  # make similarity: target 60 s for 300 submissions
    print(f"\nsimilarity: {timed['submissions']} generated Tuning submissions, {timed['pairs']} pairs "
          f"x {timed['units']} cells and answers in {timed['seconds']:.1f} s")


if __name__ == "__main__":
    main()
