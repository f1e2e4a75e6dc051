"""``make similarity RUN=<run>`` and ``--calibrate [--write]``: the command line."""
import argparse
import sys
from pathlib import Path

from autograder import assignments
from autograder.assignments import KitError
from autograder.engine import report
from autograder.similarity.calibration import calibrate_command
from autograder.similarity.reports import run
from autograder.similarity.scoring import thresholds
from shared.i18n import msg_in


def main(argv=None):
    parser = argparse.ArgumentParser(description="Which students handed in the same code or the same paragraph (advisory)")
    parser.add_argument("--out", type=Path, help="the run folder of make grade")
    parser.add_argument("--assignment", help="default: the one the run graded")
    parser.add_argument("--submissions", type=Path,
                        help="compare the notebooks in this folder instead of the run's")
    parser.add_argument("--calibrate", action="store_true",
                        help="measure planted and generated copies against independent pairs "
                             "on the sample class")
    parser.add_argument("--write", action="store_true",
                        help="with --calibrate: record the thresholds in the config")
    args = parser.parse_args(argv)
    try:
        if args.calibrate:
            return calibrate_command(args.assignment, args.write)
        if args.out is None:
            raise KitError("pass RUN=<run folder> (--out)")
        name = args.assignment or report.run_info(args.out).get("assignment")
        if not name:
            raise KitError(f"cannot tell which assignment {args.out} graded: pass ASSIGNMENT=")
        assignment = assignments.get(name)
        paths = None
        if args.submissions:
            paths = sorted(args.submissions.glob("*.ipynb"))
        pairs = run(assignment, paths, args.out)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    limits = thresholds(assignment)
    above = sum(1 for p in pairs if p.score >= limits[p.kind])
    print(msg_in(report.run_language(args.out, assignment, "ta_language"), "sim.cli",
                 count=len(pairs), above=above, page=args.out / "similarity.html"))
