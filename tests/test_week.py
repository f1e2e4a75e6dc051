"""make demo's TA's week (autograder/tools/week.py), with the stand-in grader: the generated
Canvas download brings every case of issue 14's item 8, and every export reads it back."""
import csv
import io
import zipfile

from autograder import grade
from autograder.tools import week
from tests import fakes


def test_the_demo_week_brings_every_case_and_exports_for_every_lms(tmp_path, monkeypatch):
    graded = fakes.use_fake_grader(monkeypatch)
    every = week.samples.samples_of  # without the broken files (one is 200 MB): lean
    monkeypatch.setattr(week.samples, "samples_of",
                        lambda assignment: [s for s in every(assignment) if s.raw is None])
    generated = week.make_download("convnets", tmp_path / "download",
                                   class_folder=tmp_path / "class")
    assert set(generated.roles) == set(week.ROLES) and generated.missing
    with zipfile.ZipFile(generated.download) as archive:  # the stub, then the sample
        assert len(archive.namelist()) == len(generated.ids) + 1
    roster = list(csv.DictReader(io.StringIO(generated.roster.read_text())))
    on_roster = {row["id"] for row in roster}
    assert generated.missing in on_roster
    assert generated.roles["not on the roster"] not in on_roster

    out = tmp_path / "run"
    book = grade.grade_class("convnets", generated.download, out, jobs=2, timeout=10,
                             memory_gb=1, progress=False, roster=generated.roster,
                             course_file=generated.course_file)
    assert sorted(graded) == sorted(generated.ids.values())  # the missing one is not graded
    assert week.check(book, generated) == []
    rows = book.rows
    assert rows[generated.roles["late within the cap"]]["penalty"] == "20"  # 30 h at 10%/day
    exported = {lms: week.export.export(out, lms, column=week.CANVAS_COLUMN)
                for lms in week.export.LMS}
    lines = "\n".join(week.describe(generated, exported, out / "report.png", ""))
    for lms in week.export.LMS:
        assert f"export {lms}" in lines
    assert f"missing (on the roster, nothing handed in): {generated.missing}" in lines

    # check() notices a week that went wrong.
    rows[generated.missing]["status"] = "graded"
    rows[generated.roles["after the last accepted time"]]["penalty"] = "0"
    assert len(week.check(book, generated)) == 2
