"""A TA's week on one sample class, as ``make demo`` shows it: from an LMS download to the
LMS's gradebook.

The sample class's notebooks become a generated Canvas "Download Submissions" zip
(:mod:`autograder.tools.downloads`), with a roster and the repo's course file
(``course.toml``): every sample is a made-up student, and around them the cases a real
week brings, timed against the course file's deadline:

- a student on the roster who handed nothing in (``missing``, 0 points);
- one late within the cap, and one after the last accepted time (no points);
- one who uploaded twice (an earlier stub, then the sample: the latest counts);
- one not on the roster (graded under the Canvas user id, and listed).

It grades the download, runs every export (:mod:`autograder.export`) and saves a
screenshot of the report. The generated download, roster and course file stay in
``dist/demo_week/<assignment>/`` for a TA to try the commands on.
"""
import shutil
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import nbformat

from autograder import assignments, course, export, grade
from autograder.assignments import DIST, REPO_ROOT, KitError
from autograder.tools import downloads, samples

ROLES = ("two attempts", "not on the roster", "late within the cap", "after the last accepted time")
#: The Canvas gradebook column of the made-up class (a TA sets theirs in the course file).
CANVAS_COLUMN = "Demo week (1001)"


@dataclass
class Week:
    """The generated download and who is who in it."""

    download: Path
    roster: Path
    course_file: Path
    ids: dict                                   # sample id -> grades.csv id
    roles: dict = field(default_factory=dict)   # role -> grades.csv id
    missing: str = ""                           # the roster student with no submission


def make_download(name: str, folder: Path, course_file: Path = course.COURSE_FILE,
                  class_folder: Path | None = None) -> Week:
    """Write ``folder/submissions.zip`` (Canvas layout) and ``folder/roster.csv`` from the
    sample class (written to ``class_folder``, by default where ``make samples`` puts it)."""
    settings = course.load(course_file)
    deadline = settings.deadline(name)
    if deadline is None:
        raise KitError(f"{course_file} has no [assignments.{name}]: the week needs its deadline")
    assignment = assignments.get(name)
    class_folder = samples.write_class(name, class_folder)
    class_samples = samples.samples_of(assignment)
    persons = downloads.people(len(class_samples) + 1, seed=14)
    missing = persons[-1]
    honest = [s.id for s in class_samples if s.raw is None]
    role_of = dict(zip(honest[:len(ROLES)], ROLES))
    last = deadline.last_accepted or deadline.due + timedelta(days=10)
    stub = nbformat.writes(samples.notebook_for(assignment, samples.Sample("stub", "", None)))
    attempts, ids, roles, stranger = [], {}, {}, None
    for index, (sample, person) in enumerate(zip(class_samples, persons)):
        data = (class_folder / f"{sample.id}.ipynb").read_bytes()
        role = role_of.get(sample.id, "")
        when = deadline.due - timedelta(minutes=23 * (index + 1))
        if role == "two attempts":
            attempts.append(downloads.Attempt(person, stub.encode(),
                                              deadline.due - timedelta(days=2)))
        elif role == "late within the cap":
            when = deadline.due + timedelta(hours=30)
        elif role == "after the last accepted time":
            when = last + timedelta(hours=1)
        attempts.append(downloads.Attempt(person, data, when, late=when > deadline.due))
        if role == "not on the roster":
            stranger = person
        ids[sample.id] = str(person.canvas_id) if person is stranger else person.id
        if role:
            roles[role] = ids[sample.id]
    folder.mkdir(parents=True, exist_ok=True)
    download = downloads.canvas_zip(folder / "submissions.zip", attempts, settings.timezone)
    roster = downloads.write_roster(folder / "roster.csv",
                                    [p for p in persons if p is not stranger], style="kit")
    return Week(download, roster, Path(course_file), ids, roles, missing.id)


def run(name: str, *, jobs: int, timeout: float | None = None, out: Path | None = None,
        progress=True):
    """Grade the week's download, export it for every LMS and photograph the report.

    Returns (assignment, grade book, run folder, week, {lms: export folder}, screenshot or
    None, note). The default run folder (``runs/demo/<name>``) is the demo's own and is
    replaced; nothing else is ever removed.
    """
    from autograder.build import bundle, release

    assignment = assignments.get(name)
    bundle.build(name)
    release.build(name)
    week = make_download(name, DIST / "demo_week" / name)
    if out is None:
        out = REPO_ROOT / "runs" / "demo" / name
        shutil.rmtree(out, ignore_errors=True)  # the demo's own folder: its ids change
    book = grade.grade_class(name, week.download, out, jobs=jobs, timeout=timeout,
                             regrade=True, progress=progress,
                             roster=week.roster, course_file=week.course_file)
    exported = {lms: export.export(out, lms, column=CANVAS_COLUMN) for lms in export.LMS}
    shot, note = out / "report.png", ""
    try:
        from autograder.tools import browser
        errors = browser.screenshot(out / "report.html", shot)
        note = f"console errors: {errors}" if errors else ""
    except (KitError, ImportError, RuntimeError) as exc:  # no browser: the rest stands
        shot, note = None, f"no screenshot ({exc})"
    return assignment, book, out, week, exported, shot, note


def check(book, week: Week) -> list[str]:
    """What of the week did not come out as it should (empty: all of it did)."""
    rows, problems = book.rows, []
    expect = {
        week.missing: lambda r: r["status"] == "missing" and r["final"] == "0",
        week.roles.get("late within the cap"): lambda r: 0 < float(r["penalty"] or 0) < 100,
        week.roles.get("after the last accepted time"): lambda r: r["penalty"] == "100"
        and r["final"] == "0",
        week.roles.get("two attempts"): lambda r: "earlier attempt(s) not graded" in r["notes"],
        week.roles.get("not on the roster"): lambda r: "not on the roster" in r["notes"],
    }
    for student, good in expect.items():
        if student is not None and not (student in rows and good(rows[student])):
            problems.append(f"{student}: {rows.get(student)}")
    return problems


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)


def describe(week: Week, exported: dict, shot, note: str) -> list[str]:
    """Lines for the demo's output: who is who, where the exports and the report are."""
    lines = [f"\nThe week: a Canvas download ({_shown(week.download)}), a roster "
             f"({_shown(week.roster)}) and the course file ({_shown(week.course_file)}):",
             f"  missing (on the roster, nothing handed in): {week.missing}"]
    lines += [f"  {role}: {student}" for role, student in week.roles.items()]
    for lms, (folder, done) in exported.items():
        unmatched = f"; {len(done['unmatched'])} the LMS cannot match" if done["unmatched"] else ""
        lines.append(f"export {lms:<7} {_shown(folder)}/: "
                     f"{', '.join(done['files'])} ({done['feedback']} feedback files{unmatched})")
    if shot:
        lines.append(f"screenshot: {shot}")
    if note:
        lines.append(f"note: {note}")
    return lines
