"""Written answers: one page per question for the TA, scores checked and merged into grades.csv."""
import csv
import re

import pytest

from autograder import assignments, manual
from autograder.build import translations
from autograder.review import answers, merge, store
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
    path = store.scores_path(out)
    table = rows(path)
    for (student, key), points in values.items():
        table[student][key] = points
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(next(iter(table.values()))))
        writer.writeheader()
        writer.writerows(table.values())


def test_one_page_per_question_with_every_answer_escaped(run, tuning):
    paths, out, _ = run
    answers.collect(tuning, paths, out)
    for key in tuning.manual_questions:
        page = (out / "manual" / f"{key}.html").read_text()
        assert all(f'<section id="{p.stem}">' in page for p in paths)
        assert "(no answer)" in page  # the stub
    page = (out / "manual" / "overfitting.html").read_text()
    assert "memorise" in page  # the reference's answer
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Describe the training and validation loss curves" in page  # the prompt
    assert set(rows(store.scores_path(out))) == {"reference", "alternative", "stub"}


def test_scores_merge_into_totals_and_survive_a_regrade(run, tuning):
    paths, out, book = run
    answers.collect(tuning, paths, out)
    fill_scores(out, {("reference", "overfitting"): "2", ("reference", "mse_loss"): "1.5",
                      ("stub", "small_layers"): "0"})
    counts = merge.merge(tuning, out, book)
    assert (counts["scored"], counts["blank"]) == (3, 6)
    graded = rows(out / "grades.csv")
    auto = len(book.questions)
    assert graded["reference"]["manual:overfitting"] == "2"
    assert float(graded["reference"]["total"]) == auto + 3.5
    assert float(graded["reference"]["max"]) == 10 + 6
    assert graded["alternative"]["manual:mse_loss"] == ""
    # Regrading a submission keeps the TA's scores; collecting again keeps scores.csv.
    book.record(Outcome("reference", "graded", scores={q: 0.0 for q in book.questions}))
    answers.collect(tuning, paths, out)
    assert rows(out / "grades.csv")["reference"]["manual:overfitting"] == "2"
    assert float(rows(out / "grades.csv")["reference"]["total"]) == 3.5
    assert rows(store.scores_path(out))["reference"]["mse_loss"] == "1.5"


@pytest.mark.parametrize("student, key, value, message", [
    ("reference", "overfitting", "3", r"line \d+, column overfitting: '3' is not a score between 0 and 2"),
    ("reference", "mse_loss", "good", "'good' is not a score"),
    ("stub", "small_layers", "-1", "'-1' is not a score"),
])
def test_bad_scores_are_refused_and_nothing_changes(run, tuning, student, key, value, message):
    paths, out, book = run
    answers.collect(tuning, paths, out)
    fill_scores(out, {("alternative", "overfitting"): "1", (student, key): value})
    before = (out / "grades.csv").read_text()
    with pytest.raises(KitError, match=message):
        merge.merge(tuning, out, book)
    assert (out / "grades.csv").read_text() == before


def test_unknown_students_and_columns_are_named(run, tuning):
    paths, out, book = run
    answers.collect(tuning, paths, out)
    path = store.scores_path(out)
    path.write_text(path.read_text() + "mallory,2,2,2\n")
    with pytest.raises(KitError, match="no submission 'mallory'"):
        merge.merge(tuning, out, book)
    path.write_text("id,overfitting,bonus\nreference,2,5\n")
    with pytest.raises(KitError, match=r"unknown column\(s\) \['bonus'\]"):
        merge.merge(tuning, out, book)


def test_answers_are_found_by_otters_markers_when_metadata_is_lost(tmp_path, tuning):
    sample = next(s for s in samples.samples_of(tuning) if s.id == "reference")
    nb = samples.notebook_for(tuning, sample)
    for cell in nb.cells:
        cell.metadata.pop("kit", None)
    path = notebooks.write(nb, tmp_path / "copied.ipynb")
    found = answers.answers(path, list(tuning.manual_questions),
                            translations.answer_placeholders(tuning))
    assert "memorise" in found["overfitting"] and "4 units" in found["small_layers"]


def test_a_placeholder_left_in_either_language_is_no_answer(tmp_path, tuning):
    placeholders = translations.answer_placeholders(tuning)
    stub = next(s for s in samples.samples_of(tuning) if s.id == "stub")
    nb = samples.notebook_for(tuning, stub)
    cells = notebooks.kit_cells(nb, "manual")
    [chinese] = [p for p in placeholders["overfitting"] if re.search(r"[\u4e00-\u9fff]", p)]
    nb.cells[cells["overfitting"]].source = "\n" + chinese + "\n"
    nb.cells[cells["mse_loss"]].source = next(iter(placeholders["mse_loss"])) + " Small gradients."
    path = notebooks.write(nb, tmp_path / "zh.ipynb")
    found = answers.answers(path, list(tuning.manual_questions), placeholders)
    assert found["overfitting"] == store.NO_ANSWER
    assert found["mse_loss"] == "Small gradients."


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


def review(rubric=(), adjustment=0, comment=""):
    return {"rubric": list(rubric), "adjustment": adjustment, "comment": comment}


def test_reviews_store_rubric_items_and_points_and_merge_into_feedback_data(run, tuning):
    paths, out, book = run
    answers.collect(tuning, paths, out)
    assert set(store.read_answers(out)[1]) == {"reference", "alternative", "stub"}
    saved = store.save_review(tuning, out, "overfitting", "reference",
                               review(["sign", "epoch", "no_numbers"], 0.5, " Good curves. "))
    assert saved["points"] == 1.5 and saved["rubric"] == ["epoch", "sign", "no_numbers"]
    assert saved["comment"] == "Good curves."
    assert rows(store.scores_path(out))["reference"]["overfitting"] == "1.5"
    # Before make manual, the feedback data still shows what was merged: nothing yet.
    assert store.hand_graded(out, tuning, "reference")[0]["points"] is None
    merge.merge(tuning, out, book)
    assert rows(out / "grades.csv")["reference"]["manual:overfitting"] == "1.5"
    first, second, _ = store.hand_graded(out, tuning, "reference")
    items = tuning.manual_questions["overfitting"]["rubric"]
    assert first == {"question": "overfitting", "title": "What the learning curves show",
                     "points": 1.5, "max": 2, "comment": "Good curves.", "adjustment": 0.5,
                     "rubric": [{"text": item["text"], "points": item["points"],
                                 "given": item["id"] in ("epoch", "sign", "no_numbers")}
                                for item in items]}  # the whole rubric: given and missed
    assert [r["given"] for r in first["rubric"]].count(False) == len(items) - 3
    assert second["points"] is None and second["rubric"] == [] and second["comment"] == ""
    feedback = (out / "feedback" / "reference.md").read_text()
    missed = next(item for item in items if item["id"] not in ("epoch", "sign", "no_numbers"))
    assert f"- [ ] {missed['text']} ({missed['points']:+g}, not given)" in feedback
    assert f"- [x] {items[0]['text']} ({items[0]['points']:+g})" in feedback
    assert "- free points: +0.5" in feedback and "Good curves." in feedback


@pytest.mark.parametrize("key, student, given, message", [
    ("overfitting", "reference", review(["epoch"], 1.5), "2.5 points is not a score between 0 and 2"),
    ("overfitting", "reference", review(["no_numbers"]), "-0.5 points is not a score"),
    ("overfitting", "reference", review(["bonus"]), "no rubric item 'bonus' in question 'overfitting'"),
    ("overfitting", "reference", review(["epoch", "epoch"]), "chosen twice"),
    ("overfitting", "reference", review(adjustment="1"), "free points '1' are not a number"),
    ("overfitting", "mallory", review(["epoch"]), "the review of mallory: no such submission"),
    ("essay", "reference", review(), "no question 'essay'"),
])
def test_bad_reviews_are_refused_and_nothing_is_written(run, tuning, key, student, given, message):
    paths, out, _ = run
    answers.collect(tuning, paths, out)
    before = store.scores_path(out).read_text()
    with pytest.raises(KitError, match=message):
        store.save_review(tuning, out, key, student, given)
    assert store.scores_path(out).read_text() == before
    assert not store.review_path(out, "overfitting").exists()


def test_merge_names_a_bad_review_file_and_changes_nothing(run, tuning):
    paths, out, book = run
    answers.collect(tuning, paths, out)
    store.save_review(tuning, out, "mse_loss", "stub", review(["gradient"]))
    path = store.review_path(out, "mse_loss")
    path.write_text(path.read_text().replace('"gradient"', '"gradients"'))
    before = (out / "grades.csv").read_text()
    with pytest.raises(KitError, match=r"mse_loss.json, student 'stub': no rubric item 'gradients'"):
        merge.merge(tuning, out, book)
    path.write_text("{\n  oops")
    with pytest.raises(KitError, match=r"mse_loss.json line 2, column 3: not valid JSON"):
        merge.merge(tuning, out, book)
    assert (out / "grades.csv").read_text() == before


def test_concurrent_saves_on_two_questions_lose_nothing(run, tuning):
    """Two TAs (threads, as the review app serves them) saving at once: every mark kept."""
    from concurrent.futures import ThreadPoolExecutor

    paths, out, _ = run
    answers.collect(tuning, paths, out)
    jobs = [(key, student) for key in ("overfitting", "mse_loss", "small_layers")
            for student in ("reference", "alternative", "stub")] * 5
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda job: store.save_review(tuning, out, *job, review(adjustment=1,
                                                     comment=f"{job}")), jobs))
    table = rows(store.scores_path(out))
    assert all(table[s][k] == "1" for k, s in jobs)
    for key in ("overfitting", "mse_loss", "small_layers"):
        assert len(store.read_reviews(out, key)) == 3


def test_a_bad_rubric_in_the_config_is_named(tuning, monkeypatch):
    question = {**tuning.manual_questions["overfitting"],
                "rubric": [{"id": "a", "text": "x", "points": 1}, {"id": "a", "text": "y", "points": 1}]}
    monkeypatch.setitem(tuning.config["manual"], "overfitting", question)
    with pytest.raises(KitError, match=r"config.json: manual.overfitting.rubric\[1\]: the id 'a' is used twice"):
        store.rubric(tuning, "overfitting")
    question["rubric"] = [{"id": "a", "text": "x", "points": 5}]
    with pytest.raises(KitError, match="5 points is more than the question's 2"):
        store.rubric(tuning, "overfitting")


def test_make_manual_puts_rubric_items_and_comments_in_the_feedback(run, tuning):
    paths, out, book = run
    answers.collect(tuning, paths, out)
    store.save_review(tuning, out, "mse_loss", "alternative",
                       review(["gradient", "no_comparison"], 0, "Compare <b>your</b> two runs."))
    counts = merge.merge(tuning, out, book)
    assert counts["feedback"] == 1  # only the student whose hand-graded results changed
    text = (out / "feedback" / "alternative.md").read_text()
    assert "Why mse is a poor fit for classification (graded by hand): 0.5 points of 2" in text
    assert "confidently wrong" in text and "(-0.5)" in text and "Compare <b>your</b> two runs." in text
    page = (out / "feedback" / "alternative.html").read_text()
    assert "Compare &lt;b&gt;your&lt;/b&gt; two runs." in page and "confidently wrong" in page
    assert merge.merge(tuning, out, book)["feedback"] == 0  # nothing changed since


def imported(module: str) -> set[str]:
    """The autograder modules ``module``'s source imports, anywhere in it (lazy ones too)."""
    import ast
    import importlib.util
    tree = ast.parse(open(importlib.util.find_spec(module).origin).read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
    return {n for n in names if n.startswith("autograder")}


def test_the_engine_imports_no_ta_command_and_the_commands_do_not_import_each_other():
    commands = {"autograder.manual", "autograder.grade", "autograder.export"}
    assert not imported("autograder.engine.report") & commands
    assert "autograder.manual" not in imported("autograder.grade")
    assert not imported("autograder.review.store") & (
        commands | {"autograder.engine.report", "autograder.review.merge",
                    "autograder.review.answers", "autograder.review.app"})
    for below in ("autograder.review.merge", "autograder.review.answers"):
        assert not imported(below) & commands
