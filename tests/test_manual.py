"""Written answers: one page per question for the TA, scores checked and merged into grades.csv."""
import csv

import pytest

from autograder import assignments, manual
from autograder.engine import notebooks, report
from autograder.tools import samples
from autograder.assignments import KitError
from autograder.grade import GradeBook
from autograder.engine.runner import Outcome


@pytest.fixture
def tuning():
    return assignments.get("tuning")


@pytest.fixture
def run(tmp_path, tuning):
    """Three submissions with auto-graded rows, as make grade leaves them."""
    folder = tmp_path / "submissions"
    by_id = {s.id: s for s in samples.samples_of(tuning)}
    paths = [notebooks.write(samples.notebook_for(tuning, by_id[i]), folder / f"{i}.ipynb")
             for i in ("reference", "alternative", "stub")]
    out = tmp_path / "run"
    out.mkdir()
    questions, max_points = report.question_points(tuning)
    book = GradeBook(out / "grades.csv", questions, max_points,
                     {k: q["points"] for k, q in tuning.manual_questions.items()})
    for path in paths:
        book.record(Outcome(path.stem, "graded", scores={q: 1.0 for q in questions}))
    return paths, out, book


def rows(path):
    with open(path, newline="") as f:
        return {row["id"]: row for row in csv.DictReader(f)}


def fill_scores(out, values):
    path = manual.scores_path(out)
    table = rows(path)
    for (student, key), points in values.items():
        table[student][key] = points
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(next(iter(table.values()))))
        writer.writeheader()
        writer.writerows(table.values())


def test_one_page_per_question_with_every_answer_escaped(run, tuning):
    paths, out, _ = run
    manual.collect(tuning, paths, out)
    for key in tuning.manual_questions:
        page = (out / "manual" / f"{key}.html").read_text()
        assert all(f'<section id="{p.stem}">' in page for p in paths)
        assert "(no answer)" in page  # the stub
    page = (out / "manual" / "overfitting.html").read_text()
    assert "memorise" in page  # the reference's answer
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Describe the training and validation loss curves" in page  # the prompt
    assert set(rows(manual.scores_path(out))) == {"reference", "alternative", "stub"}


def test_scores_merge_into_totals_and_survive_a_regrade(run, tuning):
    paths, out, book = run
    manual.collect(tuning, paths, out)
    fill_scores(out, {("reference", "overfitting"): "2", ("reference", "mse_loss"): "1.5",
                      ("stub", "small_layers"): "0"})
    assert manual.merge(tuning, out, book) == {"scored": 3, "blank": 6}
    graded = rows(out / "grades.csv")
    auto = len(book.questions)
    assert graded["reference"]["manual:overfitting"] == "2"
    assert float(graded["reference"]["total"]) == auto + 3.5
    assert float(graded["reference"]["max"]) == 10 + 6
    assert graded["alternative"]["manual:mse_loss"] == ""
    # Regrading a submission keeps the TA's scores; collecting again keeps scores.csv.
    book.record(Outcome("reference", "graded", scores={q: 0.0 for q in book.questions}))
    manual.collect(tuning, paths, out)
    assert rows(out / "grades.csv")["reference"]["manual:overfitting"] == "2"
    assert float(rows(out / "grades.csv")["reference"]["total"]) == 3.5
    assert rows(manual.scores_path(out))["reference"]["mse_loss"] == "1.5"


@pytest.mark.parametrize("student, key, value, message", [
    ("reference", "overfitting", "3", r"line \d+, column overfitting: '3' is not a score between 0 and 2"),
    ("reference", "mse_loss", "good", "'good' is not a score"),
    ("stub", "small_layers", "-1", "'-1' is not a score"),
])
def test_bad_scores_are_refused_and_nothing_changes(run, tuning, student, key, value, message):
    paths, out, book = run
    manual.collect(tuning, paths, out)
    fill_scores(out, {("alternative", "overfitting"): "1", (student, key): value})
    before = (out / "grades.csv").read_text()
    with pytest.raises(KitError, match=message):
        manual.merge(tuning, out, book)
    assert (out / "grades.csv").read_text() == before


def test_unknown_students_and_columns_are_named(run, tuning):
    paths, out, book = run
    manual.collect(tuning, paths, out)
    path = manual.scores_path(out)
    path.write_text(path.read_text() + "mallory,2,2,2\n")
    with pytest.raises(KitError, match="no submission 'mallory'"):
        manual.merge(tuning, out, book)
    path.write_text("id,overfitting,bonus\nreference,2,5\n")
    with pytest.raises(KitError, match=r"unknown column\(s\) \['bonus'\]"):
        manual.merge(tuning, out, book)


def test_answers_are_found_by_otters_markers_when_metadata_is_lost(tmp_path, tuning):
    sample = next(s for s in samples.samples_of(tuning) if s.id == "reference")
    nb = samples.notebook_for(tuning, sample)
    for cell in nb.cells:
        cell.metadata.pop("kit", None)
    path = notebooks.write(nb, tmp_path / "copied.ipynb")
    found = manual.answers(path, list(tuning.manual_questions))
    assert "memorise" in found["overfitting"] and "4 units" in found["small_layers"]


def test_command_merges_and_explains_errors(run, tuning, capsys):
    paths, out, _ = run
    manual.main(["--assignment", "tuning", "--out", str(out),
                 "--submissions", str(paths[0].parent)])
    assert "0 score(s)" in capsys.readouterr().out
    fill_scores(out, {("stub", "overfitting"): "9"})
    with pytest.raises(SystemExit, match="column overfitting: '9' is not a score"):
        manual.main(["--assignment", "tuning", "--out", str(out)])
    with pytest.raises(SystemExit, match="has no questions graded by hand"):
        manual.main(["--assignment", "convnets", "--out", str(out)])
