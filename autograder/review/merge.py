"""Merging the hand-graded points into ``grades.csv`` (``make manual``, and ``make grade``).

:func:`merge` checks every score (known student, a number between 0 and the question's
points) and every saved review (known student, known rubric items) before changing
anything, then merges the points into the grade book as ``manual:<key>`` columns,
records each reviewed student's whole rubric (the items given and those missed), free
points and comment in ``manual/merged.json`` (what
:func:`autograder.review.store.hand_graded` gives the feedback) and re-renders the
feedback of the students whose hand-graded results changed. Merging again after a
correction replaces the old values; a blank cell stays unscored.

It sits below both TA commands (``grade`` and ``manual`` import it; it imports neither)
and above the engine's report, whose feedback it re-renders.
"""
from pathlib import Path

from autograder.engine import report
from autograder.review import store


def merge(assignment, out: Path, book) -> dict:
    """Merge checked scores into ``book`` and record the rubric items and comments that
    go with them (nothing changes if any score or review is bad); then re-render the
    feedback of every student whose hand-graded results changed."""
    with store.locked(out):
        scores = store.checked_scores(assignment, out, set(book.rows))
        reviews = store.checked_reviews(assignment, out, set(book.rows))
        before = store.all_hand_graded(out, assignment, book.rows)
        if scores:
            book.set_manual(scores)
        merged = {}
        for key, by_student in reviews.items():
            items = store.rubric(assignment, key)
            for student, review in by_student.items():
                merged.setdefault(student, {})[key] = {  # the whole rubric: given and missed
                    "rubric": [{"text": item["text"], "points": item["points"],
                                "given": item["id"] in review["rubric"]} for item in items],
                    "adjustment": review["adjustment"], "comment": review["comment"]}
        store.write_merged(out, merged)
        after = store.all_hand_graded(out, assignment, book.rows)
    changed = sorted(s for s in after if after[s] != before.get(s))
    refreshed = refresh_feedback(out, assignment, changed)
    marks = [v for row in scores.values() for v in row.values()]
    return {"scored": sum(1 for v in marks if v), "blank": sum(1 for v in marks if not v),
            "feedback": refreshed}


def refresh_feedback(out: Path, assignment, students: list[str]) -> int:
    """Re-render ``feedback/<id>.md`` and ``.html`` of ``students`` from the run folder."""
    for student in students:
        report.write_feedback(out, assignment, student)
    return len(students)
