"""``make export RUN=<run> LMS=canvas|moodle|csv``: grades and feedback back into the LMS.

Reads what ``make grade`` and ``make manual`` left in the run folder (``grades.csv``:
``final`` is the points after the late penalty, hand-graded questions included;
``collected/manifest.json``: each student's LMS ids and roster row; ``feedback/``) and
writes import-ready files to ``<run>/export/<lms>/``:

- **canvas**: ``gradebook.csv`` in the Canvas gradebook import format: ``Student``,
  ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then the assignment's column,
  and a ``Points Possible`` row under the header. The column must be one the gradebook
  already has: Canvas makes a new assignment of a column it does not know, silently. It
  is ``canvas_column`` in the course file, or found in a gradebook export from Canvas
  (Grades > Export) that the TA passes (``GRADEBOOK=``; with both, the course file's
  must be in the export); with neither, nothing is written and the error says how to
  set it. Canvas matches rows by ``ID`` (its user id,
  from the download's file names or the roster's ``lms_id``) or the SIS columns (echoed
  from a roster that is a Canvas gradebook export). ``feedback.zip``: one
  ``<lastfirst>_<user id>_<attachment id>_feedback.html`` per student whose notebook came
  from a Canvas download: the prefix of the downloaded file, which Canvas's "Upload
  submissions" (bulk feedback) reads back to attach the page as a comment.
- **moodle**: ``grades.csv`` for the gradebook's CSV import (identifier columns
  ``Email address`` and ``ID number``, the grade column and a ``Feedback comments``
  column, which mentions an attached feedback file only for a student who has one);
  ``grading-worksheet.csv``, the assignment's offline grading worksheet (``Identifier`` =
  ``Participant <id>``) for students whose notebook came from a Moodle download; ``feedback.zip``: ``<Full name>_<participant id>_assignfeedback_file_feedback.html``
  per such student, the naming Moodle's "Upload multiple feedback files in a zip" matches.
- **csv**: ``grades.csv`` (id, name, email, section, points per question, total,
  penalty, final, max, status) and ``feedback.zip`` with ``<id>.html``.

Students the LMS cannot match (no LMS id known) are listed, not dropped. A
``feedback.zip`` is written only when it holds a file. Hand-graded points: the export
says when ``manual/`` holds scores not merged yet (run ``make manual``) apart from
answers nobody scored yet, which count 0.
"""
import argparse
import csv
import functools
import io
import re
import sys
import zipfile
from pathlib import Path

from autograder.assignments import KitError
from autograder.engine import csvcells, report
from autograder.review import store
from shared.i18n import has, msg_in

LMS = ("canvas", "moodle", "csv")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "    Points Possible"
#: Columns of a Canvas gradebook export that are not assignments.
CANVAS_NOT_ASSIGNMENTS = {*CANVAS_COLUMNS, "Integration ID", "Root Account"}
CANVAS_TOTALS = ("Current Points", "Final Points", "Current Grade", "Final Grade",
                 "Unposted Current", "Unposted Final", "Current Score", "Final Score")
HEADER_LIMIT = 1_000_000  # characters of a gradebook export's first line read
#: What a name taken from the download or the LMS may not bring into a feedback zip's file
#: names: folder separators (``../../x``, ``..\\x`` would unpack outside the TA's folder)
#: and control characters.
NOT_IN_FILE_NAME = re.compile(r"[/\\\x00-\x1f\x7f-\x9f\u2028\u2029]")
NAME_BYTES = 120  # of the name part of a feedback file's name: honest names are far shorter
MOODLE_WORKSHEET = ["Identifier", "Full name", "Email address", "Status", "Grade",
                    "Maximum Grade", "Grade can be changed", "Last modified (submission)",
                    "Last modified (grade)", "Feedback comments"]


def load_run(out: Path) -> tuple[list[dict], dict]:
    """(grades.csv rows, manifest) of a run folder, or a KitError saying what is missing."""
    grades = out / "grades.csv"
    if not grades.exists():
        raise KitError(f"{grades} does not exist: run make grade RUN={out} first")
    rows = report.read_csv(grades)
    if not rows:
        raise KitError(f"{grades} has no rows: nothing to export")
    return rows, report.run_info(out)


def _csv_text(columns: list[str], rows: list[list]) -> str:
    """A CSV file's text; cells a spreadsheet would run as formulas are written as text."""
    buffer = io.StringIO()
    writer = csvcells.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def _zip(path: Path, files: dict[str, Path]):
    """Write a zip of ``name -> file`` atomically."""
    tmp = path.with_name(f".{path.name}.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, source in sorted(files.items()):
            archive.write(source, name)
    tmp.replace(path)


def plain_name(text: str, keep_end: bool = False) -> str:
    """``text`` (a student's name, a Canvas prefix) as part of one file name in a feedback
    zip: no folder separators or control characters, no leading dot, at most
    :data:`NAME_BYTES` bytes (a member name of 64 KB made a zip name past the format's
    limit); ``keep_end``: cut from the start (a Canvas prefix ends with the ids Canvas
    matches). An honest name passes unchanged."""
    text = NOT_IN_FILE_NAME.sub("", text).lstrip(". ")
    data = text.encode("utf-8")
    if len(data) > NAME_BYTES:
        cut = data[-NAME_BYTES:] if keep_end else data[:NAME_BYTES]
        text = cut.decode("utf-8", "ignore").lstrip(". ")
    return text


def _feedback(out: Path, student: str) -> Path | None:
    page = out / "feedback" / f"{student}.html"
    return page if page.exists() else None


def comment(row: dict, attached: bool = True, language: str = "en") -> str:
    """The short comment an LMS shows beside the grade (``attached``: the student's
    feedback page goes with it, so the comment may point to it), in the students'
    ``language``: the student reads it, beside the feedback page in that language."""
    say = functools.partial(msg_in, language)
    text = say("export.points", final=row.get("final") or row["total"], max=row["max"])
    if float(row.get("penalty") or 0):
        text += say("export.before_penalty", total=row["total"], penalty=row["penalty"])
    if row.get("status") == "missing":
        text = say("export.missing")
    elif row.get("status") not in ("graded", ""):
        status = f"fb.status.{row['status']}"
        text += say("export.status", status=say(status) if has(status) else row["status"])
    return text + say("export.attached" if attached else "fb.stop")


def canvas_columns(path: Path) -> list[str]:
    """The assignment columns of a Canvas gradebook export (its header, bounded)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            header = handle.readline(HEADER_LIMIT)
    except (OSError, UnicodeDecodeError) as exc:
        raise KitError(f"{path}: cannot read it as a Canvas gradebook export ({exc})") from None
    columns = next(csv.reader([header]), [])
    if not {"Student", "ID"} <= set(columns):
        raise KitError(f"{path}: not a Canvas gradebook export (its first row has no 'Student' "
                       f"and 'ID' columns); in Canvas: Grades > Export > Export Entire Gradebook")
    return [c for c in columns if c and c not in CANVAS_NOT_ASSIGNMENTS
            and not c.startswith(CANVAS_TOTALS) and not c.endswith(("Current Score",
                                                                    "Final Score"))]


def canvas_column(info: dict, gradebook: Path | None, column: str | None = None) -> str:
    """The gradebook column to fill: the course file's ``canvas_column`` (checked against
    the gradebook export when one is given), else the export's one column named for this
    assignment; a KitError saying how to set it when neither names one."""
    configured = column or info.get("canvas_column", "")
    assignment = info.get("assignment", "") or "<assignment>"
    how = (f"set canvas_column = \"<the column as Canvas's gradebook names it, e.g. "
           f"{info.get('title') or assignment} (123456)>\" under [assignments.{assignment}] "
           f"in the course file")
    if gradebook is None:
        if not configured:
            raise KitError(f"no Canvas gradebook column for {assignment}: {how}, or pass the "
                           f"gradebook exported from Canvas (Grades > Export) with "
                           f"GRADEBOOK=<file.csv>. Canvas makes a new assignment of a column it "
                           f"does not know, so the kit never guesses one.")
        return configured
    columns = canvas_columns(gradebook)
    if configured:
        if configured not in columns:
            raise KitError(f"canvas_column \"{configured}\" is not a column of {gradebook} "
                           f"(Canvas would make a new assignment of it); its assignment "
                           f"columns are: {', '.join(columns[:20]) or 'none'}")
        return configured
    names = {n.lower() for n in (info.get("title", ""), info.get("assignment", "")) if n}
    found = [c for c in columns if c.rsplit(" (", 1)[0].strip().lower() in names]
    if len(found) != 1:
        what = "several columns match" if found else "no column matches"
        raise KitError(f"{gradebook}: {what} {assignment} (its assignment columns: "
                       f"{', '.join(found or columns[:20]) or 'none'}): {how}")
    return found[0]


def canvas(out: Path, rows: list[dict], info: dict, gradebook: Path | None = None,
           column: str | None = None) -> dict:
    students = info.get("students", {})
    column = canvas_column(info, gradebook, column)
    table, feedback, unmatched = [], {}, []
    maximum = rows[0]["max"]
    for row in rows:
        meta = students.get(row["id"], {})
        roster = meta.get("roster_row", {})
        lms = meta.get("lms", {}) if meta.get("layout") == "canvas" else {}
        user = roster.get("ID") or meta.get("lms_id") or lms.get("user_id", "")
        sis, login = roster.get("SIS User ID", ""), roster.get("SIS Login ID", "")
        if not (user or sis or login):
            unmatched.append(row["id"])
        table.append([roster.get("Student") or row.get("name") or row["id"], user, sis, login,
                      roster.get("Section") or row.get("section", ""), row.get("final") or "0"])
        page = _feedback(out, row["id"])
        if page and lms.get("prefix"):
            feedback[f"{plain_name(lms['prefix'], keep_end=True)}_feedback.html"] = page
    points = [POINTS_POSSIBLE, "", "", "", "", maximum]
    return {"gradebook.csv": _csv_text([*CANVAS_COLUMNS, column], [points, *table]),
            "feedback.zip": feedback, "unmatched": unmatched}


def moodle(out: Path, rows: list[dict], info: dict, gradebook=None, column=None) -> dict:
    students = info.get("students", {})
    title = info.get("title") or info.get("assignment", "Assignment")
    table, worksheet, feedback, unmatched = [], [], {}, []
    for row in rows:
        meta = students.get(row["id"], {})
        lms = meta.get("lms", {}) if meta.get("layout") == "moodle" else {}
        email = meta.get("email", "")
        final = row.get("final") or "0"
        if not email and not meta.get("on_roster"):
            unmatched.append(row["id"])
        # The account's name from Moodle's grading worksheet when make grade had it: the
        # folder's name is the profile's, which a student may have changed to a classmate's.
        fullname = lms.get("worksheet_name") or lms.get("fullname", "")
        # Moodle attaches a file only to a participant of its own download (whose id, the
        # one part of the name Moodle matches, must stay whole: never cut into another's).
        participant = str(lms.get("participant") or "")
        page = (_feedback(out, row["id"]) if participant and plain_name(participant) == participant
                else None)
        if page:
            shown = plain_name(fullname.replace("_", " ").replace("/", " ")) or "student"
            feedback[f"{shown}_{participant}_assignfeedback_file_feedback.html"] = page
        said = comment(row, attached=page is not None,  # never points to a file not sent
                       language=info.get("language", "en"))
        table.append([row.get("name") or meta.get("name", ""), row["id"], email, final, said])
        if lms.get("participant"):
            worksheet.append([f"Participant {lms['participant']}", fullname,
                              email, "Submitted for grading", final, row["max"], "Yes",
                              row.get("submitted_at", ""), "", said])
    files = {"grades.csv": _csv_text(["Full name", "ID number", "Email address", title,
                                      "Feedback comments"], table),
             "feedback.zip": feedback, "unmatched": unmatched}
    if worksheet:
        files["grading-worksheet.csv"] = _csv_text(MOODLE_WORKSHEET, worksheet)
    return files


def plain(out: Path, rows: list[dict], info: dict, gradebook=None, column=None) -> dict:
    students = info.get("students", {})
    questions = [c for c in rows[0] if c not in {
        "id", "name", "section", "total", "max", "penalty", "final", "status", "flags",
        "submitted_at", "time_source", "late_by", "source", "notes", "seconds", "message"}]
    columns = ["id", "name", "email", "section", *questions, "total", "penalty", "final", "max",
               "status", "late_by"]
    table = [[row["id"], row.get("name", ""), students.get(row["id"], {}).get("email", ""),
              row.get("section", ""), *[row.get(q, "") for q in questions], row["total"],
              row.get("penalty", ""), row.get("final") or row["total"], row["max"], row["status"],
              row.get("late_by", "")] for row in rows]
    feedback = {f"{row['id']}.html": page for row in rows
                if (page := _feedback(out, row["id"]))}
    return {"grades.csv": _csv_text(columns, table), "feedback.zip": feedback, "unmatched": []}


def export(out: Path, lms: str, gradebook: Path | None = None,
           column: str | None = None) -> tuple[Path, dict]:
    """Write ``<out>/export/<lms>/``; return the folder and what was written.

    ``gradebook``: a Canvas gradebook export, where the Canvas column is found or checked;
    ``column``: the Canvas column, in place of the course file's (the kit's own generated
    classes, whose gradebook is made up).
    """
    if lms not in LMS:
        raise KitError(f"unknown LMS '{lms}': LMS=canvas, moodle or csv")
    rows, info = load_run(Path(out))
    files = {"canvas": canvas, "moodle": moodle, "csv": plain}[lms](Path(out), rows, info,
                                                                   gradebook, column)
    folder = Path(out) / "export" / lms
    folder.mkdir(parents=True, exist_ok=True)
    unmatched = files.pop("unmatched")
    if not files.get("feedback.zip"):  # no file to attach: no empty zip to upload
        files.pop("feedback.zip", None)
        (folder / "feedback.zip").unlink(missing_ok=True)  # one an earlier export left
    for name, content in files.items():
        if isinstance(content, dict):
            _zip(folder / name, content)
        else:
            report.atomic_write(folder / name, content)
    return folder, {"files": sorted(files), "unmatched": unmatched,
                    "feedback": len(files.get("feedback.zip", {})), "rows": len(rows),
                    **hand_graded_state(Path(out), rows)}


def hand_graded_state(out: Path, rows: list[dict]) -> dict:
    """What ``grades.csv`` lacks of the hand grading: ``unmerged``, the questions whose
    points in ``manual/scores.csv`` (typed, or saved by ``make review``) differ from the
    merged ones, so ``make manual`` is due; ``unscored``, the answers nobody scored yet."""
    keys = [c.removeprefix("manual:") for c in rows[0] if c.startswith("manual:")]
    path = store.scores_path(out)
    typed = store.read_scores(path, keys) if keys and path.exists() else {}
    unmerged, unscored = set(), 0
    for row in rows:
        if row.get("status") == "missing":
            continue
        for key in keys:
            merged, scored = row.get(f"manual:{key}", ""), typed.get(row["id"], {}).get(key, "")
            if _points(merged) != _points(scored):
                unmerged.add(key)
            elif not merged:
                unscored += 1
    return {"unmerged": sorted(unmerged), "unscored": unscored}


def _points(text: str):
    try:
        return float(text) if text else None
    except ValueError:
        return text  # not a number: unequal to any merged score, make manual names it


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, type=Path, help="the run folder of make grade")
    parser.add_argument("--lms", required=True, help="canvas, moodle or csv")
    parser.add_argument("--gradebook", type=Path,
                        help="Canvas: the gradebook exported from Canvas (Grades > Export), "
                             "where the assignment's column is found or checked")
    args = parser.parse_args(argv)
    try:
        folder, done = export(args.run, args.lms, args.gradebook)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    say = functools.partial(msg_in, report.run_language(args.run, None, "ta_language"))  # the TA's
    print(say("ex.done", rows=done["rows"], folder=folder, files=", ".join(done["files"]),
              feedback=done["feedback"]))
    if done["unmerged"]:
        print(say("ex.unmerged", students=", ".join(done["unmerged"]), run=args.run))
    if done["unscored"]:
        print(say("ex.unscored", count=done["unscored"], run=args.run))
    if done["unmatched"]:
        print(say("ex.unmatched", count=len(done["unmatched"]),
                  students=", ".join(done["unmatched"][:10])))


if __name__ == "__main__":
    main()
