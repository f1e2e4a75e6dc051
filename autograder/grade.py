"""``make grade SUBMISSIONS=<folder>``: grade a whole class with one command.

Writes into the run folder:

- ``grades.csv``: one row per submission (id, points per question, total, max,
  status, seconds, message), rewritten atomically after every submission, so
  Ctrl-C or a crash leaves a consistent file. A rerun skips students already
  in it unless ``--regrade`` is given.
- ``feedback/<id>.md``: what each student sees: every test, passed or not, and why.
- ``summary.md`` and ``histogram.png``: the TA's overview, with where the time went
  (``stages.csv``: sandbox, scorer and training seconds per submission).
- ``training-cache/``: trusted training results, reused for identical models
  (``--no-reuse`` trains every model); no sandbox can see the run folder.
- ``manual/``: for assignments with written answers (see ``autograder.manual``).
"""
import argparse
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from tqdm import tqdm

from autograder import assignments, manual
from autograder.build import bundle, reference_results
from autograder.engine import distributed, report
from autograder.assignments import KitError
from autograder.engine.runner import DEFAULT_MEMORY_GB, Outcome, grade_one, kill_group
from autograder.engine.warm import WarmSandbox, WarmScorer

BASE_COLUMNS = ["id", "total", "max", "status", "flags", "seconds", "message"]
FINAL_STATUSES = {"graded", "timeout", "crashed", "invalid"}


def find_submissions(folder: Path) -> list[Path]:
    if not folder.exists():
        raise KitError(f"submissions folder {folder} does not exist: pass "
                       f"SUBMISSIONS=<folder holding the students' .ipynb files>")
    if not folder.is_dir():
        raise KitError(f"{folder} is a file, not a folder: pass the folder that holds "
                       f"the .ipynb files")
    found = sorted(p for p in folder.iterdir() if p.suffix == ".ipynb" and p.is_file())
    if not found:
        others = ", ".join(sorted(p.name for p in folder.iterdir())[:5]) or "nothing"
        raise KitError(f"no .ipynb files in {folder} (it holds: {others}); "
                       f"unzip the submissions there first")
    return found


class GradeBook:
    """``grades.csv`` in a run folder: read at start, rewritten atomically.

    Questions graded by hand (``manual``: key -> points) get a column
    ``manual:<key>`` each, blank until a TA's score is merged in
    (:mod:`autograder.manual`); a regrade keeps those scores.
    """

    def __init__(self, path: Path, questions: list[str], max_points: float,
                 manual: dict[str, float] | None = None):
        self.path = path
        self.questions = questions
        self.manual = manual or {}
        self.max_points = max_points + sum(self.manual.values())
        self.rows: dict[str, dict] = {}
        self.lock = threading.Lock()
        if path.exists():
            self.rows = {row["id"]: row for row in report.read_csv(path)}

    @property
    def manual_columns(self):
        return [f"manual:{key}" for key in self.manual]

    @property
    def columns(self):
        return ["id", *self.questions, *self.manual_columns, *BASE_COLUMNS[1:]]

    def done(self, student: str) -> bool:
        return self.rows.get(student, {}).get("status") in FINAL_STATUSES

    def record(self, outcome: Outcome):
        row = {"id": outcome.student, "status": outcome.status,
               "flags": " ".join(outcome.flags),
               "seconds": f"{outcome.seconds:.1f}",
               "message": " ".join(outcome.message.split())[:300],
               "max": f"{self.max_points:g}"}
        for question in self.questions:
            row[question] = f"{outcome.scores.get(question, 0.0):g}"
        with self.lock:
            kept = self.rows.get(outcome.student, {})
            row.update({column: kept.get(column, "") for column in self.manual_columns})
            self.rows[outcome.student] = self.totalled(row)
            self.save()

    def totalled(self, row: dict) -> dict:
        """``row`` with its total recomputed from the question columns (blank counts 0)."""
        columns = [*self.questions, *self.manual_columns]
        row["total"] = f"{sum(float(row.get(c) or 0) for c in columns):g}"
        row["max"] = f"{self.max_points:g}"
        return row

    def set_manual(self, scores: dict[str, dict[str, str]]):
        """Merge a TA's scores (student -> {key: points or ''}) and save."""
        with self.lock:
            for student, marks in scores.items():
                row = self.rows[student]
                row.update({f"manual:{key}": value for key, value in marks.items()})
                self.totalled(row)
            self.save()

    def save(self):
        report.write_csv(self.path, self.columns, [self.rows[k] for k in sorted(self.rows)])


class StageLog:
    """``stages.csv``: where each submission's grading time went (for the summary and bench)."""

    COLUMNS = ["id", "sandbox", "scorer", "training", "reused", "total"]

    def __init__(self, path: Path):
        self.path, self.rows, self.lock = path, {}, threading.Lock()
        if path.exists():
            self.rows = {row["id"]: row for row in report.read_csv(path)}

    def record(self, outcome: Outcome):
        row = {"id": outcome.student, "sandbox": f"{outcome.sandbox_seconds:.1f}",
               "scorer": f"{max(0.0, outcome.seconds - outcome.sandbox_seconds):.1f}",
               "training": f"{outcome.train_seconds:.1f}", "reused": str(outcome.reused),
               "total": f"{outcome.seconds:.1f}"}
        with self.lock:
            self.rows[outcome.student] = row
            report.write_csv(self.path, self.COLUMNS, [self.rows[k] for k in sorted(self.rows)])


def grade_class(name, submissions: Path, out: Path, *, jobs: int, timeout: float,
                memory_gb: float, regrade: bool = False, progress: bool = True,
                hidden_data: Path | None = None, reuse: bool = True,
                scheduler: str | None = None) -> GradeBook:
    """Grade every notebook in ``submissions`` into the run folder ``out``.

    Submissions are graded ``jobs`` at a time on this machine, or on the Dask
    cluster whose scheduler is at ``scheduler`` (:mod:`autograder.engine.distributed`).

    With ``reuse``, trusted training results are kept in ``out/training-cache``
    (hidden from every sandbox with the rest of the run folder) and a model
    identical to one already trained is not trained again.
    """
    assignment = assignments.get(name)
    notebooks = find_submissions(submissions)
    questions, max_points = report.question_points(assignment)
    out.mkdir(parents=True, exist_ok=True)
    book = GradeBook(out / "grades.csv", questions, max_points,
                     {key: q["points"] for key, q in assignment.manual_questions.items()})
    todo = [nb for nb in notebooks if regrade or not book.done(nb.stem)]
    skipped = len(notebooks) - len(todo)
    if skipped:
        print(f"{skipped} submission(s) already graded in {book.path}; "
              f"pass --regrade to grade them again")
    stages = StageLog(out / "stages.csv")
    running = Running()
    # The trusted half of the grader (hidden tests, config and data) is staged
    # once per run where no sandbox can see it.
    with bundle.staged_bundle(assignment, hidden_data) as staged:
        if reuse:  # start from the reference solution's results (``make autograder``)
            reference_results.seed(reference_results.folder_of(assignment),
                                   staged / distributed.REFERENCE_RESULTS if scheduler
                                   else out / "training-cache")
        pool = (distributed.ClusterPool(scheduler, staged, timeout=timeout,
                                        memory_bytes=int(memory_gb * 2**30), reuse=reuse)
                if scheduler else LocalPool(jobs, staged, timeout=timeout,
                                            memory_bytes=int(memory_gb * 2**30),
                                            hide=(submissions, out), running=running,
                                            cache=out / "training-cache" if reuse else None))
        try:
            futures = [pool.submit(nb) for nb in todo]
            with tqdm(total=len(todo), desc=f"grading {name}", unit="nb",
                      disable=not progress) as bar:
                for future in pool.as_completed(futures):
                    outcome = future.result()
                    book.record(outcome)
                    stages.record(outcome)
                    report.write_feedback(out, assignment, outcome)
                    bar.set_postfix_str(f"{outcome.student}: {outcome.status}")
                    bar.update()
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            running.kill_all()
            print(f"\ninterrupted: {len(book.rows)} row(s) kept in {book.path}; "
                  f"run the same command again to finish", file=sys.stderr)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    if assignment.manual_questions:
        manual.collect(assignment, notebooks, out)
        manual.merge(assignment, out, book)
    report.write_summary(out, assignment, book)
    return book


class LocalPool:
    """``jobs`` submissions at a time in threads of this process.

    Each thread keeps its warm workers (:mod:`autograder.engine.warm`): a sandbox host
    that forks a fresh, isolated process per submission and a trusted scorer,
    so TensorFlow is imported once per job, not once per submission.
    """

    def __init__(self, jobs, staged, *, timeout, memory_bytes, hide, running, cache):
        self.executor = ThreadPoolExecutor(max_workers=jobs)
        self.options = {"timeout": timeout, "memory_bytes": memory_bytes, "hide": hide,
                        "register": running.add, "cache": cache}
        self.staged, self.local, self.workers = staged, threading.local(), []

    def _grade(self, notebook: Path):
        if not hasattr(self.local, "scorer"):
            self.local.scorer = WarmScorer(self.staged, self.options["memory_bytes"],
                                           self.options["register"])
            self.local.sandbox = WarmSandbox(self.options["hide"], self.options["register"])
            self.workers += [self.local.scorer, self.local.sandbox]
            self.local.scorer.warm_up()
        return grade_one(notebook, self.staged, scorer=self.local.scorer,
                         sandbox=self.local.sandbox, **self.options)

    def submit(self, notebook: Path):
        return self.executor.submit(self._grade, notebook)

    def as_completed(self, futures):
        return as_completed(futures)

    def shutdown(self, wait=True, cancel_futures=False):
        self.executor.shutdown(wait=wait, cancel_futures=cancel_futures)
        for worker in self.workers:
            worker.close(remove=True)


class Running:
    """Grading processes in flight, so that Ctrl-C can stop every one of them."""

    def __init__(self):
        self.processes, self.lock = set(), threading.Lock()

    def add(self, process):
        with self.lock:
            self.processes.add(process)

    def kill_all(self):
        with self.lock:
            for process in self.processes:
                kill_group(process)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--submissions", required=True, type=Path)
    parser.add_argument("--out", required=True, type=Path, help="run folder")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=float, default=300, help="seconds per submission")
    parser.add_argument("--memory-gb", type=float, default=DEFAULT_MEMORY_GB,
                        help="address-space limit per submission")
    parser.add_argument("--regrade", action="store_true")
    parser.add_argument("--hidden-data", type=Path,
                        help="folder with real test_<dataset>.h5 files to grade on")
    parser.add_argument("--no-reuse", action="store_true",
                        help="train every model, even one identical to a model already trained")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on the Dask cluster with this scheduler (tcp://host:8786) "
                             "instead of --jobs local threads")
    args = parser.parse_args(argv)
    try:
        book = grade_class(args.assignment, args.submissions, args.out, jobs=args.jobs,
                           timeout=args.timeout, memory_gb=args.memory_gb,
                           regrade=args.regrade, hidden_data=args.hidden_data,
                           reuse=not args.no_reuse, scheduler=args.scheduler)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    except KeyboardInterrupt:
        sys.exit(130)
    print(f"{len(book.rows)} row(s) in {book.path}; summary in {args.out / 'summary.md'}")


if __name__ == "__main__":
    main()
