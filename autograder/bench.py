"""``make bench``: time the grading of each sample class.

Reports wall time per submission (median, max), how much of it went to
starting otter, the kernel and TensorFlow versus training in the hidden
tests, and the class total. Targets (issue 3): a correct ConvNets submission
in at most 90 s, the sample class in under 5 minutes, on 2 cores.
"""
import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from autograder import assignments, bundle, samples
from autograder.runner import grade_one
from autograder.demo import DEMO_TIMEOUT
from autograder import grade


def bench(name: str, jobs: int, timeout: float):
    assignment = assignments.get(name)
    bundle.build(name)
    folder = samples.write_class(name)
    # A correct submission alone on the machine: the per-submission target.
    alone = grade_one(folder / "reference.ipynb", assignment.autograder_zip,
                      timeout=timeout, memory_bytes=8 * 2**30)
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        book = grade.grade_class(name, folder, Path(out), jobs=jobs, timeout=timeout,
                                 memory_gb=8, regrade=True, progress=False)
        total = time.perf_counter() - started
    return alone, book, total


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=DEMO_TIMEOUT)
    args = parser.parse_args(argv)
    print(f"{'assignment':<10} {'n':>3} {'jobs':>4} {'correct alone':>13} "
          f"{'(train)':>8} {'median':>7} {'max':>6} {'overhead':>9} {'train':>6} {'class total':>11}")
    for name in args.assignments:
        alone, book, total = bench(name, args.jobs, args.timeout)
        rows = [r for r in book.rows.values() if r["status"] == "graded"]
        seconds = [float(r["seconds"]) for r in book.rows.values()]
        print(f"{name:<10} {len(book.rows):>3} {args.jobs:>4} {alone.seconds:>12.1f}s "
              f"{alone.train_seconds:>7.1f}s {statistics.median(seconds):>6.1f}s "
              f"{max(seconds):>5.1f}s {alone.seconds - alone.train_seconds:>8.1f}s "
              f"{alone.train_seconds:>5.1f}s {total:>10.1f}s")
        print(f"  ({len(rows)} graded normally; 'overhead' = otter + kernel + TensorFlow "
              f"start + notebook, for the correct submission graded alone)")


if __name__ == "__main__":
    main()
