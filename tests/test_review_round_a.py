"""Review round A: hostile downloads against the TA's own files (grades.csv, exports).

Each test is one defect found by reading the TA-side code as a student would, graded
through the real class path with the fast stand-in grader of :mod:`tests.fakes`.
"""
import csv
import io
import zipfile
from pathlib import Path

import pytest

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


def plain_member(name: str) -> bool:
    """A zip member name that unpacks to one file in the folder it is unpacked in."""
    return (not set(name) & {"/", "\\"} and not name.startswith(".")
            and name.isprintable() and len(name.encode()) <= 255)


def test_feedback_zips_hold_plain_file_names_whatever_the_download_named(tmp_path,
                                                                        monkeypatch):
    """The Canvas feedback zip named each page after the prefix of the student's member
    name, and the Moodle one after the full name: a member ``../../<name>_<id>_<att>_...``
    (refused, but its row gets a feedback page) or ``..\\..\\<name>_...`` was written into
    ``feedback.zip`` as ``../../<name>_<id>_<att>_feedback.html``, a path out of the folder
    the TA unpacks it in; a Moodle full name ``..\\..\\evil`` likewise. A member name of
    65,535 bytes made a feedback name past the zip format's 65,535, and ``make export``
    stopped with ``struct.error`` for the whole class."""
    fakes.use_fake_grader(monkeypatch)
    ada, bo, cy, dee = downloads.people(4)
    ids = f"_{dee.canvas_id}_7730004"
    longest = "n" * (65_535 - len(ids) - len("_.ipynb")) + ids + "_.ipynb"
    members = [(canvas_name(ada, 7730001), FULL, ""),
               (f"../../{bo.lastfirst}_{bo.canvas_id}_7730002_week3.ipynb", FULL, ""),
               (f"..\\..\\{cy.lastfirst}_{cy.canvas_id}_7730003_week3.ipynb", FULL, ""),
               (longest, FULL, "")]
    path, roster, course_file = canvas_class(tmp_path, members, [ada, bo, cy, dee])
    out = tmp_path / "run"
    rows = grade_zip(path, out, roster, course_file)
    assert rows[bo.id]["status"] == rows[cy.id]["status"] == "invalid"
    assert rows[dee.id]["status"] == "graded"
    folder, done = export.export(out, "canvas", column="Week 1 (1)")
    with zipfile.ZipFile(folder / "feedback.zip") as archive:
        names = archive.namelist()
    assert len(names) == 4 and all(map(plain_member, names)), names
    assert f"{bo.lastfirst}_{bo.canvas_id}_7730002_feedback.html" in names
    assert any(name.endswith(f"{ids}_feedback.html") for name in names)

    import dataclasses
    evil = dataclasses.replace(bo, first="..\\..\\..\\evil")
    # two participant ids alike in their first 120 digits: never cut into one name
    twins = [dataclasses.replace(p, participant=int("9" * 130 + str(n)))
             for n, p in enumerate((cy, dee))]
    moodle = write_zip(tmp_path / "dl2" / "moodle.zip", [
        (f"{ada.name}_{ada.participant}_assignsubmission_file/week3.ipynb", FULL, ""),
        (f"Bo_{evil.participant}_assignsubmission_file/week3.ipynb", FULL, ""),
        *[(f"{p.name}_{p.participant}_assignsubmission_file/week3.ipynb", FULL, "")
          for p in twins]])
    sheet = downloads.moodle_worksheet(tmp_path / "worksheet.csv", [ada, evil, *twins])
    kit_roster = downloads.write_roster(tmp_path / "kit-roster.csv", [ada, evil, *twins],
                                        style="kit")
    out2 = tmp_path / "run2"
    grade.grade_class("convnets", moodle, out2, jobs=1, timeout=10, memory_gb=1, progress=False,
                      roster=kit_roster, worksheet=sheet)
    folder, _ = export.export(out2, "moodle")
    with zipfile.ZipFile(folder / "feedback.zip") as archive:
        names = archive.namelist()
    assert len(names) == 2 and all(map(plain_member, names)), names
    assert f"{ada.name}_{ada.participant}_assignfeedback_file_feedback.html" in names


def bzip2_bomb(path: Path, name: str, megabytes: int, others: list) -> Path:
    """A zip of ``others`` (name, data) and member ``name``: ``megabytes`` MB of zeros in
    bzip2 (a few hundred bytes), its directory declaring 1,000 bytes."""
    import struct
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for other, data in others:
            archive.writestr(other, data)
        info = zipfile.ZipInfo(name, date_time=(2027, 3, 15, 12, 0, 0))
        info.compress_type = zipfile.ZIP_BZIP2
        with archive.open(info, "w") as sink:
            for _ in range(megabytes // 4):
                sink.write(bytes(4 * 2**20))
    raw = bytearray(path.read_bytes())
    entry = raw.find(b"PK\x01\x02")
    while entry >= 0:  # the central directory's uncompressed size, which zipfile reads
        if raw[entry + 46:entry + 46 + len(name)] == name.encode():
            struct.pack_into("<I", raw, entry + 24, 1000)
        entry = raw.find(b"PK\x01\x02", entry + 4)
    path.write_bytes(bytes(raw))
    return path


def test_a_bzip2_member_is_refused_before_a_byte_is_inflated(tmp_path, monkeypatch):
    """zipfile inflates bzip2 (and LZMA) with no bound on the output of one read: a
    495-byte zip whose member declares 1,000 bytes took 822 MB in the TA's process to
    read its first chunk (400 MB of zeros), and a member of a few KB is terabytes. Such a
    member is now its student's ``invalid`` row, refused before it is opened."""
    from autograder.engine import collect
    fakes.use_fake_grader(monkeypatch)
    ada, bo = downloads.people(2)
    path = bzip2_bomb(tmp_path / "dl" / "submissions.zip", canvas_name(bo, 7730002), 100,
                      [(canvas_name(ada, 7730001), FULL)])
    assert path.stat().st_size < 1000
    download = collect.scan(path)
    bomb = next(f for f in download.found if f.key == str(bo.canvas_id))
    assert "compressed with bzip2" in bomb.refused
    roster = downloads.write_roster(tmp_path / "roster.csv", [ada, bo])
    course_file = tmp_path / "course.toml"
    course_file.write_text(COURSE)
    rows = grade_zip(path, tmp_path / "run", roster, course_file)
    assert rows[ada.id]["status"] == "graded" and rows[ada.id]["total"] == "14"
    assert rows[bo.id]["status"] == "invalid" and "compressed with bzip2" in rows[bo.id]["message"]


def test_a_worksheet_identifier_of_many_digits_is_read_in_linear_time(tmp_path):
    """``Identifier`` was matched with ``(\\d+)\\s*$`` searched from every position: a cell
    of 20,000 digits and a letter took 4.8 s, 40,000 took 15 s (quadratic; the worksheet
    may hold 20 MB). Now it is the one sentence naming the line, at once."""
    import time

    import pytest

    from autograder.assignments import KitError
    from autograder.engine import worksheet
    path = tmp_path / "worksheet.csv"
    path.write_text("Identifier,Full name,Email address\n"
                    f"Participant 1034521,Ada Lovelace,ada@example.edu\n"
                    f"{'1' * 40_000}x,Bo,bo@example.edu\n", encoding="utf-8")
    started = time.process_time()
    with pytest.raises(KitError, match="line 3, column Identifier"):
        worksheet.read(path)
    assert time.process_time() - started < 2
    path.write_text("Identifier,Full name,Email address\nParticipant 1034521 ,Ada,a@x.edu\n"
                    "Teilnehmer/in\u00a01034538\t,Bo,b@x.edu\n", encoding="utf-8")
    assert sorted(worksheet.read(path)) == ["1034521", "1034538"]


def test_an_id_made_from_a_long_non_ascii_name_still_names_files(tmp_path, monkeypatch):
    """A file no rule identifies is graded under its own name, cut to 80 characters; 80
    characters of U+20000 (a letter, four bytes in UTF-8) made an id of 320 bytes, past
    the 255 a file name may have: ``collected/<id>.ipynb`` raised ``OSError: File name too
    long`` in staging, outside any student's guard, and the class stopped before anyone
    was graded (a rerun the same)."""
    from autograder.engine import collect
    fakes.use_fake_grader(monkeypatch)
    ada, bo = downloads.people(2)
    path = write_zip(tmp_path / "dl" / "submissions.zip", [
        (canvas_name(ada, 7730001), FULL, ""),
        ("extra/" + "\U00020000" * 80 + ".ipynb", FULL, ""),
        (canvas_name(bo, 7730002), FULL, "")])
    rows = grade_zip(path, tmp_path / "run", None, None)
    stray = next(s for s in rows if s not in (str(ada.canvas_id), str(bo.canvas_id)))
    assert rows[stray]["status"] == "graded" and "unidentified" in rows[stray]["notes"]
    assert len(stray.encode()) <= collect.ID_BYTES and stray.startswith("\U00020000")
    assert rows[str(ada.canvas_id)]["total"] == rows[str(bo.canvas_id)]["total"] == "14"
    assert (tmp_path / "run" / "report.html").exists()
    assert (tmp_path / "run" / "feedback" / f"{stray}.html").exists()
    assert collect.safe_id("é" * 80) == "é" * 80  # 160 bytes: as before


def test_a_students_file_named_like_gradescopes_never_changes_the_layout(tmp_path, monkeypatch):
    """Bo uploads a file ``submission_metadata.yml`` beside his notebook in a Moodle
    download: any member of that name made the whole download Gradescope's, so every
    student's folder matched no Gradescope submission. With a roster all three were
    ``missing`` with 0 points and their notebooks graded as ``week3``, ``week3_2``,
    ``week3_3`` (unidentified). Gradescope's file lies above every notebook; one beside
    them is a student's."""
    from autograder.engine import collect
    fakes.use_fake_grader(monkeypatch)
    ada, bo, cy = downloads.people(3)
    folder = lambda p: f"{p.name}_{p.participant}_assignsubmission_file"  # noqa: E731
    path = write_zip(tmp_path / "dl" / "moodle.zip", [
        *[(f"{folder(p)}/week3.ipynb", FULL, "") for p in (ada, bo, cy)],
        (f"{folder(bo)}/submission_metadata.yml", b"submission_1:\n  :submitters: []\n", "")])
    assert collect.scan(path).layout == "moodle"
    roster = downloads.write_roster(tmp_path / "roster.csv", [ada, bo, cy], style="kit")
    sheet = downloads.moodle_worksheet(tmp_path / "worksheet.csv", [ada, bo, cy])
    out = tmp_path / "run"
    grade.grade_class("convnets", path, out, jobs=1, timeout=10, memory_gb=1, progress=False,
                      roster=roster, worksheet=sheet)
    rows = {r["id"]: r for r in report.read_csv(out / "grades.csv")}
    assert sorted(rows) == sorted(p.id for p in (ada, bo, cy))
    assert {r["status"] for r in rows.values()} == {"graded"}


@pytest.mark.parametrize("which", ["roster", "worksheet"])
def test_a_cell_over_the_csv_limit_is_a_sentence_naming_the_file_and_line(tmp_path, which):
    """A student's name of 200,000 characters in the roster or the Moodle worksheet: Python's
    csv reader refuses a cell over 131,072. The TA reads which file and line, not a bare
    ``csv.Error`` traceback."""
    from autograder import course
    from autograder.assignments import KitError
    from autograder.engine import worksheet

    long_name = "A" * 200_000
    if which == "roster":
        path = tmp_path / "roster.csv"
        path.write_text(f"id,name\ns1001,Ann\ns1002,{long_name}\n", encoding="utf-8")
        read = course.read_roster
    else:
        path = tmp_path / "worksheet.csv"
        path.write_text("Identifier,Full name\nParticipant 11,Ann\n"
                        f"Participant 12,{long_name}\n", encoding="utf-8")
        read = worksheet.read
    with pytest.raises(KitError, match=rf"{path} line 3: not readable as CSV \(field larger"):
        read(path)
