"""Stage 0: finding each student's notebook in a Canvas, Moodle or Gradescope download or a
plain folder, matching it to the roster, keeping the latest attempt, refusing hostile zips."""
import os
import shutil
import stat
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder import course, grade
from autograder.assignments import KitError
from autograder.engine import collect, report, worksheet
from autograder.tools import downloads
from tests import fakes

FIXTURES = Path(__file__).parent / "fixtures" / "lms"
CANVAS_ROSTER = downloads.CANVAS_ROSTER_COLUMNS
UTC = timezone.utc


def copy_fixture(name, tmp_path) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def zip_folder(folder: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                archive.write(file, file.relative_to(folder).as_posix())
    return path


def set_time(path: Path, moment: datetime):
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def by_id(entries):
    return {e.id: e for e in entries}


# --- the four layouts ----------------------------------------------------------------

def test_canvas_download_is_matched_to_the_roster_by_canvas_user_id(tmp_path):
    folder = copy_fixture("canvas", tmp_path)
    # The first upload has the newer file time: Canvas's own order (attachment ids) wins.
    set_time(folder / "doejane_48213_7730001_week3.ipynb", datetime(2027, 3, 15, 20, tzinfo=UTC))
    set_time(folder / "doejane_48213_7730144_week3-1.ipynb", datetime(2027, 3, 15, 9, tzinfo=UTC))
    download = collect.scan(folder)
    assert download.layout == "canvas"
    assert ("canvas/wangfang_48299_7730600_week3.pdf", "not a notebook") in download.skipped
    roster = course.read_roster(FIXTURES / "canvas-roster.csv", CANVAS_ROSTER)
    entries = by_id(collect.assign(download, roster))
    assert sorted(entries) == ["notes", "s1001", "s1002", "s1003", "s1004"]
    jane = entries["s1001"]
    assert jane.found.member == "doejane_48213_7730144_week3-1.ipynb"
    assert [a.member for a in jane.attempts] == ["doejane_48213_7730001_week3.ipynb"]
    assert jane.found.lms["prefix"] == "doejane_48213_7730144"
    assert entries["s1002"].found.lms["late"] and "the LMS marks it late" in entries["s1002"].notes(True)
    assert entries["s1003"].found.lms["file"] == "Week 3 notebook.ipynb"  # spaces kept
    assert entries["s1004"].found is None  # on the roster, nothing submitted
    notes = entries["notes"]
    assert not notes.identified and notes.notes(True) == ["unidentified: graded under its file name"]
    assert jane.found.time_source == "file"


def test_canvas_without_roster_uses_canvas_user_ids(tmp_path):
    entries = by_id(collect.assign(collect.scan(FIXTURES / "canvas")))
    assert {"48213", "48230", "48214", "notes"} == set(entries)
    assert entries["48213"].found.name == "doejane"


def test_moodle_folders_flat_files_and_the_older_trailing_underscore(tmp_path):
    folder = copy_fixture("moodle", tmp_path)
    chen = folder / "Chen Li_1034522_assignsubmission_file"
    set_time(chen / "week3 draft.ipynb", datetime(2027, 3, 14, tzinfo=UTC))
    set_time(chen / "week3.ipynb", datetime(2027, 3, 15, tzinfo=UTC))
    download = collect.scan(folder)
    assert download.layout == "moodle"
    roster = course.read_roster(FIXTURES / "roster.csv")
    # Participant ids are matched through Moodle's grading worksheet, never by the name.
    with pytest.raises(KitError, match="matched to the roster by participant id, never by name: "
                                       "pass WORKSHEET="):
        collect.assign(download, roster)
    sheet = tmp_path / "worksheet.csv"
    sheet.write_text('"Identifier","Full name","Email address","Status","Grade"\n'
                     '"Participant 1034521","Jane Doe","jane.doe@example.edu","Submitted",""\n'
                     '"Participant 1034522","Chen Li","chen.li@example.edu","Submitted",""\n'
                     '"Participant 1034523","John Smith","john.smith@example.edu","",""\n')
    entries = by_id(collect.assign(download, roster, worksheet.read(sheet)))
    assert entries["s1002"].found.file_name == "week3.ipynb"  # the later file counts
    assert [a.file_name for a in entries["s1002"].attempts] == ["week3 draft.ipynb"]
    assert entries["s1002"].found.lms == {"participant": "1034522", "fullname": "Chen Li",
                                          "file": "week3.ipynb", "id_number": "",
                                          "worksheet_name": "Chen Li"}
    assert entries["s1002"].found.email == "chen.li@example.edu"
    assert entries["s1003"].found is None  # John Smith handed in online text only
    # Before Moodle 4.1 the folders ended in "_"; "download in folders" off gives flat names.
    older = tmp_path / "older"
    (older / "Jane Doe_1034521_assignsubmission_file_").mkdir(parents=True)
    (older / "Jane Doe_1034521_assignsubmission_file_" / "week3.ipynb").write_bytes(fakes.notebook())
    (older / "Chen Li_1034522_assignsubmission_file_week3.ipynb").write_bytes(fakes.notebook())
    found = {f.key: f for f in collect.scan(older).found}
    assert found["1034521"].lms["file"] == "week3.ipynb"
    assert found["1034522"].lms["file"] == "week3.ipynb" and found["1034522"].name == "Chen Li"


def test_gradescope_metadata_gives_students_times_groups_and_history():
    download = collect.scan(FIXTURES / "gradescope")
    assert download.layout == "gradescope"
    entries = by_id(collect.assign(download, course.read_roster(FIXTURES / "roster.csv")))
    jane = entries["s1001"]
    assert jane.found.time_source == "lms"
    assert jane.found.submitted_at == datetime(2027, 3, 15, 21, 4, 11, 372849,
                                                tzinfo=timezone(timedelta(hours=8)))
    assert jane.notes(True) == ["1 earlier attempt(s) in the LMS history"]
    # A pair's one submission counts for both partners.
    assert entries["s1002"].found.member == entries["s1003"].found.member
    assert entries["s1003"].found.email == "john.smith@example.edu"


def test_plain_folder_lists_students_not_on_the_roster(tmp_path):
    folder = copy_fixture("folder", tmp_path)
    (folder / "x9999.ipynb").write_bytes(fakes.notebook())
    entries = by_id(collect.assign(collect.scan(folder), course.read_roster(FIXTURES / "roster.csv")))
    assert entries["x9999"].identified and not entries["x9999"].on_roster
    assert entries["x9999"].notes(True) == ["not on the roster"]
    assert entries["s1003"].found is None


def test_a_zip_reads_like_its_folder_with_member_times(tmp_path):
    folder = copy_fixture("canvas", tmp_path)
    path = zip_folder(folder, tmp_path / "submissions.zip")
    download = collect.scan(path, tz=timezone(timedelta(hours=8)))
    assert download.layout == "canvas"
    found = {f.member: f for f in download.found}
    jane = found["doejane_48213_7730144_week3-1.ipynb"]
    assert jane.source == "submissions.zip:doejane_48213_7730144_week3-1.ipynb"
    assert jane.submitted_at.utcoffset() == timedelta(hours=8) and jane.time_source == "file"
    with jane.open() as handle:
        assert b"jane re-upload" in handle.read()


def test_a_zip_of_one_folder_and_mac_junk_is_read_from_inside(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for file in (FIXTURES / "gradescope").rglob("*"):
            if file.is_file():
                archive.write(file, file.relative_to(FIXTURES / "gradescope").as_posix())
        archive.writestr("__MACOSX/._x", b"junk")
    download = collect.scan(path)
    assert download.layout == "gradescope" and len(download.found) == 3
    assert download.skipped == []


def test_unknown_layout_and_empty_downloads_say_what_they_hold(tmp_path):
    nested = tmp_path / "nested"
    (nested / "week3" / "group a").mkdir(parents=True)
    (nested / "week3" / "group a" / "ada.ipynb").write_bytes(fakes.notebook())
    (nested / "week3" / "bob.ipynb").write_bytes(fakes.notebook())
    (nested / "other" / "cy.ipynb").parent.mkdir(parents=True)
    (nested / "other" / "cy.ipynb").write_bytes(fakes.notebook())
    with pytest.raises(KitError, match="unknown download layout"):
        collect.scan(nested)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "readme.txt").write_text("hi")
    with pytest.raises(KitError, match=r"no \.ipynb file in .* \(it holds: readme.txt\)"):
        collect.scan(empty)
    with pytest.raises(KitError, match="does not exist"):
        collect.scan(tmp_path / "nope")


# --- hostile downloads ------------------------------------------------------------------

def hostile_zip(path: Path, name: str, data: bytes = b"{}", symlink: bool = False) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("s1001.ipynb", fakes.notebook())
        info = zipfile.ZipInfo(name)
        if symlink:
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, data)
    return path


@pytest.mark.parametrize("name, symlink, says", [
    ("../../etc/evil.ipynb", False, "its name climbs out of the download with '..'"),
    ("a/../../evil.ipynb", False, "its name climbs out of the download with '..'"),
    ("x\\..\\..\\evil.ipynb", False, "its name climbs out of the download with '..'"),
    ("/etc/evil.ipynb", False, "its name is an absolute path"),
    ("C:/Users/evil.ipynb", False, "its name is an absolute path"),
    ("link.ipynb", True, "it is a symbolic link"),
])
def test_hostile_zip_members_are_refused_on_their_own(tmp_path, name, symlink, says):
    path = hostile_zip(tmp_path / "bad.zip", name, b"/autograder/tests", symlink)
    download = collect.scan(path, layout="folder")
    found = {f.member: f for f in download.found}
    assert not found["s1001.ipynb"].refused  # the rest of the download is read
    refused = [f for f in download.found if f.refused]
    assert len(refused) == 1 and refused[0].refused.startswith(says)
    assert download.refused == [(refused[0].source, refused[0].refused)]
    with pytest.raises(collect.Unreadable, match="refused"):
        collect.sha256(refused[0])


def test_a_zip_bomb_is_refused_before_anything_expands(tmp_path):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("s1001.ipynb", fakes.notebook())
        archive.writestr("s1002.ipynb", b"0" * 3_000_000)  # a few kB compressed
    assert path.stat().st_size < 50_000
    with pytest.raises(KitError, match=r"bomb.zip: its members expand past 2 MB \(at 's1002.ipynb'\)"):
        collect.scan(path, limit=2 * 2**20)


def test_a_symlink_or_a_pipe_in_a_download_folder_is_refused_on_its_own(tmp_path):
    folder = copy_fixture("folder", tmp_path)
    (folder / "s1003.ipynb").symlink_to(folder / "s1001.ipynb")
    os.mkfifo(folder / "s1004.ipynb")  # opening it would wait for ever
    entries = by_id(collect.assign(collect.scan(folder)))
    assert entries["s1003"].found.refused.startswith("it is a symbolic link")
    assert entries["s1004"].found.refused.startswith("it is not a plain file")
    assert "refused: folder/s1003.ipynb (it is a symbolic link" in "; ".join(entries["s1003"].notes(False))
    assert not entries["s1001"].found.refused and not entries["s1002"].found.refused


def test_bad_input_never_touches_a_graded_run(tmp_path, monkeypatch):
    fakes.use_fake_grader(monkeypatch)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s1001.ipynb").write_bytes(fakes.notebook())
    out = tmp_path / "run"
    grade.grade_class("convnets", subs, out, jobs=1, timeout=10, memory_gb=1, progress=False)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    bad_roster = tmp_path / "roster.csv"
    bad_roster.write_text("id,name\ns1001,A\ns1001,B\n")
    bad_course = tmp_path / "course.toml"
    bad_course.write_text('[assignments.convnets]\ndue = "next friday"\n')
    unknown = tmp_path / "unknown"
    (unknown / "a" / "b").mkdir(parents=True)
    (unknown / "a" / "b" / "x.ipynb").write_bytes(fakes.notebook())
    for call in (dict(submissions=bad), dict(submissions=subs, roster=bad_roster),
                 dict(submissions=subs, course_file=bad_course), dict(submissions=unknown)):
        with pytest.raises(KitError):
            grade.grade_class("convnets", call.pop("submissions"), out, jobs=1, timeout=10,
                              memory_gb=1, progress=False, **call)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


# --- a class graded from a download ---------------------------------------------------------

def canvas_class(tmp_path):
    """Five roster students and one stranger: on time, late, re-uploaded, missing."""
    persons = downloads.people(6)
    due = datetime(2027, 3, 15, 23, 59, tzinfo=timezone(timedelta(hours=8)))
    full, half = fakes.notebook(), fakes.notebook({"happy_model": ["architecture"]})
    attempts = [downloads.Attempt(persons[0], full, due - timedelta(hours=3)),
                downloads.Attempt(persons[1], full, due + timedelta(hours=30), late=True),
                downloads.Attempt(persons[2], half, due - timedelta(days=2)),
                downloads.Attempt(persons[2], full, due - timedelta(hours=1)),
                downloads.Attempt(persons[5], half, due - timedelta(hours=5))]
    # A zip stores local times without a zone: they are read in the course's time zone.
    zip_path = downloads.canvas_zip(tmp_path / "dl" / "submissions.zip", attempts, due.tzinfo)
    roster = downloads.write_roster(tmp_path / "roster.csv", persons[:5])
    course_file = tmp_path / "course.toml"
    course_file.write_text(
        '[course]\ntimezone = "Asia/Shanghai"\n\n[roster]\nid = "SIS User ID"\n'
        'name = "Student"\nsection = "Section"\nlms_id = "ID"\n\n[assignments.convnets]\n'
        'due = 2027-03-15T23:59:00+08:00\nlate_policy = { percent = 10, per = "day", cap = 50 }\n')
    return persons, zip_path, roster, course_file


def test_a_canvas_class_gets_a_row_per_student_with_where_it_came_from(tmp_path, monkeypatch):
    graded = fakes.use_fake_grader(monkeypatch)
    persons, zip_path, roster, course_file = canvas_class(tmp_path)
    out = tmp_path / "run"
    book = grade.grade_class("convnets", zip_path, out, jobs=2, timeout=10, memory_gb=1,
                             progress=False, roster=roster, course_file=course_file)
    rows = {r["id"]: r for r in report.read_csv(out / "grades.csv")}
    # Not on the roster: graded under the id Canvas gives it.
    ids = [p.id for p in persons[:5]] + [str(persons[5].canvas_id)]
    assert sorted(rows) == sorted(ids)
    assert sorted(graded) == sorted([ids[0], ids[1], ids[2], ids[5]])
    on_time, late, twice, missing, stranger = (rows[ids[i]] for i in (0, 1, 2, 4, 5))
    assert on_time["status"] == "graded" and on_time["total"] == "14" and on_time["penalty"] == "0"
    assert late["penalty"] == "20" and late["final"] == "11.2" and late["total"] == "14"
    assert late["late_by"] == "1 d 6 h" and late["time_source"] == "file"
    assert late["submitted_at"] == "2027-03-17T05:59:00+08:00"
    assert twice["total"] == "14" and "1 earlier attempt(s) not graded" in twice["notes"]
    assert missing["status"] == "missing" and missing["total"] == "0" and missing["final"] == "0"
    assert "not on the roster" in stranger["notes"] and stranger["total"] == "4"
    assert on_time["source"].startswith("submissions.zip:")
    assert on_time["name"] == persons[0].sortable and on_time["section"] == persons[0].section
    assert (out / "collected" / f"{ids[0]}.ipynb").exists()
    assert (out / "feedback" / f"{ids[4]}.html").exists()  # the missing student's page too
    summary = (out / "summary.md").read_text()
    assert "2 started days × 10% = 20%" in summary and "missing (no submission" in summary
    assert book.rows[ids[1]]["final"] == "11.2"


def test_a_rerun_grades_only_what_is_missing_and_keeps_graded_files(tmp_path, monkeypatch):
    graded = fakes.use_fake_grader(monkeypatch)
    persons, zip_path, roster, course_file = canvas_class(tmp_path)
    out = tmp_path / "run"
    options = dict(jobs=1, timeout=10, memory_gb=1, progress=False, roster=roster,
                   course_file=course_file)
    grade.grade_class("convnets", zip_path, out, **options)
    first = {r["id"]: r for r in report.read_csv(out / "grades.csv")}
    # The next download: the missing student handed in, and a graded one uploaded again.
    due = datetime(2027, 3, 15, 23, 59, tzinfo=timezone(timedelta(hours=8)))
    later = [downloads.Attempt(persons[4], fakes.notebook(), due - timedelta(hours=2)),
             downloads.Attempt(persons[0], fakes.notebook({}), due + timedelta(hours=1))]
    zip2 = downloads.canvas_zip(tmp_path / "dl2" / "submissions.zip", later, due.tzinfo)
    graded.clear()
    grade.grade_class("convnets", zip2, out, **options)
    assert graded == [persons[4].id]
    rows = {r["id"]: r for r in report.read_csv(out / "grades.csv")}
    assert rows[persons[4].id]["status"] == "graded" and rows[persons[4].id]["total"] == "14"
    kept = rows[persons[0].id]
    assert kept["total"] == first[persons[0].id]["total"] == "14"
    assert kept["submitted_at"] == first[persons[0].id]["submitted_at"]
    assert "a newer download holds another file" in kept["notes"]
    assert rows[persons[1].id] == first[persons[1].id]  # not in this download: untouched


@pytest.mark.parametrize("text, says", [
    ("Name,Email\nJane,j@x\n", r"worksheet.csv line 1: no 'Identifier' column \(columns: Name, Email\)"),
    ("Identifier,Full name\nParticipant 7,A\nParticipant 7,B\n",
     r"worksheet.csv line 3, column Identifier: participant 7 again \(first on line 2\)"),
    ("Identifier,Full name\nJane,A\n",
     r"worksheet.csv line 2, column Identifier: 'Jane' does not end in a participant id"),
    ("Identifier,Full name\n", r"worksheet.csv: the worksheet lists no participants"),
])
def test_a_bad_moodle_worksheet_names_the_file_line_and_column(tmp_path, text, says):
    path = tmp_path / "worksheet.csv"
    path.write_text(text)
    with pytest.raises(KitError, match=says):
        worksheet.read(path)


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85", "\x1c", "\x1d", "\x1e"])
def test_a_name_holding_a_unicode_line_separator_is_one_worksheet_row(tmp_path, separator):
    """A full name with U+2028 (or NEL, or a file separator), which str.splitlines() breaks
    at: quoted, it lost the character and shifted every line number; unquoted (a site whose
    full names have no space), it cut the row in two and stopped the whole class."""
    path = tmp_path / "worksheet.csv"
    path.write_text("Identifier,Full name,Email address\n"
                    f"Participant 1034521,\u674e{separator}\u534e,li@example.edu\n"
                    f'Participant 1034522,"Bo{separator}Cruz",bo@example.edu\n'
                    "Participant 1034523,Cy Dee,cy@example.edu\n", encoding="utf-8")
    rows = worksheet.read(path)
    assert [(r.participant, r.fullname, r.email, r.line) for r in rows.values()] == [
        ("1034521", f"\u674e{separator}\u534e", "li@example.edu", 2),
        ("1034522", f"Bo{separator}Cruz", "bo@example.edu", 3),
        ("1034523", "Cy Dee", "cy@example.edu", 4)]


def test_a_moodle_worksheet_in_another_language_maps_participants(tmp_path):
    path = tmp_path / "worksheet.csv"
    path.write_bytes('\ufeff"Identifier","Full name","Email address","ID number"\n'
                     '"参与者 1034521","李 华","li.hua@example.edu","s1001"\n'.encode())
    row = worksheet.read(path)["1034521"]
    assert (row.fullname, row.email, row.id_number, row.line) == (
        "李 华", "li.hua@example.edu", "s1001", 2)


def _readings_as_specified(rel):
    """Every user id a Canvas name reads as, checked the plain way (quadratic)."""
    import re
    users = []
    for match in collect.CANVAS_PREFIX.finditer(rel):
        if re.fullmatch(r"\w*", rel[:match.start()]) and match.group(1) not in users:
            users.append(match.group(1))
    return users


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="_1234aé-. ", max_size=40))
def test_the_canvas_readings_are_those_specified(tail):
    for rel in (tail, f"doejane_4242_99_{tail}_week3.ipynb", f"a_1_2_{tail}"):
        assert collect._canvas_readings(rel) == _readings_as_specified(rel)


def test_reading_a_canvas_name_is_linear_in_its_length():
    """A member name is the student's to choose (up to 64 KB in a zip): checking each
    reading's prefix again took 9 s for one such name."""
    from tests.test_modelspec import per_byte_growth
    for make in (lambda n: "a" + "_1_1" * (n // 4) + "_x.ipynb",
                 lambda n: "a" + "".join(f"_{k}_1" for k in range(n // 10)) + "_x.ipynb"):
        assert per_byte_growth(collect._canvas_readings, make) < 2.5
