"""``make bench``: time the grading of each sample class.

For each assignment: a correct submission graded alone (wall time, the part
spent training in the hidden tests, and the rest: otter, kernel and
TensorFlow start-up plus the notebook), then the whole sample class graded
in parallel (median and max per submission, total). Targets (issue 3): a
correct ConvNets submission in at most 90 s, the sample class in under
5 minutes, on 2 cores.
"""
import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from autograder import assignments, bundle, demo, samples
from autograder.runner import DEFAULT_MEMORY_GB, grade_one


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
    print(f"{'':<10} {'correct submission alone':^26} | {'sample class, ' + str(args.jobs) + ' jobs':^36}")
    print(f"{'assignment':<10} {'wall':>8} {'training':>8} {'start-up':>8} | "
          f"{'n':>3} {'median':>8} {'max':>8} {'total':>9}")
    for name in args.assignments:
        alone, book, total = bench(name, args.jobs, args.timeout)
        seconds = [float(r["seconds"]) for r in book.rows.values()]
        print(f"{name:<10} {alone.seconds:>7.1f}s {alone.train_seconds:>7.1f}s "
              f"{alone.seconds - alone.train_seconds:>7.1f}s | {len(seconds):>3} "
              f"{statistics.median(seconds):>7.1f}s {max(seconds):>7.1f}s {total:>8.1f}s")
    print("start-up = otter, kernel and TensorFlow start plus the notebook's cells; "
          "the sample class includes one submission that runs into the timeout.")


if __name__ == "__main__":
    main()
