"""make export: each LMS's import files, read back the way the LMS reads them and compared
with grades.csv; feedback files named so that each LMS's bulk upload finds the student."""
import csv
import io
import zipfile
from datetime import datetime, timedelta, timezone

import pytest

from autograder import assignments, export, grade, manual
from autograder.review import store
from autograder.assignments import KitError
from autograder.engine import report
from autograder.tools import downloads
from tests import fakes

CST = timezone(timedelta(hours=8))
DUE = datetime(2027, 4, 5, 23, 59, tzinfo=CST)
COURSE = ('[course]\ntimezone = "Asia/Shanghai"\n\n[roster]\n{roster}\n\n[assignments.{name}]\n'
          'due = 2027-04-05T23:59:00+08:00\nlate_policy = {{ percent = 10, per = "day" }}\n'
          '{column}')
COLUMN = 'canvas_column = "Week 3 (4471)"\n'
CANVAS_ROSTER = 'id = "SIS User ID"\nname = "Student"\nsection = "Section"\nlms_id = "ID"'


def attempts(persons):
    """persons[0] on time and full, [1] a day late, [2] half right, [3] on the roster only."""
    return [downloads.Attempt(persons[0], fakes.notebook(), DUE - timedelta(hours=2)),
            downloads.Attempt(persons[1], fakes.notebook(), DUE + timedelta(hours=20)),
            downloads.Attempt(persons[2], fakes.notebook({"happy_model": ["architecture"]}),
                              DUE - timedelta(days=1))]


def graded_run(tmp_path, monkeypatch, layout, name="convnets", column=COLUMN):
    fakes.use_fake_grader(monkeypatch)
    persons = downloads.people(4)
    write = {"canvas": downloads.canvas_zip, "moodle": downloads.moodle_zip,
             "gradescope": downloads.gradescope_zip}[layout]
    zip_path = write(tmp_path / "dl" / f"{layout}.zip", attempts(persons), tz=CST)
    style = "canvas" if layout == "canvas" else "kit"
    roster = downloads.write_roster(tmp_path / "roster.csv", persons, style)
    course_file = tmp_path / "course.toml"
    course_file.write_text(COURSE.format(roster=CANVAS_ROSTER if style == "canvas" else "",
                                         name=name, column=column))
    out = tmp_path / "run"
    # Moodle's participant ids reach the roster through the assignment's grading worksheet.
    sheet = downloads.moodle_worksheet(tmp_path / "worksheet.csv", persons) \
        if layout == "moodle" else None
    grade.grade_class(name, zip_path, out, jobs=1, timeout=10, memory_gb=1, progress=False,
                      roster=roster, course_file=course_file, worksheet=sheet)
    return persons, out, {r["id"]: r for r in report.read_csv(out / "grades.csv")}


def read_csv_text(text):
    return list(csv.reader(io.StringIO(text)))


def test_canvas_gradebook_and_feedback_round_trip(tmp_path, monkeypatch):
    persons, out, rows = graded_run(tmp_path, monkeypatch, "canvas")
    folder, done = export.export(out, "canvas")
    table = read_csv_text((folder / "gradebook.csv").read_text())
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Week 3 (4471)"]
    assert table[1] == ["    Points Possible", "", "", "", "", "14"]
    # Canvas matches a row by its user id (or the SIS ids); read it back that way.
    by_canvas_id = {row[1]: row for row in table[2:]}
    for person in persons:
        row = by_canvas_id[str(person.canvas_id)]
        assert row[2] == person.id and row[4] == person.section
        assert row[5] == rows[person.id]["final"]
    assert rows[persons[1].id]["final"] == "12.6"  # 14 less 10% for a day late
    assert rows[persons[3].id]["final"] == "0"  # missing
    # Canvas's bulk feedback upload takes the first two numeric parts of each file name as
    # the user id and the attachment id of the file it came from.
    manifest = report.run_info(out)["students"]
    with zipfile.ZipFile(folder / "feedback.zip") as archive:
        names = archive.namelist()
        assert len(names) == 3
        for name in names:
            user, attachment = [part for part in name.split("_") if part.isdigit()][:2]
            student = next(p.id for p in persons if str(p.canvas_id) == user)
            assert manifest[student]["lms"]["attachment_id"] == attachment
            assert archive.read(name) == (out / "feedback" / f"{student}.html").read_bytes()
    assert done["unmatched"] == []


def test_moodle_gradebook_worksheet_and_feedback_round_trip(tmp_path, monkeypatch):
    persons, out, rows = graded_run(tmp_path, monkeypatch, "moodle")
    folder, _ = export.export(out, "moodle")
    gradebook = list(csv.DictReader(io.StringIO((folder / "grades.csv").read_text())))
    title = assignments.get("convnets").config["title"]
    assert list(gradebook[0]) == ["Full name", "ID number", "Email address", title,
                                  "Feedback comments"]
    # Moodle's CSV import maps "Email address" to the user and the title column to the grade.
    by_email = {row["Email address"]: row for row in gradebook}
    for person in persons:
        row = by_email[person.email]
        assert row["ID number"] == person.id and row[title] == rows[person.id]["final"]
    assert "before a 10% late penalty" in by_email[persons[1].email]["Feedback comments"]
    worksheet = list(csv.DictReader(io.StringIO((folder / "grading-worksheet.csv").read_text())))
    assert list(worksheet[0]) == export.MOODLE_WORKSHEET
    by_participant = {row["Identifier"]: row for row in worksheet}
    for person in persons[:3]:
        row = by_participant[f"Participant {person.participant}"]
        assert row["Grade"] == rows[person.id]["final"] and row["Maximum Grade"] == "14"
    # Moodle splits each name at '_' into five: full name, participant id, plugin type and
    # name, then the file name.
    with zipfile.ZipFile(folder / "feedback.zip") as archive:
        for name in archive.namelist():
            fullname, participant, kind, plugin, rest = name.split("_", 4)
            person = next(p for p in persons if str(p.participant) == participant)
            assert (fullname, kind, plugin, rest) == (person.name, "assignfeedback", "file",
                                                      "feedback.html")
            assert archive.read(name) == (out / "feedback" / f"{person.id}.html").read_bytes()


def test_plain_csv_export_and_hand_graded_points_in_the_final(tmp_path, monkeypatch):
    persons, out, rows = graded_run(tmp_path, monkeypatch, "gradescope", name="tuning")
    path = store.scores_path(out)
    table = list(csv.DictReader(path.open()))
    keys = [c for c in table[0] if c != "id"]
    for row in table:
        row[keys[0]] = "2"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", *keys])
        writer.writeheader()
        writer.writerows(table)
    manual.main(["--assignment", "tuning", "--out", str(out)])
    rows = {r["id"]: r for r in report.read_csv(out / "grades.csv")}
    assert rows[persons[0].id]["total"] == "2" and rows[persons[1].id]["final"] == "1.8"
    folder, _ = export.export(out, "csv")
    exported = {row["id"]: row for row in csv.DictReader(io.StringIO((folder / "grades.csv").read_text()))}
    assert set(exported) == set(rows)
    for student, row in rows.items():
        assert exported[student]["final"] == row["final"]
        assert exported[student][f"manual:{keys[0]}"] == row[f"manual:{keys[0]}"]
    canvas_folder, _ = export.export(out, "canvas")
    table = read_csv_text((canvas_folder / "gradebook.csv").read_text())
    assert sorted(r[5] for r in table[2:]) == sorted(r["final"] for r in rows.values())
    with zipfile.ZipFile(folder / "feedback.zip") as archive:
        assert sorted(archive.namelist()) == sorted(f"{s}.html" for s in rows)


def test_export_mistakes_say_what_to_do(tmp_path):
    with pytest.raises(KitError, match="grades.csv does not exist: run make grade"):
        export.export(tmp_path, "canvas")
    (tmp_path / "grades.csv").write_text("id,total,max,status\n")
    with pytest.raises(KitError, match="unknown LMS 'blackboard'"):
        export.export(tmp_path, "blackboard")
    with pytest.raises(KitError, match="has no rows"):
        export.export(tmp_path, "csv")


def canvas_gradebook(path, *assignment_columns):
    """A gradebook as Canvas exports it (Grades > Export): its header and Points Possible row."""
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *assignment_columns,
              "Current Points", "Final Points", "Current Score", "Unposted Current Score",
              "Final Score"]
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerow(["    Points Possible"] + [""] * 4
                        + ["14"] * len(assignment_columns) + [""] * 5)
    return path


def test_the_canvas_column_is_one_the_gradebook_has_or_a_clear_error(tmp_path, monkeypatch, capsys):
    _, out, _ = graded_run(tmp_path, monkeypatch, "canvas", column="")
    with pytest.raises(KitError, match=r"no Canvas gradebook column for convnets: set "
                                       r"canvas_column = .* GRADEBOOK=<file.csv>"):
        export.export(out, "canvas")
    assert not (out / "export" / "canvas" / "gradebook.csv").exists()  # no silent title
    title = assignments.get("convnets").config["title"]
    book = canvas_gradebook(tmp_path / "book.csv", "Week 1 (4460)", f"{title} (4471)")
    export.main(["--run", str(out), "--lms", "canvas", "--gradebook", str(book)])
    table = read_csv_text((out / "export" / "canvas" / "gradebook.csv").read_text())
    assert table[0][5] == f"{title} (4471)"
    other = canvas_gradebook(tmp_path / "other.csv", "Week 1 (4460)", "Week 2 (4465)")
    with pytest.raises(KitError, match=r"other.csv: no column matches convnets .*"
                                       r"Week 1 \(4460\), Week 2 \(4465\)"):
        export.export(out, "canvas", other)
    with pytest.raises(KitError, match="not a Canvas gradebook export"):
        export.export(out, "canvas", out / "grades.csv")
    # A course file's column the gradebook lacks: Canvas would make a new assignment of it.
    with pytest.raises(KitError, match=r'canvas_column "Week 3 \(4471\)" is not a column of'):
        export.export(out, "canvas", other, column="Week 3 (4471)")
    with pytest.raises(SystemExit, match="error: no Canvas gradebook column"):
        export.main(["--run", str(out), "--lms", "canvas"])


def test_a_comment_points_to_feedback_files_only_where_they_exist(tmp_path, monkeypatch):
    persons, out, _ = graded_run(tmp_path, monkeypatch, "canvas")
    folder, done = export.export(out, "moodle")  # a Moodle export from a Canvas download
    assert "feedback.zip" not in done["files"] and not (folder / "feedback.zip").exists()
    gradebook = list(csv.DictReader(io.StringIO((folder / "grades.csv").read_text())))
    assert gradebook and not any("attached" in row["Feedback comments"] for row in gradebook)
    _, moodle_out, _ = graded_run(tmp_path / "moodle", monkeypatch, "moodle")
    folder, done = export.export(moodle_out, "moodle")
    with zipfile.ZipFile(folder / "feedback.zip") as archive:
        attached = {name.split("_")[1] for name in archive.namelist()}
    for row in csv.DictReader(io.StringIO((folder / "grading-worksheet.csv").read_text())):
        participant = row["Identifier"].removeprefix("Participant ")
        assert ("attached feedback file" in row["Feedback comments"]) == (participant in attached)


def test_export_knows_when_the_hand_graded_points_are_merged(tmp_path, monkeypatch, capsys):
    persons, out, _ = graded_run(tmp_path, monkeypatch, "gradescope", name="tuning")
    tuning = assignments.get("tuning")
    keys = list(tuning.manual_questions)
    submitted = len(persons) - 1  # one on the roster only
    _, done = export.export(out, "csv")
    assert done["unmerged"] == [] and done["unscored"] == submitted * len(keys)
    for student in store.read_answers(out)[1]:
        store.save_review(tuning, out, keys[0], student, {"adjustment": 1})
    _, done = export.export(out, "csv")
    assert done["unmerged"] == [keys[0]]  # saved in make review, not merged yet
    export.main(["--run", str(out), "--lms", "csv"])
    assert "not in grades.csv yet: run make manual" in capsys.readouterr().out
    manual.main(["--assignment", "tuning", "--out", str(out)])
    capsys.readouterr()
    export.main(["--run", str(out), "--lms", "csv"])
    said = capsys.readouterr().out
    assert "make manual RUN" not in said.split("not scored yet")[0]  # merged: not asked again
    assert f"{submitted * (len(keys) - 1)} answer(s) graded by hand are not scored yet" in said
