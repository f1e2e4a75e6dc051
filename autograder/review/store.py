"""The run's hand-grading store: the files under ``<run>/manual/`` and the checks on them.

Every other part of hand grading goes through this module: ``make grade`` collects the
answers into it (:mod:`autograder.review.answers`), the review app saves into it
(:mod:`autograder.review.app`), ``make manual`` merges out of it
(:mod:`autograder.review.merge`) and the feedback reads what was merged
(:func:`hand_graded`, called by :mod:`autograder.engine.report`). It imports nothing
of theirs, so it sits below all of them and no import circle can form.

The files:

- ``answers.json``: every answer as text, by student and question; rewritten on each
  collect, it holds nothing a TA typed.
- ``scores.csv``: one row per student, one column per question, blank until the TA
  types the points in or the review app saves them. It is created once and never
  overwritten wholesale: later runs only add rows for new students, so it stays the
  one table of points, typed by hand or clicked.
- ``<key>.json``: what the review app saved for that question, per student: the rubric
  items chosen (ids from the question's ``rubric`` in the assignment's config), a free
  adjustment, a comment and the points they add up to.
- ``merged.json``: what ``make manual`` last merged of each review (the whole rubric with
  the items given and missed, the free points, the comment): what :func:`hand_graded`
  gives the feedback.

One file per question plus a lock (``.lock``) around every write: two TAs on two
questions, or a TA and ``make grade``, never lose each other's work.
"""
import contextlib
import fcntl
import functools
import io
import json
import math
import os
from datetime import datetime, timezone
from pathlib import Path

from autograder.assignments import KitError
from autograder.engine import csvcells
from shared.i18n import msg_in

#: A blank answer as stored (answers.json, matched by this text); pages show it in their
#: reader's language (``rv.no_answer``).
NO_ANSWER = msg_in("en", "rv.no_answer")
COMMENT_LIMIT = 4000  # characters of a TA's comment


def folder(out: Path) -> Path:
    return out / "manual"


def scores_path(out: Path) -> Path:
    return folder(out) / "scores.csv"


def answers_path(out: Path) -> Path:
    return folder(out) / "answers.json"


def review_path(out: Path, key: str) -> Path:
    return folder(out) / f"{key}.json"


def merged_path(out: Path) -> Path:
    return folder(out) / "merged.json"


@contextlib.contextmanager
def locked(out: Path):
    """Hold the run's manual/ lock: every writer of its files (the review app's threads,
    ``make grade``, ``make manual``) reads, changes and replaces them under it."""
    folder(out).mkdir(parents=True, exist_ok=True)
    with open(folder(out) / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- answers.json ---------------------------------------------------------------------------

def write_answers(out: Path, assignment, by_student: dict[str, dict[str, str]]):
    """Add (or replace) these students' answers in ``answers.json``, and give each new
    student a blank row in ``scores.csv``. Call under :func:`locked`."""
    kept = read_json(answers_path(out))["answers"] if answers_path(out).exists() else {}
    atomic_write(answers_path(out), json.dumps(
        {"assignment": assignment.name, "answers": {**kept, **by_student}},
        indent=1, sort_keys=True, ensure_ascii=False))
    keys = list(assignment.manual_questions)
    rows = read_scores(scores_path(out), keys) if scores_path(out).exists() else {}
    for student in by_student:
        rows.setdefault(student, {key: "" for key in keys})
    write_scores(scores_path(out), keys, rows)


def read_answers(out: Path) -> tuple[str, dict[str, dict[str, str]]]:
    """(assignment name, {student: {question: answer text}}) as the last collect left them."""
    path = answers_path(out)
    if not path.exists():
        raise KitError(f"{path} does not exist: grade the run first, or collect the answers "
                       f"with `make manual RUN={out} ASSIGNMENT=<name> SUBMISSIONS=<folder>`")
    data = read_json(path)
    return data["assignment"], data["answers"]


# --- rubrics and reviews ----------------------------------------------------------------------

def rubric(assignment, key: str) -> list[dict]:
    """Question ``key``'s rubric items from the config: [{"id", "text", "points"}], checked.

    ``text`` is the standard comment the student reads; ``points`` may be negative
    (a deduction). The review files store the ids, so a reworded item keeps its marks.
    """
    question = assignment.manual_questions[key]
    items = question.get("rubric", [])
    where = f"{assignment.folder / 'config.json'}: manual.{key}.rubric"
    if not isinstance(items, list):
        raise KitError(f"{where}: must be a list of items")
    seen = set()
    for number, item in enumerate(items):
        if not (isinstance(item, dict) and isinstance(item.get("id"), str) and item["id"]
                and isinstance(item.get("text"), str) and is_number(item.get("points"))):
            raise KitError(f"{where}[{number}]: each item needs an 'id', a 'text' and "
                           f"'points' (a number, negative for a deduction)")
        if item["id"] in seen:
            raise KitError(f"{where}[{number}]: the id '{item['id']}' is used twice")
        if abs(item["points"]) > question["points"]:
            raise KitError(f"{where}[{number}]: {item['points']:g} points is more than the "
                           f"question's {question['points']:g}")
        seen.add(item["id"])
    return items


def is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def checked_review(assignment, key: str, review: dict, where: str, language: str = "en") -> dict:
    """``review`` ({"rubric": [ids], "adjustment", "comment"}) checked, with its points.

    The points are the chosen items' sum plus the free adjustment; outside 0..max,
    an unknown or repeated item, or a comment that is not text is refused, naming ``where``,
    in ``language`` (the review app's TA reads it on the page).
    """
    say = functools.partial(msg_in, language)
    question = assignment.manual_questions[key]
    items = {item["id"]: item for item in rubric(assignment, key)}
    chosen, adjustment = review.get("rubric", []), review.get("adjustment", 0)
    comment = review.get("comment", "")
    if not isinstance(chosen, list) or not all(isinstance(i, str) for i in chosen):
        raise KitError(say("rv.err.rubric_list", where=where))
    unknown = [i for i in chosen if i not in items]
    if unknown:
        raise KitError(say("rv.err.unknown_item", where=where, item=repr(unknown[0]), key=key,
                           items=sorted(items) or "-"))
    if len(set(chosen)) != len(chosen):
        raise KitError(say("rv.err.twice", where=where))
    if not is_number(adjustment):
        raise KitError(say("rv.err.adjustment", where=where, adjustment=repr(adjustment)))
    if not isinstance(comment, str) or len(comment) > COMMENT_LIMIT:
        raise KitError(say("rv.err.comment", where=where, limit=COMMENT_LIMIT))
    points = round(sum(items[i]["points"] for i in chosen) + adjustment, 6)
    if not 0 <= points <= question["points"]:
        raise KitError(say("rv.err.range", where=where, points=f"{points:g}",
                           max=f"{question['points']:g}", key=key))
    ordered = [i for i in items if i in chosen]  # the config's order
    return {"rubric": ordered, "adjustment": adjustment, "comment": comment.strip(),
            "points": points}


def read_reviews(out: Path, key: str) -> dict[str, dict]:
    """What the review app saved for question ``key``: {student: review}."""
    path = review_path(out, key)
    if not path.exists():
        return {}
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("reviews"), dict):
        raise KitError(f"{path}: expected an object with 'reviews' by student id")
    return data["reviews"]


def save_review(assignment, out: Path, key: str, student: str, review: dict,
                label: str | None = None) -> dict:
    """Check one student's review and store it as graded on its own (see :func:`save_reviews`)."""
    return save_reviews(assignment, out, key, [student], review, label, own=True)[student]


def save_reviews(assignment, out: Path, key: str, students: list[str], review: dict,
                 label: str | None = None, own: bool = False,
                 language: str = "en") -> dict[str, dict]:
    """Check one review and store it for each of ``students``, with the points in
    ``scores.csv``, atomically; return what was stored, by student.

    ``own``: the review is this student's alone (an override); a group's review
    (``own`` false) leaves every student graded on their own as they are. Raises
    KitError (nothing written) for an unknown question or student, an unknown rubric
    item or points out of range. ``label`` names the answer in those messages (the
    review app passes its anonymous position, so no message names a hidden student);
    by default the student's id.
    """
    if key not in assignment.manual_questions:
        raise KitError(f"no question '{key}' in {assignment.name} "
                       f"(its questions are {sorted(assignment.manual_questions)})")
    label = label or f"the review of {', '.join(students)}"
    checked = checked_review(assignment, key, review, label, language)
    keys = list(assignment.manual_questions)
    with locked(out):
        known = read_answers(out)[1]
        if not students or any(student not in known for student in students):
            raise KitError(f"{label}: no such submission in {answers_path(out)}")
        reviews = read_reviews(out, key)
        chosen = [s for s in students if own or not reviews.get(s, {}).get("own")]
        saved = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for student in chosen:
            reviews[student] = {**checked, "own": own, "saved": saved}
        atomic_write(review_path(out, key), json.dumps(
            {"question": key, "reviews": reviews}, indent=1, sort_keys=True, ensure_ascii=False))
        rows = read_scores(scores_path(out), keys) if scores_path(out).exists() else {}
        for student in chosen:
            rows.setdefault(student, {k: "" for k in keys})[key] = f"{checked['points']:g}"
        write_scores(scores_path(out), keys, rows)
    return {student: reviews[student] for student in chosen}


def rejoin_group(assignment, out: Path, key: str, student: str, group: list[str],
                 label: str) -> dict | None:
    """Undo a student's own grade: they take their group's (the review of a fellow
    student graded with the group), or none while the group is not graded yet. Returns
    the student's review now (None: not graded)."""
    keys = list(assignment.manual_questions)
    with locked(out):
        if student not in group or student not in read_answers(out)[1]:
            raise KitError(f"{label}: no such submission in {answers_path(out)}")
        reviews = read_reviews(out, key)
        fellows = [s for s in group if s != student and s in reviews and not reviews[s].get("own")]
        rows = read_scores(scores_path(out), keys) if scores_path(out).exists() else {}
        marks = rows.setdefault(student, {k: "" for k in keys})
        if fellows:
            reviews[student] = {**reviews[fellows[0]], "own": False}
            marks[key] = f"{reviews[student]['points']:g}"
        else:
            reviews.pop(student, None)
            marks[key] = ""
        atomic_write(review_path(out, key), json.dumps(
            {"question": key, "reviews": reviews}, indent=1, sort_keys=True, ensure_ascii=False))
        write_scores(scores_path(out), keys, rows)
    return reviews.get(student)


def checked_reviews(assignment, out: Path, known: set[str]) -> dict[str, dict[str, dict]]:
    """Every saved review, checked: {key: {student: review}}; KitError names the first bad one."""
    found = {}
    for key in assignment.manual_questions:
        path = review_path(out, key)
        found[key] = {}
        for student, review in read_reviews(out, key).items():
            where = f"{path}, student '{student}'"
            if student not in known:
                raise KitError(f"{where}: no such submission in {out / 'grades.csv'}")
            if not isinstance(review, dict):
                raise KitError(f"{where}: expected an object with rubric, adjustment, comment")
            found[key][student] = checked_review(assignment, key, review, where)
    return found


# --- scores.csv -------------------------------------------------------------------------------

def typed_points(out: Path, assignment, key: str) -> dict[str, str]:
    """Question ``key``'s points in ``scores.csv`` by student, blank cells left out."""
    path = scores_path(out)
    if not path.exists():
        return {}
    rows = read_scores(path, list(assignment.manual_questions))
    return {student: marks[key] for student, marks in rows.items() if marks.get(key)}


def read_scores(path: Path, keys: list[str]) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csvcells.DictReader(f)
        header = reader.fieldnames or []
        if "id" not in header:
            raise KitError(f"{path}: the first row must name the columns: id,{','.join(keys)}")
        unknown = [c for c in header if c != "id" and c not in keys]
        if unknown:
            raise KitError(f"{path}: unknown column(s) {unknown}; the questions are {keys}")
        return {row["id"]: {key: (row.get(key) or "").strip() for key in keys} for row in reader}


def write_scores(path: Path, keys: list[str], rows: dict):
    """Write ``scores.csv`` atomically, every cell through the CSV-injection guard
    (a TA opens it in a spreadsheet; ids are the students' own)."""
    text = io.StringIO(newline="")
    writer = csvcells.DictWriter(text, fieldnames=["id", *keys], extrasaction="ignore")
    writer.writeheader()
    writer.writerows({"id": student, **rows[student]} for student in sorted(rows))
    atomic_write(path, text.getvalue())


def checked_scores(assignment, out: Path, known: set[str]) -> dict[str, dict[str, str]]:
    """The TA's scores, every one checked; raises KitError naming the first bad cell."""
    path = scores_path(out)
    if not path.exists():
        return {}
    questions = assignment.manual_questions
    rows = read_scores(path, list(questions))
    for line, (student, marks) in enumerate(rows.items(), start=2):
        if student not in known:
            raise KitError(f"{path} line {line}: no submission '{student}' in "
                           f"{out / 'grades.csv'}; fix the id or delete the row")
        for key, value in marks.items():
            if not value:
                continue
            try:
                points = float(value)
            except ValueError:
                points = float("nan")
            if not 0 <= points <= questions[key]["points"]:
                raise KitError(f"{path} line {line}, column {key}: '{value}' is not a score "
                               f"between 0 and {questions[key]['points']:g}")
            marks[key] = f"{points:g}"
    return rows


# --- merged.json: what the feedback shows -----------------------------------------------------

def write_merged(out: Path, merged: dict):
    atomic_write(merged_path(out), json.dumps(merged, indent=1, sort_keys=True,
                                              ensure_ascii=False))


def hand_graded(out: Path, assignment, student: str, row: dict | None = None) -> list[dict]:
    """What the feedback shows of the questions graded by hand, as last merged.

    One dict per question, in the config's order: question, title, points (None while
    unscored), max, rubric (every item of the question's rubric, as merged: [{"text",
    "points", "given"}]; empty when the TA typed the points without the review app),
    adjustment (the free points) and comment. ``row``: the
    student's grades.csv row, read from the run folder when not given.
    """
    if row is None:
        row = _grades_rows(out).get(student, {})
    return all_hand_graded(out, assignment, {student: row})[student]


def all_hand_graded(out: Path, assignment, rows: dict) -> dict[str, list]:
    """:func:`hand_graded` of every student in ``rows`` ({id: grades.csv row})."""
    merged = read_json(merged_path(out)) if merged_path(out).exists() else {}
    result = {}
    for student, row in rows.items():
        entries = []
        for key, question in assignment.manual_questions.items():
            value = row.get(f"manual:{key}") or ""
            detail = merged.get(student, {}).get(key, {})
            rubric = [{"given": True, **item} for item in detail.get("rubric", [])]
            entries.append({"question": key, "title": question["title"],
                            "points": float(value) if value else None,
                            "max": question["points"], "rubric": rubric,
                            "adjustment": detail.get("adjustment", 0),
                            "comment": detail.get("comment", "")})
        result[student] = entries
    return result


def _grades_rows(out: Path) -> dict[str, dict]:
    path = out / "grades.csv"
    if not path.exists():
        return {}
    with open(path, newline="", encoding="utf-8") as f:
        return {row["id"]: row for row in csvcells.DictReader(f)}


# --- files ------------------------------------------------------------------------------------

def read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise KitError(f"{path} line {exc.lineno}, column {exc.colno}: not valid JSON "
                       f"({exc.msg}); fix it or delete the file") from None


def atomic_write(path: Path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
