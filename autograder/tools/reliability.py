"""Reliability figures for the class grader (issue 6): grade a large mixed class twice.

``python -m autograder.tools.reliability [--size 60]`` builds a class by cycling
through the sample class (correct, wrong and adversarial submissions), grades
it once straight through, then again with the run interrupted (Ctrl-C)
partway and restarted. It reports rows, whether every score matches across
the two runs, whether any submission is missing or duplicated, peak memory
and wall time.
"""
import argparse
import csv
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil

from autograder import assignments
from autograder.engine import notebooks
from autograder.tools import samples
from autograder.assignments import REPO_ROOT


def build_class(name: str, size: int, folder: Path) -> list[str]:
    assignment = assignments.get(name)
    pool = [s for s in samples.samples_of(assignment) if s.id != "too_big"]
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for index in range(size):
        sample = pool[index % len(pool)]
        student = f"s{index:03d}_{sample.id}"
        path = folder / f"{student}.ipynb"
        if sample.raw:
            path.write_bytes(sample.raw())
        else:
            notebooks.write(samples.notebook_for(assignment, sample), path)
        ids.append(student)
    return ids


class PeakMemory(threading.Thread):
    """Samples the machine's used memory every half second."""

    def __init__(self):
        super().__init__(daemon=True)
        self.base = psutil.virtual_memory().used
        self.peak = 0
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, psutil.virtual_memory().used - self.base)
            time.sleep(0.5)


def grade(name, folder, out, jobs, timeout, stop_after=None):
    command = [sys.executable, "-m", "autograder.grade", "--assignment", name,
               "--submissions", str(folder), "--out", str(out), "--jobs", str(jobs),
               "--timeout", str(timeout)]
    # A shell's background job ignores SIGINT, and Python then installs no
    # KeyboardInterrupt handler: restore the default so the interruption is real.
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        process.wait(timeout=stop_after)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGINT)  # what Ctrl-C does
        process.wait()
    return process.returncode


def rows(out: Path) -> list[dict]:
    with open(out / "grades.csv", newline="") as f:
        return list(csv.DictReader(f))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="convnets")
    parser.add_argument("--size", type=int, default=60)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--reuse-straight", action="store_true",
                        help="keep the straight run already in runs/reliability")
    args = parser.parse_args(argv)
    base = REPO_ROOT / "runs" / "reliability"
    ids = build_class(args.assignment, args.size, base / "class")
    memory = PeakMemory()
    memory.start()

    started = time.perf_counter()
    if args.reuse_straight and (base / "straight" / "grades.csv").exists():
        straight_seconds = float(os.environ.get("STRAIGHT_SECONDS", 600))
    else:
        grade(args.assignment, base / "class", base / "straight", args.jobs, args.timeout)
        straight_seconds = time.perf_counter() - started

    shutil.rmtree(base / "interrupted", ignore_errors=True)
    started = time.perf_counter()
    code = grade(args.assignment, base / "class", base / "interrupted", args.jobs, args.timeout,
                 stop_after=straight_seconds / 2)
    kept = len(rows(base / "interrupted"))
    grade(args.assignment, base / "class", base / "interrupted", args.jobs, args.timeout)
    interrupted_seconds = time.perf_counter() - started
    memory.running = False

    first = {r["id"]: r for r in rows(base / "straight")}
    second_rows = rows(base / "interrupted")
    second = {r["id"]: r for r in second_rows}
    columns = ["total", "status", *assignments.get(args.assignment).question_names]
    differ = [i for i in ids if any(first[i].get(c) != second[i].get(c) for c in columns)]
    print(f"submissions: {len(ids)}; rows: {len(first)} straight, {len(second_rows)} "
          f"interrupted-and-resumed ({len(second)} distinct ids)")
    print(f"missing: {sorted(set(ids) - set(first))} / {sorted(set(ids) - set(second))}")
    print(f"interrupted run: exit code {code}, {kept} rows kept at the interruption")
    print(f"identical scores and statuses across the two runs: {not differ} {differ}")
    print(f"wall: {straight_seconds:.0f} s straight, {interrupted_seconds:.0f} s interrupted "
          f"+ resumed; peak extra memory {memory.peak / 2**30:.1f} GiB")


if __name__ == "__main__":
    main()
