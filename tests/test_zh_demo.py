"""``make demo``'s Chinese run of a class (autograder/tools/demo.py ``chinese``), on a few of
Tuning's samples: its students' pages hold no English, each sample gets the points it gets
in English, and a sample whose points differ is a MISMATCH line (issue 24's done-when, as the
demo checks it for every sample class)."""
import pytest

from autograder import assignments
from autograder.tools import demo, samples, zhcheck

pytestmark = pytest.mark.slow

KEPT = ("reference", "stub", "zero_based", "final_scores")  # a pass, nothing, two mistakes


def test_a_class_graded_in_chinese_has_no_english_and_the_same_points(tmp_path):
    assignment = assignments.get("tuning")
    every = samples.samples_of(assignment)
    english = {s.id: sum(s.expected.values()) for s in every}  # the left out are not compared
    english["stub"] = 3  # planted: the demo must say the stub's points differ
    book, out, lines, found, mismatched = demo.chinese(
        "tuning", english, jobs=2, timeout=120, out=tmp_path / "tuning-zh", progress=False,
        leave_out=[s.id for s in every if s.id not in KEPT])
    assert sorted(book.rows) == sorted(KEPT)
    assert mismatched == ["MISMATCH: stub gets 0 points in Chinese, 3 in English"]
    pages = {path.relative_to(out).as_posix() for path in zhcheck.run_pages(out)}
    assert {"report.html", "summary.md", "feedback/zero_based.html",
            "feedback/zero_based.md", "export/canvas/gradebook.csv"} <= pages
    assert "最佳轮次" in (out / "feedback" / "zero_based.md").read_text(encoding="utf-8")
    # what the students read: their feedback pages and the LMS's comments (the TA's pages
    # are tests/test_ta_language.py's)
    students = [f for f in found if "/feedback/" in f.where or "/export/" in f.where]
    assert students == [], "\n".join(map(str, students))
    assert f"zhcheck: {len(found)} English run(s) on its {len(pages)} pages" in "\n".join(lines)
