"""``make export RUN=<run> LMS=canvas|moodle|csv``: grades and feedback back into the LMS.

Reads what ``make grade`` and ``make manual`` left in the run folder (``grades.csv``:
``final`` is the points after the late penalty, hand-graded questions included;
``collected/manifest.json``: each student's LMS ids and roster row; ``feedback/``) and
writes import-ready files to ``<run>/export/<lms>/``:

- **canvas**: ``gradebook.csv`` in the Canvas gradebook import format: ``Student``,
  ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one column named for the
  assignment (``canvas_column`` in the course file, else its title), and a
  ``Points Possible`` row under the header. Canvas matches rows by ``ID`` (its user id,
  from the download's file names or the roster's ``lms_id``) or the SIS columns (echoed
  from a roster that is a Canvas gradebook export). ``feedback.zip``: one
  ``<lastfirst>_<user id>_<attachment id>_feedback.html`` per student whose notebook came
  from a Canvas download: the prefix of the downloaded file, which Canvas's "Upload
  submissions" (bulk feedback) reads back to attach the page as a comment.
- **moodle**: ``grades.csv`` for the gradebook's CSV import (identifier columns
  ``Email address`` and ``ID number``, the grade column and a ``Feedback comments``
  column); ``grading-worksheet.csv``, the assignment's offline grading worksheet
  (``Identifier`` = ``Participant <id>``) for students whose notebook came from a Moodle
  download; ``feedback.zip``: ``<Full name>_<participant id>_assignfeedback_file_feedback.html``
  per such student, the naming Moodle's "Upload multiple feedback files in a zip" matches.
- **csv**: ``grades.csv`` (id, name, email, section, points per question, total,
  penalty, final, max, status) and ``feedback.zip`` with ``<id>.html``.

Students the LMS cannot match (no LMS id known) are listed, not dropped.
"""
import argparse
import io
import sys
import zipfile
from pathlib import Path

from autograder.assignments import KitError
from autograder.engine import csvcells, report

LMS = ("canvas", "moodle", "csv")
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "    Points Possible"
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


def _feedback(out: Path, student: str) -> Path | None:
    page = out / "feedback" / f"{student}.html"
    return page if page.exists() else None


def comment(row: dict) -> str:
    """The short comment an LMS shows beside the grade."""
    text = f"{row.get('final') or row['total']}/{row['max']} points"
    if float(row.get("penalty") or 0):
        text += f" ({row['total']} before a {row['penalty']}% late penalty)"
    if row.get("status") == "missing":
        text = "no submission: 0 points"
    elif row.get("status") not in ("graded", ""):
        text += f"; status {row['status']}"
    return text + "; details in the attached feedback file."


def canvas(out: Path, rows: list[dict], info: dict) -> dict:
    students = info.get("students", {})
    column = info.get("canvas_column") or info.get("title") or info.get("assignment", "Assignment")
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
            feedback[f"{lms['prefix']}_feedback.html"] = page
    points = [POINTS_POSSIBLE, "", "", "", "", maximum]
    return {"gradebook.csv": _csv_text([*CANVAS_COLUMNS, column], [points, *table]),
            "feedback.zip": feedback, "unmatched": unmatched}


def moodle(out: Path, rows: list[dict], info: dict) -> dict:
    students = info.get("students", {})
    title = info.get("title") or info.get("assignment", "Assignment")
    gradebook, worksheet, feedback, unmatched = [], [], {}, []
    for row in rows:
        meta = students.get(row["id"], {})
        lms = meta.get("lms", {}) if meta.get("layout") == "moodle" else {}
        email = meta.get("email", "")
        final = row.get("final") or "0"
        if not email and not meta.get("on_roster"):
            unmatched.append(row["id"])
        gradebook.append([row.get("name") or meta.get("name", ""), row["id"], email, final,
                          comment(row)])
        # The account's name from Moodle's grading worksheet when make grade had it: the
        # folder's name is the profile's, which a student may have changed to a classmate's.
        fullname = lms.get("worksheet_name") or lms.get("fullname", "")
        if lms.get("participant"):
            worksheet.append([f"Participant {lms['participant']}", fullname,
                              email, "Submitted for grading", final, row["max"], "Yes",
                              row.get("submitted_at", ""), "", comment(row)])
            page = _feedback(out, row["id"])
            if page:
                shown = fullname.replace("_", " ").replace("/", " ") or "student"
                feedback[f"{shown}_{lms['participant']}_assignfeedback_file_feedback.html"] = page
    files = {"grades.csv": _csv_text(["Full name", "ID number", "Email address", title,
                                      "Feedback comments"], gradebook),
             "feedback.zip": feedback, "unmatched": unmatched}
    if worksheet:
        files["grading-worksheet.csv"] = _csv_text(MOODLE_WORKSHEET, worksheet)
    return files


def plain(out: Path, rows: list[dict], info: dict) -> dict:
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


def export(out: Path, lms: str) -> tuple[Path, dict]:
    """Write ``<out>/export/<lms>/``; return the folder and what was written."""
    if lms not in LMS:
        raise KitError(f"unknown LMS '{lms}': LMS=canvas, moodle or csv")
    rows, info = load_run(Path(out))
    blank = [c for c in rows[0] if c.startswith("manual:") and any(not r[c] for r in rows
                                                                    if r["status"] != "missing")]
    files = {"canvas": canvas, "moodle": moodle, "csv": plain}[lms](Path(out), rows, info)
    folder = Path(out) / "export" / lms
    folder.mkdir(parents=True, exist_ok=True)
    unmatched = files.pop("unmatched")
    for name, content in files.items():
        if isinstance(content, dict):
            _zip(folder / name, content)
        else:
            report.atomic_write(folder / name, content)
    return folder, {"files": sorted(files), "unmatched": unmatched, "blank_manual": blank,
                    "feedback": len(files.get("feedback.zip", {})), "rows": len(rows)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", required=True, type=Path, help="the run folder of make grade")
    parser.add_argument("--lms", required=True, help="canvas, moodle or csv")
    args = parser.parse_args(argv)
    try:
        folder, done = export(args.run, args.lms)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    print(f"{done['rows']} student(s) exported to {folder}: {', '.join(done['files'])} "
          f"({done['feedback']} feedback file(s))")
    if done["blank_manual"]:
        print(f"note: hand-graded question(s) {', '.join(done['blank_manual'])} are not scored "
              f"for every student yet and count 0: run make manual first")
    if done["unmatched"]:
        print(f"note: the LMS cannot match {len(done['unmatched'])} student(s) (no LMS id or "
              f"e-mail known: give ROSTER= with them): {', '.join(done['unmatched'][:10])}")


if __name__ == "__main__":
    main()
