"""Review round A: hostile downloads against the TA's own files (grades.csv, exports).

Each test is one defect found by reading the TA-side code as a student would, graded
through the real class path with the fast stand-in grader of :mod:`tests.fakes`.
"""
import csv
import io
import zipfile
from pathlib import Path

from autograder import export, grade
from autograder.engine import report
from autograder.tools import downloads
from autograder.tools.hostile import canvas_name, write_zip
from tests import fakes

COURSE = ('[course]\ntimezone = "UTC"\n\n[roster]\nid = "SIS User ID"\nname = "Student"\n'
          'section = "Section"\nlms_id = "ID"\n')
FULL = fakes.notebook()
CSV_FIELD_LIMIT = 131_072  # Python's csv reader refuses a longer cell (its default)


def grade_zip(path: Path, out: Path, roster: Path | None, course_file: Path | None) -> dict:
    grade.grade_class("convnets", path, out, jobs=1, timeout=10, memory_gb=1,
                      progress=False, roster=roster, course_file=course_file)
    return {r["id"]: r for r in report.read_csv(out / "grades.csv")}


def canvas_class(tmp_path: Path, members: list, persons: list) -> tuple[Path, Path, Path]:
    path = write_zip(tmp_path / "dl" / "submissions.zip", members)
    roster = downloads.write_roster(tmp_path / "roster.csv", persons)
    course_file = tmp_path / "course.toml"
    course_file.write_text(COURSE)
    return path, roster, course_file


def longest_cell(path: Path) -> int:
    text = path.read_text(encoding="utf-8")
    limit = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        return max(len(cell) for row in csv.reader(io.StringIO(text, newline="")) for cell in row)
    finally:
        csv.field_size_limit(limit)


def test_long_member_names_never_make_grades_csv_unreadable(tmp_path, monkeypatch):
    """Bo uploads four files whose names are 45,000 characters long. His row's notes
    list his earlier attempts by name (three of them): 135,169 characters in one cell,
    past the 131,072 that Python's csv reader takes. The class stopped at the next
    feedback page (``_csv.Error: field larger than field limit``) and every later
    command on the run folder (a rerun, make export, make manual) failed the same way."""
    fakes.use_fake_grader(monkeypatch)
    ada, bo, cy = downloads.people(3)
    long = "w" * 45_000 + ".ipynb"
    members = [(canvas_name(ada, 7730001), FULL, ""),
               *[(canvas_name(bo, 7730002 + n, long), FULL, "") for n in range(4)],
               (canvas_name(cy, 7730010), FULL, "")]
    path, roster, course_file = canvas_class(tmp_path, members, [ada, bo, cy])
    out = tmp_path / "run"
    rows = grade_zip(path, out, roster, course_file)
    assert {rows[p.id]["status"] for p in (ada, bo, cy)} == {"graded"}
    assert rows[bo.id]["total"] == "14" and "earlier attempt" in rows[bo.id]["notes"]
    assert longest_cell(out / "grades.csv") < CSV_FIELD_LIMIT
    # the run folder stays usable: a rerun and an export read it back
    assert grade_zip(path, out, roster, course_file) == rows
    export.export(out, "csv")
