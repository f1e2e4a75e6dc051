"""Grading a large class: our grader against stock otter run serially (issue 7 benchmark).

``python -m autograder.tools.scale [--sizes 25 50 100] [--otter K]`` first builds the
reference solutions' training results (what ``make autograder`` does once per
assignment), then generates a class of each size across every assignment
(mostly correct submissions, some with typical mistakes, a few adversarial),
grades it with the class grader (warm sandbox hosts and scorers, reuse of
trusted results, ``--jobs`` at a time) and reports the wall time, the median
and worst seconds per submission, the peak memory of the grading processes
(all, per job, the largest single one) and how many models were trained. With
``--otter K`` it also runs ``otter run -a <zip>`` one submission after another
on the first K non-adversarial submissions of the largest class (all of them
when K is large enough), checks that otter gives the same points, and reports
the ratio of otter's serial time (scaled to the class when K is smaller) to ours.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from autograder import assignments, grade
from autograder.build import bundle, reference_results
from autograder.engine import notebooks, report
from autograder.tools import samples
from autograder.engine.runner import GRADING_ENV
from shared import data

#: Out of every 10 submissions of an assignment: 7 correct, 2 with a mistake, 1 adversarial.
MIX = ("reference", "mistake", "alternative", "reference", "adversarial", "reference",
       "mistake", "alternative", "reference", "reference")


def pools(assignment) -> dict[str, list]:
    """The assignment's samples by kind; adversarial ones are the ConvNets attacks."""
    by_kind = {"reference": [], "alternative": [], "mistake": [], "adversarial": []}
    for sample in samples.samples_of(assignment):
        if sample.id in ("reference", "alternative"):
            by_kind[sample.id].append(sample)
        elif sample.attack or sample.raw or sample.status != "graded":
            by_kind["adversarial"].append(sample)
        elif sample.fills is not None:
            by_kind["mistake"].append(sample)
    by_kind["adversarial"] = by_kind["adversarial"] or by_kind["mistake"]
    return by_kind


def build_class(size: int, folder: Path) -> dict[str, list[tuple[str, object]]]:
    """``size`` submissions spread over every assignment: {assignment: [(id, sample)]}."""
    names = assignments.available()
    built = {name: [] for name in names}
    kinds = {name: pools(assignments.get(name)) for name in names}
    for index in range(size):
        name = names[index % len(names)]
        turn = len(built[name])
        pool = kinds[name][MIX[turn % len(MIX)]]
        sample = pool[(turn // len(MIX)) % len(pool)]
        student = f"s{index:03d}_{sample.id}"
        path = folder / name / f"{student}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        if sample.raw:
            path.write_bytes(sample.raw())
        else:
            notebooks.write(samples.notebook_for(assignments.get(name), sample), path)
        built[name].append((student, sample))
    return built


class PeakMemory:
    """Peak resident memory of this process and its children together (``peak``) and of
    the largest one alone (``largest``), sampled every 0.5 s."""

    def __init__(self):
        self.peak, self.largest, self.stop = 0, 0, threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self):
        me = psutil.Process()
        while not self.stop.wait(0.5):
            sizes = []
            for process in [me, *me.children(recursive=True)]:
                try:
                    sizes.append(process.memory_info().rss)
                except psutil.Error:
                    continue
            self.peak = max(self.peak, sum(sizes))
            self.largest = max(self.largest, *sizes)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def grade_all(built, folder: Path, out: Path, jobs: int, timeout: float):
    """Grade each assignment's part of the class; (wall seconds, rows by id, PeakMemory)."""
    rows = {}
    started = time.perf_counter()
    with PeakMemory() as memory:
        for name in built:
            if built[name]:
                book = grade.grade_class(name, folder / name, out / name, jobs=jobs,
                                         timeout=timeout, memory_gb=8, progress=False)
                rows.update(book.rows)
    return time.perf_counter() - started, rows, memory


def otter_serial(built, folder: Path, count: int, rows: dict) -> tuple[float, int, list]:
    """Run stock otter on the first ``count`` non-adversarial submissions, one after another.

    Returns (seconds, submissions run, ids whose otter total differs from ours).
    """
    zips = {name: bundle.build(name) for name in built}
    chosen = [(name, student) for name in built for student, sample in built[name]
              if sample.status == "graded" and not sample.attack and not sample.raw]
    chosen = sorted(chosen, key=lambda pair: pair[1])[:count]
    differ, started = [], time.perf_counter()
    for name, student in chosen:
        with tempfile.TemporaryDirectory() as work:
            subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(zips[name]),
                            str(folder / name / f"{student}.ipynb"), "-o", work],
                           cwd=work, env={**os.environ, **GRADING_ENV}, capture_output=True,
                           timeout=900)
            try:
                results = json.loads((Path(work) / "results.json").read_text())
                total = sum(t["score"] for t in results["tests"] if "score" in t)
            except (OSError, ValueError, KeyError):
                total = None
        if total is None or float(total) != float(rows[student]["total"]):
            differ.append((student, total, rows[student]["total"]))
    return time.perf_counter() - started, len(chosen), differ


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 50, 100])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--otter", type=int, default=0, metavar="K",
                        help="also time stock otter, serially, on K submissions (at most all "
                             "the non-adversarial ones of the largest class)")
    args = parser.parse_args(argv)
    data.write_all_synthetic()  # as make grade does: missing stand-ins written once, not per sandbox
    started = time.perf_counter()
    for name in assignments.available():
        reference_results.build(name)
    print(f"autograder build: the reference solutions' training results, once per "
          f"assignment (make autograder), took {time.perf_counter() - started:.0f} s\n")
    print(f"{'size':>5} {'wall':>8} {'per sub':>8} {'median':>8} {'worst':>8} "
          f"{'peak mem':>9} {'per job':>8} {'largest':>8} {'trained':>8} {'reused':>7}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder, out = Path(tmp) / f"class{size}", Path(tmp) / f"run{size}"
            built = build_class(size, folder)
            wall, rows, memory = grade_all(built, folder, out, args.jobs, args.timeout)
            seconds = [float(r["seconds"]) for r in rows.values()]
            stages = [row for name in built if built[name]
                      for row in report.read_csv(out / name / "stages.csv")]
            reused = sum(int(row["reused"]) for row in stages)
            trained = sum(len(list((out / name / "training-cache").glob("*.json")))
                          - len(list(reference_results.folder_of(assignments.get(name))
                                     .glob("*.json")))
                          for name in built if built[name])
            gib = 2**30
            print(f"{size:>5} {wall:>7.0f}s {wall / size:>7.1f}s {statistics.median(seconds):>7.1f}s "
                  f"{max(seconds):>7.1f}s {memory.peak / gib:>8.1f}G "
                  f"{memory.peak / args.jobs / gib:>7.1f}G {memory.largest / gib:>7.1f}G "
                  f"{trained:>8} {reused:>7}", flush=True)
        print("(trained: distinct models trained in the run, the reference solutions' "
              "came with the autograder; reused: hidden trainings answered from either)")
        if args.otter:
            otter_seconds, ran, differ = otter_serial(built, folder, args.otter, rows)
            per = otter_seconds / ran
            print(f"\notter run, serially, on {ran} correct or mistaken submissions: "
                  f"{otter_seconds:.0f} s ({per:.1f} s each); {len(differ)} differ from ours "
                  f"{differ if differ else ''}")
            print(f"otter for all {size}, scaled: {per * size:.0f} s against our {wall:.0f} s: "
                  f"{per * size / wall:.1f}x (measured on {ran} of {size})")


if __name__ == "__main__":
    main()
