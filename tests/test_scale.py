"""The large-class benchmark's generated class: every assignment, mostly correct, some not."""
from collections import Counter

from autograder import assignments
from autograder.tools.scale import build_class


def test_a_generated_class_mixes_assignments_and_kinds(tmp_path):
    built = build_class(40, tmp_path)
    assert set(built) == set(assignments.available())
    assert sum(len(v) for v in built.values()) == 40
    assert len(list(tmp_path.rglob("*.ipynb"))) == 40
    kinds = Counter()
    for students in built.values():
        for student, sample in students:
            kinds["correct" if sample.id in ("reference", "alternative") else "other"] += 1
    assert kinds["correct"] >= 0.6 * 40 and kinds["other"] >= 0.2 * 40
    ids = [student for students in built.values() for student, _ in students]
    assert len(set(ids)) == 40  # unique ids across assignments
