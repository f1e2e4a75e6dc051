"""Answer groups, as Gradescope forms them: one grade for every student who wrote the same.

Identical answers (equal once runs of whitespace are one space) form one group, and so
do blank answers (nothing written, or only the placeholder); the TA grades a group once
and the grade goes to each of its students. A student's answer can still be graded on
its own (an override): the group's later grades leave that student alone.

The order is the anonymous order of the review app: groups with more students first
(one grade covers most), the rest shuffled with a seed per question, so every TA and
every reload sees the same order and no order reveals an id.
"""
import random
from dataclasses import dataclass

from autograder.review.store import NO_ANSWER


@dataclass(frozen=True)
class Group:
    text: str                 # the answer as the first of its students wrote it
    students: tuple[str, ...]  # sorted ids
    blank: bool


def normalised(text: str) -> str:
    """The answer as the grouping compares it: whitespace runs as one space; blank as ''."""
    return "" if text == NO_ANSWER else " ".join(text.split())


def groups(answers: dict[str, dict[str, str]], key: str, seed: int = 0) -> list[Group]:
    """Question ``key``'s answers ({student: {question: text}}) in groups, in review order."""
    found: dict[str, list[str]] = {}
    for student in sorted(answers):
        found.setdefault(normalised(answers[student].get(key, NO_ANSWER)), []).append(student)
    made = [Group(answers[members[0]].get(key, NO_ANSWER), tuple(members), text == "")
            for text, members in found.items()]
    made.sort(key=lambda group: group.students)  # the shuffle's input must not depend on dicts
    random.Random(f"{seed}/{key}").shuffle(made)
    return sorted(made, key=lambda group: -len(group.students) if len(group.students) > 1 else 0)
