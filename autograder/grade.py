"""``make grade SUBMISSIONS=<folder or .zip>``: grade a whole class with one command.

The submissions are an LMS download (Canvas, Moodle, Gradescope) or a folder of
``<id>.ipynb`` (:mod:`autograder.engine.collect`); ``--roster`` gives every student on it
a row, ``--course`` the deadlines and late policy (:mod:`autograder.course`).
Writes into the run folder:

- ``collected/``: each student's notebook as ``<id>.ipynb`` (the attempt that counts) and
  ``manifest.json``: where each came from, the LMS's ids, the roster row.
- ``grades.csv``: one row per student (id, name, section, points per question, total,
  max, penalty, final, status, flags, submitted_at, time_source, late_by, source,
  notes, seconds, message), rewritten atomically after every submission, so Ctrl-C or
  a crash leaves a consistent file. A rerun grades only the students not graded yet
  unless ``--regrade`` is given; it never overwrites a grade with a newer download's
  file (it says so), but late penalties follow the course file each time.
- ``results/<id>.json``: the scorer's results per submission, from which
  ``feedback/<id>.md`` and ``feedback/<id>.html`` are rendered: every test, passed or
  not, and why.
- ``summary.md``, ``histogram.png`` and ``report.html``: the TA's overview, with where the
  time went (``stages.csv``: sandbox, scorer and training seconds per submission).
- ``training-cache/``: trusted training results, reused for identical models
  (``--no-reuse`` trains every model); no sandbox can see the run folder.
- ``manual/``: for assignments with written answers (see ``autograder.manual``).
"""
import argparse
import collections
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from pathlib import Path

from tqdm import tqdm

from autograder import assignments, course, similarity
from autograder.build import bundle, reference_results
from autograder.engine import collect, distributed, notebooks, report
from autograder.engine import worksheet as moodle_worksheet
from autograder.assignments import REPO_ROOT, KitError
from autograder.engine.runner import (SCORER_MEMORY_GB, Outcome, kill_group, run_sandboxed,
                                      sandbox_budget, score_sandboxed)
from autograder.engine.members import note
from autograder.engine.warm import STARTUP_SECONDS, WarmSandbox, WarmScorer
from shared.i18n import msg_in
from autograder.review import answers as written_answers, merge as hand_merge

BASE_COLUMNS = ["id", "total", "max", "status", "flags", "seconds", "message"]
#: What is known of a student besides the grade: set from the roster, the download and
#: the course file each run, never by grading.
DESCRIBED = ["name", "section", "penalty", "submitted_at", "time_source", "late_by", "source",
             "notes"]
FINAL_STATUSES = {"graded", "timeout", "crashed", "invalid"}
#: Characters of one described cell (a name, the source, the notes). Notes quote the
#: download's member names, which a student chooses (up to 65,535 bytes each, several per
#: note); Python's csv reader refuses a cell over 131,072 characters, and grades.csv is read
#: back after every submission, so one long-named upload once stopped the class.
CELL_LIMIT = 20_000


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
    (:mod:`autograder.manual`); a regrade keeps those scores. ``total`` is the raw
    points; ``final`` is ``total`` less ``penalty`` percent (late work).
    """

    def __init__(self, path: Path, questions: list[str], max_points: float,
                 manual: dict[str, float] | None = None):
        self.path = path
        self.questions = questions
        self.manual = manual or {}
        self.max_points = max_points + sum(self.manual.values())
        self.rows: dict[str, dict] = {}
        self.pending: dict[str, dict] = {}  # described, not yet graded
        self.lock = threading.Lock()
        if path.exists():
            self.rows = {row["id"]: row for row in report.read_csv(path)}

    @property
    def manual_columns(self):
        return [f"manual:{key}" for key in self.manual]

    @property
    def columns(self):
        return ["id", "name", "section", *self.questions, *self.manual_columns, "total", "max",
                "penalty", "final", "status", "flags", "submitted_at", "time_source", "late_by",
                "source", "notes", "seconds", "message"]

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
            row.update({column: kept.get(column, "") for column in DESCRIBED})
            row.update(self.pending.pop(outcome.student, {}))
            self.rows[outcome.student] = self.totalled(row)
            self.save()

    def describe(self, described: dict[str, dict]):
        """Set what the roster, the download and the course file say of each student
        (name, section, time, lateness, source, notes); scores stay as they are."""
        with self.lock:
            for student, values in described.items():
                values = bounded(values)
                if student in self.rows:
                    self.rows[student].update(values)
                    self.totalled(self.rows[student])
                else:
                    self.pending[student] = values
            self.save()

    def mark_missing(self, student: str, values: dict):
        """A roster student with no submission: status ``missing``, 0 points."""
        with self.lock:
            if self.done(student):
                return
            row = {"id": student, "status": "missing", "flags": "", "seconds": "",
                   "message": "no submission", **{q: "0" for q in self.questions},
                   **bounded(values)}
            kept = self.rows.get(student, {})
            row.update({column: kept.get(column, "") for column in self.manual_columns})
            self.rows[student] = self.totalled(row)
            self.save()

    def totalled(self, row: dict) -> dict:
        """``row`` with its total recomputed from the question columns (blank counts 0)
        and ``final`` from the total and the late ``penalty`` (percent)."""
        columns = [*self.questions, *self.manual_columns]
        total = sum(float(row.get(c) or 0) for c in columns)
        row["total"] = f"{total:g}"
        row["max"] = f"{self.max_points:g}"
        penalty = float(row.get("penalty") or 0)
        row["final"] = f"{round(total * (1 - penalty / 100), 2):g}"
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


def bounded(values: dict) -> dict:
    """``values`` with each text cut to :data:`CELL_LIMIT` characters, saying how much was
    cut, so that every cell of grades.csv reads back."""
    return {key: value[:CELL_LIMIT] + f" ... ({len(value) - CELL_LIMIT} more characters cut)"
            if isinstance(value, str) and len(value) > CELL_LIMIT else value
            for key, value in values.items()}


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


def grade_class(name, submissions: Path, out: Path, *, jobs: int, timeout: float | None = None,
                memory_gb: float | None = None, regrade: bool = False, progress: bool = True,
                hidden_data: Path | None = None, reuse: bool = True,
                scheduler: str | None = None, roster: Path | None = None,
                course_file: Path | None = None, layout: str | None = None,
                worksheet: Path | None = None) -> GradeBook:
    """Grade every student's notebook in ``submissions`` into the run folder ``out``.

    ``submissions`` is a folder or a zip in any layout :mod:`autograder.engine.collect`
    reads (``layout`` forces one). With ``roster`` every student on it gets a row
    (``missing`` when nothing came); with ``course_file`` late submissions get the
    course's penalty beside their raw points; ``worksheet`` is Moodle's grading worksheet,
    which maps the participant ids of a Moodle download to students
    (:mod:`autograder.engine.worksheet`).

    Each sandbox gets ``timeout`` CPU seconds and ``memory_gb`` GiB of address space; by
    default the assignment's budget (:func:`autograder.engine.runner.sandbox_budget`).

    Submissions are graded ``jobs`` at a time on this machine, or on the Dask
    cluster whose scheduler is at ``scheduler`` (:mod:`autograder.engine.distributed`).

    With ``reuse``, trusted training results are kept in ``out/training-cache``
    (hidden from every sandbox with the rest of the run folder) and a model
    identical to one already trained is not trained again.
    """
    assignment = assignments.get(name)
    budget = sandbox_budget(assignment.config)
    timeout = budget[0] if timeout is None else timeout
    memory_gb = budget[1] if memory_gb is None else memory_gb
    settings = course.load(course_file)
    deadline = settings.deadline(name)
    ta_language = settings.ta_language_for(name)  # of the lines the TA reads here
    try:
        students = course.read_roster(roster, settings.roster_columns) if roster else None
        download = collect.scan(Path(submissions), settings.timezone, layout=layout)
        entries = collect.assign(download, students,
                                 moodle_worksheet.read(worksheet) if worksheet else None)
    except collect.SaidError as exc:  # a roster or download refused, said in the TA's language
        raise KitError(exc.said(ta_language)) from None
    questions, max_points = report.question_points(assignment)
    out.mkdir(parents=True, exist_ok=True)
    book = GradeBook(out / "grades.csv", questions, max_points,
                     {key: q["points"] for key, q in assignment.manual_questions.items()})
    language = settings.language_for(name)  # of the sentences students read
    staged, failed, kept = stage(entries, out, book, regrade, language)
    before = report.run_info(out).get("students", {})
    previous = {e.id: kept.get(e.id) or (before.get(e.id) if e.found is None and book.done(e.id)
                                         else None) for e in entries}
    described = {}
    for e in entries:  # a failure of any type to describe one student is that student's row
        try:
            described[e.id] = describe(e, deadline, settings, roster is not None, previous[e.id])
        except Exception as exc:
            print(msg_in(ta_language, "ta.not_described", id=e.id,
                         error=f"{type(exc).__name__}: {exc}"),
                  file=sys.stderr)  # for the TA; the row says it to the student
            described[e.id] = {"notes": note("note.not_described", error=type(exc).__name__)}
            if e.found is not None and (regrade or not book.done(e.id)):  # a grade stands
                staged.pop(e.id, None)
                failed[e.id] = not_graded(language, msg_in(
                    language, "fb.undescribed_file", file=e.found.file_name,
                    error=type(exc).__name__))
    write_manifest(out, assignment, download, entries, staged, kept, roster, deadline, settings)
    book.describe(described)
    for student, message in failed.items():
        book.record(Outcome(student, "invalid", message=message))
    todo = [staged[e.id] for e in entries
            if e.id in staged and (regrade or not book.done(e.id))]
    skipped = sum(1 for e in entries if e.id in staged) - len(todo)
    if skipped:
        print(msg_in(ta_language, "ta.already_graded", count=skipped, path=book.path))
    if kept:
        print(msg_in(ta_language, "ta.kept", count=len(kept), ids=", ".join(sorted(kept)[:5])))
    stages = StageLog(out / "stages.csv")
    running = Running()
    # The trusted half of the grader (hidden tests, config and data) is staged
    # once per run where no sandbox can see it.
    with bundle.staged_bundle(assignment, hidden_data, settings.language_for(name)) as trusted:
        if reuse:  # start from the reference solution's results (``make autograder``)
            reference_results.seed(reference_results.folder_of(assignment),
                                   trusted / distributed.REFERENCE_RESULTS if scheduler
                                   else out / "training-cache")
        pool = (distributed.ClusterPool(scheduler, trusted, timeout=timeout,
                                        memory_bytes=int(memory_gb * 2**30), reuse=reuse)
                if scheduler else LocalPool(jobs, trusted, timeout=timeout,
                                            memory_bytes=int(memory_gb * 2**30),
                                            hide=hidden(Path(submissions), out),
                                            running=running,
                                            cache=out / "training-cache" if reuse else None))
        try:
            futures = {pool.submit(nb): nb for nb in todo}
            with tqdm(total=len(todo), desc=f"grading {name}", unit="nb",
                      disable=not progress) as bar:
                for future in pool.as_completed(list(futures)):
                    outcome = outcome_of(future, futures[future], language)
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
    for entry in entries:
        if entry.found is None:
            book.mark_missing(entry.id, described[entry.id])
    graded_now = {path.stem for path in todo}
    for entry in entries:  # the others' late rules, roster or status may have changed
        if entry.id not in graded_now and entry.id in book.rows:
            report.write_feedback(out, assignment, entry.id, row=book.rows[entry.id])
    if assignment.manual_questions:
        written_answers.collect(assignment, [staged[e.id] for e in entries if e.id in staged],
                                out)
        hand_merge.merge(assignment, out, book)
    report.write_summary(out, assignment, book)
    try:  # advisory: the grades are saved; a failure here is said, never a lost class
        similarity.run(assignment, [staged[e.id] for e in entries if e.id in staged], out)
    except Exception as exc:
        print(f"similarity report not written ({type(exc).__name__}: {exc}); grades are in "
              f"{book.path}", file=sys.stderr)
    return book


def outcome_of(future, notebook: Path, language: str = "en") -> Outcome:
    """What grading ``notebook`` gave; an exception of any type on the way is that student's
    row, ``invalid`` (final: a rerun does not grade it again, --regrade does), never a
    stopped class. The student reads the sentence; the TA also gets the exception."""
    try:
        return future.result()
    except Exception as exc:
        print(f"{notebook.stem}: grading failed ({type(exc).__name__}: {exc})", file=sys.stderr)
        return Outcome(notebook.stem, "invalid", message=not_graded(language, notebooks.Refused(
            notebook.name, "nb.grader_failed", error=type(exc).__name__).said(language)))


def not_graded(language: str, reason: str) -> str:
    """The student's sentence for a notebook the TA's process could not take (``reason``
    names the file, by its own name, not the TA's folders, and the problem), in the
    course's language."""
    return msg_in(language, "unreadable_notebook", reason=reason.rstrip(". "))


def hidden(submissions: Path, out: Path) -> tuple:
    """Folders no sandbox may see: the run folder and the download (a zip's folder, unless
    that folder holds the kit itself: then say so, since it cannot be hidden)."""
    folder = submissions if submissions.is_dir() else submissions.parent
    kit = [REPO_ROOT, Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()]
    if any(k.is_relative_to(folder.resolve()) for k in kit):
        print(f"note: {submissions} lies in {folder}, which holds the kit or its Python and "
              f"cannot be hidden from the sandbox; keep downloads in a folder of their own "
              f"(the notebooks graded are copies in {out / 'collected'}, which is hidden)",
              file=sys.stderr)
        return (out,)
    return (folder, out)


def stage(entries, out: Path, book, regrade: bool, language: str = "en"):
    """Copy each student's counting notebook to ``out/collected/<id>.ipynb``.

    Returns (id -> staged path, id -> why it could not be read, id -> manifest entry of
    the file already graded when this download brings a different one: kept as graded).
    """
    folder = out / "collected"
    folder.mkdir(parents=True, exist_ok=True)
    before = report.run_info(out).get("students", {})
    staged, failed, kept = {}, {}, {}
    for entry in entries:
        if entry.found is None:
            continue
        path = folder / f"{entry.id}.ipynb"
        previous = before.get(entry.id, {})
        # A grade already given stands whatever this download brings (a newer file that is
        # too large, refused or unreadable included): only --regrade replaces it.
        stands = path.exists() and book.done(entry.id) and not regrade
        if entry.found.size > notebooks.MAX_NOTEBOOK_BYTES:  # neither hashed nor copied
            why = not_graded(language, notebooks.too_large(entry.found.file_name).said(language))
        elif entry.found.refused:  # refused on its own: the student's row says why
            why = collect.refusal_message(entry.found, language)
        else:
            try:
                digest = collect.sha256(entry.found)
                if not (path.exists() and previous.get("sha256") == digest):
                    if stands:  # a different file: the one graded is kept, as graded
                        kept[entry.id] = previous
                    else:
                        collect.stage(entry.found, path)
                staged[entry.id] = path
                continue
            except Exception as exc:  # any type: this student's row, never a stopped class
                said = " ".join(str(exc).split())[:200] or type(exc).__name__
                why = not_graded(language, msg_in(
                    language, "fb.unreadable_file", file=entry.found.file_name, said=said))
        if stands:
            kept[entry.id], staged[entry.id] = previous, path
        else:
            failed[entry.id] = why
    return staged, failed, kept


def describe(entry, deadline, settings, with_roster: bool, previous: dict | None) -> dict:
    """The grades.csv columns that say who the student is and when and whence the file came.

    ``previous``: the manifest record of the file already graded, when that file still
    counts (this download brings another one, or none); its time is judged by the
    current late rules.
    """
    student, found = entry.student, entry.found
    values = {"name": (student.name if student else "") or (found.name if found else "")
              or (previous or {}).get("name", ""),
              "section": student.section if student else ""}
    notes = []
    if previous:
        text = previous.get("submitted_at", "")
        submitted = datetime.fromisoformat(text) if text else None
        time_source, source = previous.get("time_source", ""), previous.get("source", "")
        notes += previous.get("notes", [])
        if found is not None:
            notes.append(note("note.newer_download"))
    elif found is None:
        return {**values, "penalty": "", "submitted_at": "", "time_source": "", "late_by": "",
                "source": "", "notes": note("note.no_submission")}
    else:
        submitted = found.submitted_at.astimezone(settings.timezone) if found.submitted_at else None
        time_source, source = found.time_source, found.source
        notes += entry.notes(with_roster)
    late = deadline.late(entry.id, submitted) if deadline else course.ON_TIME
    if deadline and submitted is None:
        notes.insert(0, note("note.no_time"))
    if late.reason:
        notes.insert(0, late.reason)
    return {**values,
            "submitted_at": submitted.isoformat(timespec="seconds") if submitted else "",
            "time_source": time_source if submitted else "",
            "late_by": course.fmt_delta(late.late_by) if late.late_by else "",
            "penalty": f"{late.penalty:g}" if deadline else "",
            "source": source, "notes": "; ".join(notes)}


def write_manifest(out, assignment, download, entries, staged, kept, roster, deadline, settings):
    """``collected/manifest.json``: what exports and reports need to know of each student."""
    path = out / "collected" / "manifest.json"
    before = report.run_info(out)
    students = dict(before.get("students", {}))
    for entry in entries:
        found, student = entry.found, entry.student
        if entry.id in kept or (found is None and students.get(entry.id, {}).get("source")):
            continue  # the file graded stays the one recorded
        record = {"identified": entry.identified, "on_roster": entry.on_roster,
                  "name": (student.name if student else "") or (found.name if found else ""),
                  "email": (student.email if student else "") or (found.email if found else ""),
                  "section": student.section if student else "",
                  "lms_id": student.lms_id if student else "",
                  "roster_row": dict(student.row) if student else {}}
        if found is not None:
            try:
                record.update(_found_record(entry, staged, roster, deadline, settings))
            except Exception as exc:  # that student's row says so (describe failed alike)
                record.update({"source": str(found.source), "sha256": "",
                               "notes": [note("note.not_described", error=type(exc).__name__)]})
        students[entry.id] = record
    info = {"assignment": assignment.name, "title": assignment.config["title"],
            "download": str(download.path), "layout": download.layout,
            "roster": str(roster) if roster else "",
            "deadline": deadline.describe() if deadline else "",  # as a run before the facts
            "deadline_facts": report.deadline_facts(deadline) if deadline else {},  # said per page
            "canvas_column": settings.settings.get(assignment.name, {}).get("canvas_column", ""),
            "language": settings.language_for(assignment.name),  # of the students' pages
            "ta_language": settings.ta_language_for(assignment.name),  # of the TA's
            "students": students,
            "skipped": [list(s) for s in download.skipped]}
    report.atomic_write(path, json.dumps(info, indent=1, ensure_ascii=False, sort_keys=True))


def _found_record(entry, staged, roster, deadline, settings) -> dict:
    """The manifest's record of the file ``entry`` found: where, when, how late."""
    found = entry.found
    submitted = found.submitted_at.astimezone(settings.timezone) if found.submitted_at else None
    late = deadline.late(entry.id, submitted) if deadline else course.ON_TIME
    return {
        "layout": found.layout, "source": found.source, "lms": found.lms,
        "sha256": collect.sha256(found) if entry.id in staged else "",
        "submitted_at": submitted.isoformat(timespec="seconds") if submitted else "",
        "time_source": found.time_source if submitted else "",
        "late_by": course.fmt_delta(late.late_by) if late.late_by else "",
        "penalty": f"{late.penalty:g}" if deadline else "", "late_reason": late.reason,
        "attempts": [a.source for a in entry.attempts],
        "notes": entry.notes(roster is not None),
        "history": [h.isoformat() for h in entry.history]}


class Turns:
    """Interchangeable things (sandbox turns, warm scorers) handed out first come, first
    served: the thread that waited longest gets the next one, or one that asks ``first``
    (its submission already run in its sandbox)."""

    def __init__(self):
        self.lock, self.free, self.waiting = threading.Lock(), [], collections.deque()
        self.closing = False

    def take(self, first=False, patience=None, impatient=None):
        """A free one, waiting for one if needed (after ``patience`` seconds of it, calling
        ``impatient``); None once closed."""
        with self.lock:
            if self.closing or self.free:
                return self.free.pop() if not self.closing else None
            waiter = [threading.Event(), None]
            if first:
                self.waiting.appendleft(waiter)
            else:
                self.waiting.append(waiter)
        if patience is not None and not waiter[0].wait(patience):
            impatient()
        waiter[0].wait()
        return waiter[1]

    def give(self, thing):
        with self.lock:
            if self.waiting:
                waiter = self.waiting.popleft()
                waiter[1] = thing
                waiter[0].set()
            else:
                self.free.append(thing)

    def close(self):
        """Every thread waiting, and every later one, gets None."""
        with self.lock:
            self.closing = True
            for event, _ in self.waiting:
                event.set()
            self.waiting.clear()


class LocalPool:
    """``jobs`` submissions at a time in threads of this process.

    The two stages are handed out apart (:class:`Turns`): ``jobs`` sandbox turns on the
    sandbox host every job shares, which forks a fresh, isolated process per submission,
    and the warm trusted scorers (:mod:`autograder.engine.warm`). A scorer imports
    TensorFlow and otter (about 5.5 CPU seconds, as the host's 4); a class whose scoring
    keeps up with its sandboxes needs one. So the pool starts with the host and one
    scorer, and starts another (up to ``jobs``) only when a sandboxed submission has waited
    :attr:`PATIENCE` seconds for one: the scorers are then what holds the class up (a
    model training, say).
    At 100 submissions of ``make bench`` every job's own host and scorer were a third of
    the time (issue 25).

    The first row comes first: the host and the first scorer import TensorFlow at once,
    and nothing else starts until they are ready: more imports on 2 cores would only slow
    them, and the first submission waits for both.

    A model is trained once: a submission whose artifacts are those of one being scored
    (the same mistake twice, :meth:`runner.Sandboxed.fingerprint`) is scored after it, from
    the training results it keeps, while other submissions are graded (there are twice as
    many threads as sandbox turns, so that one may wait without a core doing so).
    Scored at once, both trained the same model, each on a core: 20-28 of the 410
    job-seconds of ``make bench``'s 300.
    """

    #: Seconds a sandboxed submission waits for a scorer before another one is started: ten
    #: reused correct submissions' scoring, well past a sandbox's, within a model's training.
    PATIENCE = 3.0

    def __init__(self, jobs, staged, *, timeout, memory_bytes, hide, running, cache):
        # one job: one submission at a time, sandboxed then scored; nobody waits beside it
        self.executor = ThreadPoolExecutor(max_workers=2 * jobs if jobs > 1 else 1)
        self.sandbox_options = {"timeout": timeout, "memory_bytes": memory_bytes,
                                "hide": hide, "register": running.add}
        self.score_options = {"hide": hide, "register": running.add, "cache": cache}
        #: fingerprint -> set once the submission being scored with it is
        self.scoring: dict[str, threading.Event] = {}
        self.deferred = 0  # submissions scored after an identical one
        self.staged, self.jobs, self.workers = staged, jobs, []
        self.sandbox = None  # the host every sandbox turn uses
        self.turns, self.scorers = Turns(), Turns()
        self.started = 0  # scorers started
        self.lock, self.closing = threading.Lock(), False
        #: the thread that starts the warm workers (the first _grade starts it); it lives
        #: until shutdown, since the processes die with the thread that started them
        #: (bubblewrap's --die-with-parent: the kernel's parent-death signal follows the
        #: starting thread). ``wanted`` wakes it for another scorer.
        self.starter, self.stopped, self.wanted = None, threading.Event(), threading.Event()

    def _host(self):
        return WarmSandbox(self.score_options["hide"], self.score_options["register"])

    def _scorer(self):
        return WarmScorer(self.staged, SCORER_MEMORY_GB * 2**30,
                          self.score_options["register"], hide=self.score_options["hide"])

    def _new(self, scorer: bool):
        """A new scorer (or the host), starting, not waited for; None once shutting down."""
        with self.lock:
            if self.closing:
                return None
            worker = self._scorer() if scorer else self._host()
            self.workers.append(worker)
            self.started += scorer
        worker.warm_up(*[self.score_options["cache"]] if scorer else [])
        return worker

    def _start_workers(self):
        """The host and the first scorer at once; the sandbox turns handed out at once (a
        sandbox waits for the host's start-up), the scorer once ready; then another scorer
        each time one is wanted (:meth:`_scoring_turn`), handed out once ready."""
        self.sandbox = self._new(scorer=False)
        scorer = self._new(scorer=True)
        if self.sandbox is None or scorer is None:
            return
        for turn in range(self.jobs):
            self.turns.give(turn)
        scorer.wait(STARTUP_SECONDS)
        self.scorers.give(scorer)
        while self.started < self.jobs:
            self.wanted.wait()
            if self.stopped.is_set():
                break
            self.wanted.clear()
            scorer = self._new(scorer=True)
            if scorer is None:
                break
            scorer.wait(STARTUP_SECONDS)
            self.scorers.give(scorer)
        self.stopped.wait()  # (see __init__) this thread's processes live while it does

    def _scoring_turn(self, ran, first=False):
        """A scorer for ``ran``; another one is wanted if it waits :attr:`PATIENCE`."""
        since = time.perf_counter()
        scorer = self.scorers.take(first, self.PATIENCE if self.jobs > 1 else None,
                                   self.wanted.set)
        if scorer is None:
            raise RuntimeError("grading was stopped")
        ran.queued += time.perf_counter() - since
        return scorer

    def _grade(self, notebook: Path):
        with self.lock:  # the first submission to be graded starts the workers
            if self.starter is None:
                self.starter = threading.Thread(target=self._start_workers, daemon=True)
                self.starter.start()
        ran, mine, key, scorer = None, None, None, None
        try:
            turn = self.turns.take()
            if turn is None:  # shutting down (Ctrl-C)
                raise RuntimeError("grading was stopped")
            try:
                ran = run_sandboxed(notebook, self.staged, sandbox=self.sandbox,
                                    **self.sandbox_options)
            finally:
                self.turns.give(turn)
            if ran.ended:
                return ran.ended
            # (without trusted results kept, the one waiting would train the model again)
            key = ran.fingerprint(self.staged) if self.score_options["cache"] else None
            with self.lock:
                blocker = self.scoring.get(key) if key else None
                if blocker is None and key:
                    mine = self.scoring[key] = threading.Event()
            if blocker is not None:
                self._after(blocker, ran)
            scorer = self._scoring_turn(ran, first=blocker is not None)
            return score_sandboxed(ran, self.staged, scorer=scorer, **self.score_options)
        finally:
            if mine is not None:
                with self.lock:
                    del self.scoring[key]
                mine.set()
            if ran is not None:
                ran.remove()
            if scorer is not None:
                self.scorers.give(scorer)

    def _after(self, blocker: threading.Event, ran):
        """Wait for ``blocker`` (set once the identical submission is scored), holding no
        turn and no scorer."""
        since = time.perf_counter()
        blocker.wait()  # (on Ctrl-C, the scoring turn taken next says the pool stopped)
        ran.waited += time.perf_counter() - since
        with self.lock:
            self.deferred += 1

    def submit(self, notebook: Path):
        return self.executor.submit(self._grade, notebook)

    def as_completed(self, futures):
        return as_completed(futures)

    def shutdown(self, wait=True, cancel_futures=False):
        with self.lock:
            self.closing = True
        self.stopped.set()
        self.wanted.set()
        self.turns.close()
        self.scorers.close()
        self.executor.shutdown(wait=wait, cancel_futures=cancel_futures)
        with self.lock:
            workers = list(self.workers)
        for worker in workers:
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
    parser.add_argument("--timeout", type=float,
                        help="CPU seconds per submission in the sandbox (wall-clock backstop: "
                             "4x + 60 s); default: the assignment's, 30 unless its config says")
    parser.add_argument("--memory-gb", type=float,
                        help="address-space limit of a submission's sandbox; default: the "
                             "assignment's, 4 unless its config says")
    parser.add_argument("--regrade", action="store_true")
    parser.add_argument("--hidden-data", type=Path,
                        help="folder with real test_<dataset>.h5 files to grade on")
    parser.add_argument("--no-reuse", action="store_true",
                        help="train every model, even one identical to a model already trained")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="grade on the Dask cluster with this scheduler (tcp://host:8786) "
                             "instead of --jobs local threads")
    parser.add_argument("--roster", type=Path, help="csv of the class (columns: [roster] in "
                                                    "the course file)")
    parser.add_argument("--course", type=Path, help="course file: deadlines, late policy, "
                                                    "extensions, roster columns")
    parser.add_argument("--worksheet", type=Path,
                        help="Moodle's grading worksheet csv: maps a Moodle download's "
                             "participant ids to the roster (by e-mail or ID number)")
    parser.add_argument("--layout", choices=["canvas", "moodle", "gradescope", "folder"],
                        help="the download's layout, when detecting it is not enough")
    args = parser.parse_args(argv)
    try:
        book = grade_class(args.assignment, args.submissions, args.out, jobs=args.jobs,
                           timeout=args.timeout, memory_gb=args.memory_gb,
                           regrade=args.regrade, hidden_data=args.hidden_data,
                           reuse=not args.no_reuse, scheduler=args.scheduler,
                           roster=args.roster, course_file=args.course, layout=args.layout,
                           worksheet=args.worksheet)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    except KeyboardInterrupt:
        sys.exit(130)
    language = course.load(args.course).ta_language_for(args.assignment)  # read without error
    print(msg_in(language, "ta.done", count=len(book.rows), path=book.path,
                 summary=args.out / "summary.md", report=args.out / "report.html"))


if __name__ == "__main__":
    main()
