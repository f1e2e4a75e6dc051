"""Grading a large class: the kit against stock otter run in parallel on the same cores (issue 25).

``python -m autograder.tools.scale [--sizes 25 50 100 300] [--jobs N] [--otter K] [--dask SIZE]
[--assignments ...]``
(the second half of ``make bench``) first builds what ``make autograder`` builds (the
reference solutions' training results and the otter zips ``dist/autograder/<name>.zip``),
then generates a class of each size across every assignment (7 in 10 correct, 2 with a
mistake, 1 adversarial; each class is the first submissions of the next, so one otter
sample serves them all) and grades it the way a TA does: ``python -m autograder.grade``
once per assignment, ``--jobs N`` (default: the number of cores, as ``make grade``).

The fair anchor is stock ``otter run -a dist/autograder/<name>.zip`` on the same
notebooks, N at a time: a TA with N cores would not run otter one after another. Otter's
cost per submission is flat (it starts Python, TensorFlow and the notebook afresh each
time), so it runs on a sample, the first K submissions that are not adversarial (otter has
no sandbox to stop those), and is scaled to each class: the sample's wall times the class's
work over the sample's, a submission's work being its assignment's mean seconds under otter
in the sample. The output says so. Otter's points are checked against the kit's.

For each class it reports the wall time; the first-row latency of every ``grade`` (from the
process's start to the first graded row in its ``grades.csv``, looked at every 0.1 s: what a
TA waits for after typing ``make grade``); the marginal seconds of a reused correct
submission and of one that trained a model no earlier one had (medians of ``stages.csv``'s
per-submission totals, the time a job spends on one); the peak memory (all processes, per
job, the largest one); and where the time went, summed from ``stages.csv`` (which the class
grader writes from each Outcome: sandbox, scorer, the scorer's training) plus what no
submission's own time covers (start-up, collecting, feedback, summary, idle jobs). Then the
figures against the issue's goals (:data:`GOALS`) with the machine's load average: timings
taken on a loaded machine say little, so the load is printed beside them.

``--dask SIZE`` also grades the class of SIZE on a local Dask cluster (``dask scheduler``
and ``dask worker --nworkers <jobs> --nthreads 1``, as docs/ta-week.md starts one) and
compares its wall and its ``grades.csv`` (every column but ``seconds``) with the local run.

Everything printed at the end, and every figure as JSON, goes to ``runs/bench/<time>/``
(``scale.txt``, ``scale.json``), with each ``grade``'s log and each class's grades.csv and
stages.csv.
"""
import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import psutil

from autograder import assignments
from autograder.assignments import REPO_ROOT, KitError
from autograder.build import bundle, reference_results
from autograder.engine import notebooks, report, trusted
from autograder.engine.runner import GRADING_ENV
from autograder.tools import samples
from shared import data

#: Out of every 10 submissions of an assignment: 7 correct, 2 with a mistake, 1 adversarial.
MIX = ("reference", "mistake", "alternative", "reference", "adversarial", "reference",
       "mistake", "alternative", "reference", "reference")
CORRECT = ("reference", "alternative")
SIZES = [25, 50, 100, 300]
#: Otter is timed on at least this many submissions before its figure is scaled (issue 25).
OTTER_SAMPLE = 50
OTTER_TIMEOUT = 900  # wall seconds per otter run; stock otter has no limit of its own
OTTER_RESULTS_BYTES = 16 * 2**20  # otter's results.json, written beside student code
POLL = 0.1  # seconds between looks at a running grade's grades.csv
SAMPLE_SECONDS = 1.0  # between two sweeps of the memory sampler
#: The issue's goals: (what, figure, comparison, bound, unit). Figures: ratio:<size> is
#: otter's wall over the kit's; reused is the largest class's median marginal seconds of a
#: reused correct submission; first_row the worst first-row latency of every grade run.
GOALS = [
    ("kit vs otter in parallel, 100 submissions", "ratio:100", ">=", 10.0, "x"),
    ("kit vs otter in parallel, 300 submissions", "ratio:300", ">=", 20.0, "x"),
    ("a reused correct submission, marginal (median, largest class)", "reused", "<=", 1.5, " s"),
    ("first row after grade starts (worst assignment, any class)", "first_row", "<=", 10.0, " s"),
]
RESULTS = REPO_ROOT / "runs" / "bench"
GIB = 2**30


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


def build_class(size: int, folder: Path, names: list[str] | None = None
                ) -> dict[str, list[tuple[str, object]]]:
    """``size`` submissions spread over the assignments ``names`` (default: every one):
    {assignment: [(id, sample)]}."""
    names = names or assignments.available()
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


def index_of(student: str) -> int:
    """The place in the class of a generated id (``s007_reference``: 7)."""
    return int(student[1:].split("_")[0])


def adversarial(sample) -> bool:
    return sample.status != "graded" or bool(sample.attack or sample.raw)


def load() -> list[float]:
    """The machine's load average over 1, 5 and 15 minutes."""
    return [round(value, 2) for value in os.getloadavg()]


def machine() -> str:
    one, five, fifteen = load()
    return f"{os.cpu_count()} cores, load average {one} {five} {fifteen} (1, 5, 15 min)"


def proportional(process, rss: int) -> int:
    """A process's proportional set size; its resident size where the kernel will not say
    (no smaps_rollup, or a process that ended between two reads)."""
    try:
        return process.memory_full_info().pss
    except (psutil.Error, AttributeError, OSError):
        return rss


class PeakMemory:
    """Peak memory of this process and its children together (``peak``), of the largest one
    alone (``largest``), and the highest 1-minute load average, every second (a sweep reads
    every process's smaps_rollup, 3 ms for each warm process: the sampler must not load the
    machine it measures).

    The sum is of proportional set sizes (PSS: a page shared by n processes counts 1/n in
    each), not of resident sizes: every sandbox is forked from a warm host and shares its
    TensorFlow pages, and summing RSS counted them once per fork (55 GiB "peak" for a class
    of 300 on a 24 GiB machine). ``largest`` stays one process's resident size."""

    def __init__(self):
        self.peak, self.largest, self.load = 0, 0, 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self):
        me = psutil.Process()
        while not self.stop.wait(SAMPLE_SECONDS):
            shares, sizes = [], []
            for process in [me, *me.children(recursive=True)]:
                try:
                    sizes.append(process.memory_info().rss)
                    shares.append(proportional(process, sizes[-1]))
                except psutil.Error:
                    continue
            self.peak = max(self.peak, sum(shares))
            self.largest = max(self.largest, *sizes)
            self.load = max(self.load, os.getloadavg()[0])

    def figures(self, jobs: int) -> dict:
        return {"peak": self.peak, "per_job": self.peak // max(jobs, 1),
                "largest": self.largest, "load_max": round(self.load, 2)}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


# --- the kit, as a TA runs it ------------------------------------------------------------

def grade_command(name: str, submissions: Path, out: Path, *, jobs: int,
                  timeout: float | None = None, scheduler: str | None = None) -> list[str]:
    """``make grade`` for one assignment, on ``jobs`` local jobs or the Dask ``scheduler``;
    the sandbox's CPU seconds are the assignment's unless ``timeout`` says."""
    where = ["--scheduler", scheduler] if scheduler else ["--jobs", str(jobs)]
    limit = ["--timeout", f"{timeout:g}"] if timeout is not None else []
    return [sys.executable, "-m", "autograder.grade", "--assignment", name,
            "--submissions", str(submissions), "--out", str(out), *limit, *where]


def graded_rows(grades: Path) -> list[dict]:
    """The rows of a grades.csv being written (atomically) that have been graded."""
    try:
        return [row for row in report.read_csv(grades) if row.get("status") == "graded"]
    except (OSError, ValueError):  # not written yet
        return []


def run_grade(command: list[str], grades: Path, log: Path) -> tuple[float, float | None]:
    """Run one ``grade``: (wall seconds, seconds until its first graded row, or None)."""
    first = None
    started = time.perf_counter()
    with open(log, "wb") as output:
        process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=output,
                                   stderr=subprocess.STDOUT)
        try:
            while process.poll() is None:
                if first is None and graded_rows(grades):
                    first = time.perf_counter() - started
                time.sleep(POLL)
        finally:
            if process.poll() is None:  # interrupted: let the grader keep what it has
                process.send_signal(signal.SIGINT)
                process.wait()
    wall = time.perf_counter() - started
    if first is None and graded_rows(grades):  # graded between two looks: at most the wall
        first = wall
    if process.returncode != 0:
        with open(log, "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - 2000))
            tail = f.read().decode(errors="replace")
        raise KitError(f"{' '.join(command[2:5])} failed (exit {process.returncode}); "
                       f"the end of its log {log}:\n{tail}")
    return wall, first


@dataclass
class KitRun:
    """One generated class graded by the kit, every assignment in turn."""

    size: int
    jobs: int
    wall: float = 0.0
    first_row: dict = field(default_factory=dict)  # assignment -> seconds (None: no graded row)
    memory: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)  # grades.csv rows of every assignment
    stages: list = field(default_factory=list)  # stages.csv rows of every assignment
    trained: int = 0  # models trained in the run (the reference solutions' came with the zip)


def grade_all(built, folder: Path, out: Path, keep: Path, *, jobs: int, timeout: float | None,
              scheduler: str | None = None) -> KitRun:
    """Grade each assignment's part of the class with ``grade``; copies each run's
    grades.csv, stages.csv and log into ``keep``."""
    run = KitRun(sum(len(v) for v in built.values()), jobs)
    keep.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with PeakMemory() as memory:
        for name in (n for n in built if built[n]):
            command = grade_command(name, folder / name, out / name, jobs=jobs, timeout=timeout,
                                    scheduler=scheduler)
            _, run.first_row[name] = run_grade(command, out / name / "grades.csv",
                                               keep / f"{name}.log")
            for kind, rows in (("grades", run.rows), ("stages", run.stages)):
                path = out / name / f"{kind}.csv"
                shutil.copyfile(path, keep / f"{name}-{kind}.csv")
                rows.extend(report.read_csv(path))
            cache = out / name / "training-cache"
            seeded = reference_results.folder_of(assignments.get(name))
            if cache.is_dir():
                run.trained += len(list(cache.glob("*.json"))) - len(list(seeded.glob("*.json")))
    run.wall = time.perf_counter() - started
    run.memory = memory.figures(jobs)
    return run


def number(value) -> float:
    """A stages.csv or grades.csv cell as a number (blank or odd: 0)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def median_of(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 2) if values else None, "n": len(values)}


def marginals(stages: list[dict], kinds: dict[str, str]) -> dict:
    """Seconds a job spends on one more submission: a correct one answered wholly from trusted
    results (reused, nothing trained) and one that trained a model no earlier one had;
    ``kinds`` maps each id to its sample's id."""
    reused = [number(row.get("total")) for row in stages
              if kinds.get(row["id"]) in CORRECT and number(row.get("reused")) > 0
              and number(row.get("training")) == 0]
    trained = [number(row.get("total")) for row in stages if number(row.get("training")) > 0]
    return {"reused_correct": median_of(reused), "distinct_model": median_of(trained)}


def where_time_goes(stages: list[dict], wall: float, jobs: int) -> dict[str, float]:
    """Seconds per stage summed over the class (each column of stages.csv; the scorer's
    without its training, which has a column of its own), and ``outside``: the jobs' time
    that no submission's own total covers."""
    columns = [c for c in (stages[0] if stages else {}) if c not in ("id", "reused", "total")]
    sums = {c: sum(number(row.get(c)) for row in stages) for c in columns}
    if "scorer" in sums and "training" in sums:
        sums["scorer"] -= sums["training"]
    sums["outside"] = jobs * wall - sum(number(row.get("total")) for row in stages)
    return {c: round(s, 1) for c, s in sums.items()}


def class_figures(run: KitRun, kinds: dict[str, str]) -> dict:
    """What is reported of one class graded by the kit."""
    seconds = [number(row.get("seconds")) for row in run.rows if row.get("status") != "missing"]
    return {"size": run.size, "jobs": run.jobs, "wall": round(run.wall, 1),
            "first_row": {k: None if v is None else round(v, 1) for k, v in run.first_row.items()},
            "median": round(statistics.median(seconds), 2) if seconds else None,
            "worst": round(max(seconds), 1) if seconds else None,
            "memory": run.memory, "trained": run.trained,
            "reused": int(sum(number(row.get("reused")) for row in run.stages)),
            "marginal": marginals(run.stages, kinds),
            "time": where_time_goes(run.stages, run.wall, run.jobs)}


# --- the fair anchor: stock otter, N at a time ---------------------------------------------

def otter_command(autograder_zip: Path, notebook: Path, out: Path) -> list[str]:
    """Stock otter on one submission, as its docs say: ``otter run -a <zip> <nb> -o <dir>``."""
    return [sys.executable, "-m", "otter", "run", "-a", str(autograder_zip), str(notebook),
            "-o", str(out)]


def otter_sample(built, count: int) -> list[tuple[str, str]]:
    """The first ``count`` submissions of the class (by id) that are not adversarial:
    [(assignment, id)], spread over the assignments as the class is."""
    chosen = [(name, student) for name in built for student, sample in built[name]
              if not adversarial(sample)]
    return sorted(chosen, key=lambda pair: index_of(pair[1]))[:count]


def otter_points(results: Path) -> float | None:
    """The total otter wrote to ``results.json`` (read bounded: student code ran beside it)."""
    try:
        tests = json.loads(trusted.read_bounded(results, OTTER_RESULTS_BYTES))["tests"]
        return float(sum(float(test["score"]) for test in tests if "score" in test))
    except Exception:  # noqa: BLE001 - no results, or results no grade can be read from
        return None


def otter_one(autograder_zip: Path, notebook: Path) -> tuple[float, float | None, str]:
    """Otter on one notebook, in a folder of its own: (seconds, points or None, why none)."""
    with tempfile.TemporaryDirectory(prefix="kit-otter-") as work:
        started = time.perf_counter()
        try:
            done = subprocess.run(otter_command(autograder_zip, notebook, Path(work)), cwd=work,
                                  capture_output=True, env={**os.environ, **GRADING_ENV},
                                  timeout=OTTER_TIMEOUT)
            why = done.stderr.decode(errors="replace")[-300:] if done.returncode else ""
        except subprocess.TimeoutExpired:
            why = f"stopped after {OTTER_TIMEOUT} s"
        seconds = time.perf_counter() - started
        points = otter_points(Path(work) / "results.json")
    return seconds, points, "" if points is not None else (why or "no results.json")


def run_otter(sample, zips: dict[str, Path], folder: Path, jobs: int) -> dict:
    """Otter on ``sample`` ([(assignment, id)]), ``jobs`` at a time, as a TA with ``jobs``
    cores would run it: the wall, each run's seconds and points, the peak memory."""
    def one(pair):
        name, student = pair
        try:
            seconds, points, why = otter_one(zips[name], folder / name / f"{student}.ipynb")
        except Exception as exc:  # noqa: BLE001 - one submission's failure is its own row
            seconds, points, why = 0.0, None, f"{type(exc).__name__}: {exc}"
        return {"assignment": name, "id": student, "seconds": round(seconds, 2),
                "points": points, "why": why}

    started = time.perf_counter()
    with PeakMemory() as memory, ThreadPoolExecutor(max_workers=jobs) as pool:
        runs = list(pool.map(one, sample))
    return {"jobs": jobs, "wall": round(time.perf_counter() - started, 1), "runs": runs,
            "memory": memory.figures(jobs)}


def otter_estimate(sample_wall: float, sample: list[tuple[str, float]],
                   counts: dict[str, int]) -> float:
    """Otter's wall for a class of ``counts`` submissions per assignment, scaled from a
    sample of [(assignment, seconds)] that ran in ``sample_wall``: the sample's wall times
    the class's work over the sample's, each submission's work being its assignment's mean
    in the sample (the sample's mean, for an assignment the sample lacks)."""
    if not sample:
        raise ValueError("otter ran on no submission: nothing to scale")
    by_name = defaultdict(list)
    for name, seconds in sample:
        by_name[name].append(seconds)
    overall = statistics.fmean(seconds for _, seconds in sample)
    work = sum(n * (statistics.fmean(by_name[name]) if by_name[name] else overall)
               for name, n in counts.items())
    return sample_wall * work / sum(seconds for _, seconds in sample)


def otter_differs(runs: list[dict], rows: list[dict]) -> list[str]:
    """Submissions whose otter points are not the kit's."""
    ours = {row["id"]: row.get("total") for row in rows}
    return [f"{run['id']}: otter {run['points']}, kit {ours.get(run['id'])}" for run in runs
            if run["points"] is None or run["id"] not in ours
            or number(ours[run["id"]]) != run["points"]]


# --- scaling out: a local Dask cluster -----------------------------------------------------

@contextlib.contextmanager
def local_cluster(folder: Path, workers: int, wait: float = 120):
    """A Dask scheduler and ``workers`` worker processes of one thread each, started as
    docs/ta-week.md says; yields the scheduler's address and stops both after."""
    from distributed import Client

    dask = str(Path(sys.executable).with_name("dask"))
    address_file = folder / "scheduler.json"
    started = []
    with open(folder / "dask.log", "wb") as log:
        def start(*arguments):
            started.append(subprocess.Popen([dask, *arguments, "--no-dashboard"], cwd=REPO_ROOT,
                                            stdout=log, stderr=subprocess.STDOUT))
        try:
            start("scheduler", "--scheduler-file", str(address_file), "--port", "0")
            deadline = time.monotonic() + wait
            while not address_file.exists():
                if time.monotonic() > deadline or started[0].poll() is not None:
                    raise KitError(f"the Dask scheduler did not start: see {folder / 'dask.log'}")
                time.sleep(POLL)
            start("worker", "--scheduler-file", str(address_file), "--nworkers", str(workers),
                  "--nthreads", "1")
            with Client(scheduler_file=str(address_file), timeout=wait) as client:
                client.wait_for_workers(workers, timeout=wait)
                address = client.scheduler.address
            yield address
        finally:
            for process in reversed(started):
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def grade_differences(local: list[dict], cluster: list[dict], ignore=("seconds",)) -> list[str]:
    """Where two grades.csv (rows) differ, every column but ``ignore``; [] when identical."""
    ours, theirs = ({row["id"]: row for row in rows} for rows in (local, cluster))
    found = [f"{student}: only in the local run" for student in sorted(ours.keys() - theirs)]
    found += [f"{student}: only on the cluster" for student in sorted(theirs.keys() - ours)]
    for student in sorted(ours.keys() & theirs):
        a, b = ours[student], theirs[student]
        for column in sorted((a.keys() | b.keys()) - set(ignore)):
            if a.get(column) != b.get(column):
                found.append(f"{student} {column}: {a.get(column)!r} locally, "
                             f"{b.get(column)!r} on the cluster")
    return found


# --- figures against the goals, and the tables -----------------------------------------------

def figure(result: dict, key: str) -> float | None:
    """The figure a goal is judged on (see :data:`GOALS`), None when not measured."""
    classes = result["classes"]
    if key.startswith("ratio:"):
        size = int(key.split(":")[1])
        return next((c.get("ratio") for c in classes if c["size"] == size), None)
    if key == "reused":
        return classes[-1]["marginal"]["reused_correct"]["median"] if classes else None
    if key == "first_row":
        latencies = [s for c in classes for s in c["first_row"].values() if s is not None]
        return max(latencies) if latencies else None
    raise KeyError(key)


def verdict(value: float | None, comparison: str, bound: float) -> str:
    if value is None:
        return "not measured"
    return "met" if (value >= bound if comparison == ">=" else value <= bound) else "NOT met"


def goal_rows(result: dict) -> list[dict]:
    rows = []
    for what, key, comparison, bound, unit in GOALS:
        value = figure(result, key)
        rows.append({"goal": what, "figure": value, "target": f"{comparison} {bound:g}{unit}",
                     "verdict": verdict(value, comparison, bound), "unit": unit})
    return rows


def _fmt(value, unit="", digits=1) -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def ratio_table(result: dict) -> list[str]:
    """Kit against otter per class size, with the ratio goals beside."""
    goals = {key: (comparison, bound) for _, key, comparison, bound, _ in GOALS}
    otter = result.get("otter")
    lines = [f"kit against stock otter run, {result['jobs']} at a time on {result['cores']} cores",
             f"{'size':>5} {'kit wall':>9} {'otter wall':>11} {'ratio':>7} {'goal':>7}  verdict"]
    for c in result["classes"]:
        comparison, bound = goals.get(f"ratio:{c['size']}", (None, None))
        goal = f"{comparison} {bound:g}x" if comparison else ""
        judged = verdict(c.get("ratio"), comparison, bound) if comparison else ""
        lines.append(f"{c['size']:>5} {c['wall']:>8.0f}s {_fmt(c.get('otter_wall'), 's', 0):>11} "
                     f"{_fmt(c.get('ratio'), 'x'):>7} {goal:>7}  {judged}".rstrip())
    if otter:
        ran = len(otter["runs"])
        lines.append(f"otter was timed on {ran} submissions (the first {ran} of the class of "
                     f"{result['classes'][-1]['size']} that are not adversarial), "
                     f"{otter['jobs']} at a time: {otter['wall']:.0f} s; each class's otter "
                     f"wall is that scaled by its assignments' mean seconds per submission"
                     + (f" (fewer than {OTTER_SAMPLE}: indicative only)" if ran < OTTER_SAMPLE
                        else ""))
        if otter.get("from"):
            changed = otter.get("changed", [])
            lines.append(f"otter's timing was taken from {otter['from']} ({otter.get('when', '?')}, "
                         f"load {' '.join(map(str, otter.get('load_at_start', [])))} at its start, "
                         f"at most {otter['memory']['load_max']} during); the zips' members "
                         + ("are the same" if not changed else
                            f"that changed since: {len(changed)}: " + ", ".join(changed[:6])))
            if busy_anchor(otter):
                lines.append(f"caution: otter was timed beside other work (load up to "
                             f"{otter['memory']['load_max']} on {otter.get('cores')} cores); a "
                             f"busy machine slows otter, and "
                             f"the ratios flatter the kit: time otter again (OTTER=50) on a "
                             f"quiet machine for a figure to quote")
        lines.append(f"otter's points differ from the kit's on {len(otter['differ'])} of {ran}"
                     + (": " + "; ".join(otter["differ"][:5]) if otter["differ"] else ""))
    else:
        lines.append("otter was not run (--otter K to time it on K submissions)")
    return lines


def detail_table(result: dict) -> list[str]:
    """Per class: seconds per submission, first row, marginals, memory, trainings."""
    lines = [f"{'size':>5} {'median':>7} {'worst':>7} {'first row':>10} {'reused ok':>10} "
             f"{'new model':>10} {'peak mem':>9} {'per job':>8} {'largest':>8} {'trained':>8} "
             f"{'reused':>7}"]
    for c in result["classes"]:
        slowest = max(c["first_row"].items(), key=lambda kv: -1 if kv[1] is None else kv[1],
                      default=(None, None))
        reused, model = c["marginal"]["reused_correct"], c["marginal"]["distinct_model"]
        lines.append(f"{c['size']:>5} {_fmt(c['median'], 's'):>7} {_fmt(c['worst'], 's'):>7} "
                     f"{_fmt(slowest[1], 's'):>10} {_fmt(reused['median'], 's', 2):>10} "
                     f"{_fmt(model['median'], 's'):>10} {c['memory']['peak'] / GIB:>8.1f}G "
                     f"{c['memory']['per_job'] / GIB:>7.1f}G {c['memory']['largest'] / GIB:>7.1f}G "
                     f"{c['trained']:>8} {c['reused']:>7}")
    lines.append("median, worst: seconds per submission; first row: the slowest assignment's "
                 "wait from grade's start to its first graded row; reused ok, new model: median "
                 "seconds of a correct submission answered from trusted results and of one that "
                 "trained a model no earlier one had; peak mem: every process together, per job "
                 "and the largest; trained: distinct models trained (the reference solutions' "
                 "came with the autograder); reused: hidden trainings answered from either")
    return lines


def time_table(result: dict) -> list[str]:
    """Where the jobs' time went, per class, from stages.csv."""
    lines = ["where the time went (job-seconds, from stages.csv; outside: start-up, collecting, "
             "feedback, summary, similarity and idle jobs)"]
    for c in result["classes"]:
        total = sum(max(s, 0.0) for s in c["time"].values()) or 1.0
        parts = ", ".join(f"{name} {s:.0f} s ({100 * max(s, 0.0) / total:.0f}%)"
                          for name, s in c["time"].items() if name != "outside" or s >= 0)
        lines.append(f"{c['size']:>5}: {parts}")
        if c["time"].get("outside", 0) < 0:
            # JOBS sandbox turns and the scorers run at once: more processes than cores
            lines.append(f"       (the stages' seconds sum {-c['time']['outside']:.0f} s past "
                         f"the jobs' wall: sandboxes and scorers ran side by side, sharing "
                         f"the cores, so each stage's seconds are wall seconds, not CPU)")
    return lines


def goals_table(result: dict) -> list[str]:
    lines = [f"{'goal (issue 25)':<64} {'figure':>8} {'target':>10}  verdict"]
    for row in goal_rows(result):
        lines.append(f"{row['goal']:<64} {_fmt(row['figure'], row['unit']):>8} "
                     f"{row['target']:>10}  {row['verdict']}")
    return lines


def dask_lines(result: dict) -> list[str]:
    dask = result.get("dask")
    if not dask:
        return []
    same = "identical" if not dask["differences"] else (
        f"{len(dask['differences'])} difference(s): " + "; ".join(dask["differences"][:5]))
    faster = "met" if dask["wall"] <= dask["local_wall"] else "NOT met"
    return [f"{dask['size']} submissions on a local Dask cluster ({dask['workers']} worker "
            f"processes, one thread each): {dask['wall']:.0f} s against {dask['local_wall']:.0f} s "
            f"with --jobs {result['jobs']} (goal: no more, {faster}); grades.csv {same}", ""]


def busy_anchor(otter: dict) -> bool:
    """Was a stored otter timing taken beside other work? Its own runs (otter and a kernel
    per job) keep the load up to about 1.5 per core, so a load above twice the cores means
    something else ran too, and otter's seconds are inflated: an anchor timed at load 5.2 on
    2 cores was 34% slower than otter timed again on the quiet machine (2026-12-05)."""
    cores = otter.get("cores") or os.cpu_count() or 1
    return max(otter.get("memory", {}).get("load_max", 0),
               *(otter.get("load_at_start") or [0])[:1]) > 2 * cores


def render(result: dict) -> list[str]:
    """The whole report, from the figures as they go into scale.json."""
    return [f"make bench, large classes, {result['when']}: {result['cores']} cores, load average "
            f"{' '.join(map(str, result['load_at_start']))} at the start (1, 5, 15 min), at most "
            f"{result['load_max']} during", "",
            *ratio_table(result), "", *detail_table(result), "", *time_table(result), "",
            *dask_lines(result), *goals_table(result)]


# --- the run ------------------------------------------------------------------------------

def zip_members(path: Path) -> dict[str, str]:
    """Each member's sha256: what an otter run depends on (the zip's own bytes change with
    every build, its timestamps with them)."""
    with zipfile.ZipFile(path) as archive:
        return {item.filename: hashlib.sha256(archive.read(item)).hexdigest()
                for item in archive.infolist() if not item.is_dir()}


def stored_anchor(path: Path, built, zips: dict[str, Path], jobs: int) -> dict:
    """Otter's timing from an earlier run (``--otter-from``: a scale.json or an anchor file),
    refused unless it timed this class's sample, ``jobs`` at a time on as many cores; the
    zip members that changed since are listed (``changed``), for the report to say.

    Why reuse at all: otter's sample costs 20-30 minutes on 2 cores and does not depend on
    the kit's own code, only on the notebooks, the zips and the machine; timing it once on
    a quiet machine is fairer than timing it again beside other work."""
    stored = json.loads(path.read_text(encoding="utf-8"))
    stored = stored.get("otter") or stored  # a whole scale.json, or its otter part alone
    if not stored or "runs" not in stored:
        raise KitError(f"{path}: no otter timing in it (want a scale.json or an anchor file)")
    if stored["jobs"] != jobs or stored.get("cores") != os.cpu_count():
        raise KitError(f"{path}: otter ran {stored['jobs']} at a time on {stored.get('cores')} "
                       f"cores; this run is {jobs} at a time on {os.cpu_count()}: time it again")
    wanted = otter_sample(built, len(stored["runs"]))
    if [(r["assignment"], r["id"]) for r in stored["runs"]] != wanted:
        raise KitError(f"{path}: otter timed other submissions than this class's sample "
                       f"(sizes or assignments differ): time it again")
    then = stored.get("zips", {})
    changed = sorted(f"{name}.zip: {member}" for name, zip_path in zips.items()
                     for member, digest in zip_members(zip_path).items()
                     if then.get(name, {}).get(member) != digest)
    return {**stored, "changed": changed, "from": str(path)}


def otter_anchor(classes: list[dict], built, folder: Path, zips: dict[str, Path],
                 rows: list[dict], count: int, jobs: int, stored: Path | None = None) -> dict:
    """Time otter on ``count`` submissions of the class ``built`` (graded into ``rows``),
    ``jobs`` at a time (or take that timing from ``stored``: :func:`stored_anchor`), and
    give each of ``classes`` its scaled otter wall and ratio."""
    if stored:
        otter = stored_anchor(stored, built, zips, jobs)
        print(f"otter's timing from {stored} ({otter.get('when', '?')})", flush=True)
    else:
        sample = otter_sample(built, count)
        print(f"otter run on {len(sample)} submissions, {jobs} at a time...", flush=True)
        otter = run_otter(sample, zips, folder, jobs)
        otter.update(cores=os.cpu_count(), when=datetime.now().isoformat(timespec="seconds"),
                     load_at_start=load(), zips={n: zip_members(z) for n, z in zips.items()})
    otter["differ"] = otter_differs(otter["runs"], rows)
    timed = [(r["assignment"], r["seconds"]) for r in otter["runs"]]
    for figures in classes:
        estimate = otter_estimate(otter["wall"], timed, figures["counts"])
        figures["otter_wall"] = round(estimate, 1)
        figures["ratio"] = round(estimate / figures["wall"], 2)
    return otter


def measure(args, keep: Path) -> dict:
    """Build, grade each class (and on Dask), time otter: the figures :func:`render` shows."""
    result = {"when": datetime.now().isoformat(timespec="seconds"), "cores": os.cpu_count(),
              "jobs": args.jobs, "load_at_start": load(), "classes": [], "otter": None,
              "dask": None}
    data.write_all_synthetic()  # as make grade does: missing stand-ins written once
    started = time.perf_counter()
    zips = {name: bundle.build(name) for name in args.assignments}
    for name in args.assignments:
        reference_results.build(name)
    result["autograder_seconds"] = round(time.perf_counter() - started, 1)
    print(f"make autograder (otter zips and the reference solutions' training results): "
          f"{result['autograder_seconds']:.0f} s", flush=True)
    with tempfile.TemporaryDirectory(prefix="kit-scale-") as tmp:
        for size in sorted(args.sizes):
            folder, out = Path(tmp) / f"class{size}", Path(tmp) / f"run{size}"
            built = build_class(size, folder, args.assignments)
            kinds = {student: sample.id for students in built.values()
                     for student, sample in students}
            run = grade_all(built, folder, out, keep / f"class{size}", jobs=args.jobs,
                            timeout=args.timeout)
            figures = class_figures(run, kinds)
            figures["counts"] = {name: len(students) for name, students in built.items()}
            result["classes"].append(figures)
            print(f"{size} submissions graded in {run.wall:.0f} s (load now {load()[0]})",
                  flush=True)
            if args.dask == size:
                with local_cluster(keep, args.jobs) as address:
                    remote = grade_all(built, folder, Path(tmp) / f"dask{size}",
                                       keep / f"dask{size}", jobs=args.jobs,
                                       timeout=args.timeout, scheduler=address)
                result["dask"] = {"size": size, "workers": args.jobs, "wall": round(remote.wall, 1),
                                  "local_wall": round(run.wall, 1), "memory": remote.memory,
                                  "differences": grade_differences(run.rows, remote.rows)}
        if args.otter or args.otter_from:  # on the largest class, the last graded
            result["otter"] = otter_anchor(result["classes"], built, folder, zips, run.rows,
                                           args.otter, args.jobs, stored=args.otter_from)
    result["load_max"] = max([c["memory"]["load_max"] for c in result["classes"]]
                             + ([result["otter"]["memory"]["load_max"]] if result["otter"] else [])
                             + [load()[0]])
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=SIZES)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="submissions at a time, for the kit and for otter alike")
    parser.add_argument("--timeout", type=float,
                        help="CPU seconds per sandbox (default: each assignment's, as make "
                             "grade)")
    parser.add_argument("--assignments", nargs="+", default=assignments.available(),
                        choices=assignments.available(),
                        help="the classes' assignments (default: all; fewer for a quick look)")
    parser.add_argument("--otter", type=int, default=0, metavar="K",
                        help=f"also time stock otter, --jobs at a time, on the first K "
                             f"non-adversarial submissions of the largest class, and scale it "
                             f"(at least {OTTER_SAMPLE} for a figure worth quoting)")
    parser.add_argument("--otter-from", type=Path, metavar="JSON",
                        help="take otter's timing from an earlier scale.json (or anchor file) "
                             "instead of timing it again; refused unless it timed this class's "
                             "sample on as many jobs and cores, and zip members changed since "
                             "are listed in the report")
    parser.add_argument("--dask", type=int, metavar="SIZE",
                        help="also grade the class of SIZE on a local Dask cluster and compare")
    parser.add_argument("--results", type=Path, default=RESULTS,
                        help="where the results folder goes (default runs/bench)")
    args = parser.parse_args(argv)
    if args.dask is not None and args.dask not in args.sizes:
        parser.error(f"--dask {args.dask} is not one of --sizes {' '.join(map(str, args.sizes))}")
    keep = args.results / datetime.now().strftime("%Y%m%d-%H%M%S")
    keep.mkdir(parents=True, exist_ok=True)
    try:
        result = measure(args, keep)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    lines = render(result)
    (keep / "scale.json").write_text(json.dumps(result, indent=1))
    (keep / "scale.txt").write_text("\n".join(lines) + "\n")
    print("\n" + "\n".join(lines) + f"\n\nsaved in {keep}/scale.txt and scale.json")


if __name__ == "__main__":
    main()
