"""``make demo``: build every bundle and grade the embedded sample class.

Prints each sample's score beside the score it should get. The run folder
(``runs/demo/<assignment>``) holds the usual grades.csv, feedback and summary.
"""
import argparse
import os
import sys

from autograder import assignments, grade
from autograder.build import bundle, release
from autograder.tools import samples
from autograder.assignments import REPO_ROOT
from autograder.engine.runner import DEFAULT_MEMORY_GB

DEMO_TIMEOUT = 60  # seconds of sandbox per submission; each looping sample costs this much


def run(name: str, *, jobs: int, timeout: float, out=None, progress=True):
    """Build the bundles, write the sample class and grade it; return the grade book."""
    assignment = assignments.get(name)
    bundle.build(name)
    release.build(name)
    folder = samples.write_class(name)
    out = out or REPO_ROOT / "runs" / "demo" / name
    book = grade.grade_class(name, folder, out, jobs=jobs, timeout=timeout,
                             memory_gb=DEFAULT_MEMORY_GB, regrade=True, progress=progress)
    return assignment, book, out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=DEMO_TIMEOUT)
    args = parser.parse_args(argv)
    mismatches = 0
    for name in args.assignments:
        assignment, book, out = run(name, jobs=args.jobs, timeout=args.timeout)
        print(f"\n{assignment.config['title']} (max {book.max_points:g})")
        print(f"{'sample':<18} {'status':<9} {'score':>6} {'expected':>9}  "
              f"{'flags':<28} description")
        for sample in samples.samples_of(assignment):
            row = book.rows[sample.id]
            want = sum(sample.expected.values())
            ok = (row["status"] == sample.status and float(row["total"]) == want
                  and set(sample.flags) <= set(row["flags"].split()))
            mismatches += not ok
            print(f"{sample.id:<18} {row['status']:<9} {row['total']:>6} "
                  f"{want:>9g}  {row['flags']:<28} "
                  f"{'' if ok else 'MISMATCH '}{sample.description}")
        print(f"grades: {out / 'grades.csv'}\nsummary: {out / 'summary.md'}")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
