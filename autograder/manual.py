"""Written questions graded by hand: one page per question, scores merged into grades.csv.

Otter marks a manual question in a notebook with ``<!-- BEGIN QUESTION -->``
and ``<!-- END QUESTION -->`` markdown cells around the prompt and the answer;
our answer cells also carry ``metadata.kit.manual = <key>``. After ``make
grade`` of an assignment with such questions, the run folder holds:

- ``manual/<key>.html``: every student's answer to that one question on one
  page, in id order, so a TA reads and scores a question across the class in
  one pass (answers are shown as escaped text: nothing a student wrote runs);
- ``manual/scores.csv``: one row per student, one column per question, blank
  until the TA types the points in. It is created once and never overwritten:
  later runs only add rows for new students.

- ``manual/answers.json``: every answer as text, by student and question, for
  the review app (``make review``, :mod:`autograder.review`); rewritten on each
  collect, it holds nothing a TA typed.
- ``manual/<key>.json``: what the review app saved for that question, per
  student: the rubric items chosen (ids from the question's ``rubric`` in the
  assignment's config), a free adjustment, a comment and the points they add
  up to. The app also writes those points into ``scores.csv``, so that file
  stays the one table of points, typed by hand or clicked. One file per
  question plus a lock (``manual/.lock``) around every write: two TAs on two
  questions, or a TA and ``make grade``, never lose each other's work.

``make manual RUN=<run folder> ASSIGNMENT=<name>`` (this module) checks every
score (known student, a number between 0 and the question's points) and every
saved review (known student, known rubric items) before changing anything,
then merges the points into ``grades.csv`` as ``manual:<key>`` columns,
recomputes ``total``, records the rubric items and comments it merged in
``manual/merged.json`` (what :func:`hand_graded` gives the feedback) and
re-renders the feedback of the students whose hand-graded results changed.
Merging again after a correction replaces the old values; a blank cell stays
unscored.
"""
import argparse
import contextlib
import csv
import fcntl
import html
import json
import math
import os
import sys
from datetime import datetime, timezone
from pathlib import Path

from autograder import assignments, similarity
from autograder.engine import notebooks, report
from autograder.assignments import KitError

PLACEHOLDER = "_Type your answer here, replacing this text._"
BEGIN, END = "<!-- BEGIN QUESTION -->", "<!-- END QUESTION -->"
NO_ANSWER = "(no answer)"
COMMENT_LIMIT = 4000  # characters of a TA's comment

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: sans-serif; max-width: 52rem; margin: 2rem auto; line-height: 1.45; }}
.prompt {{ background: #eef3fb; padding: .8rem 1rem; border-radius: 6px; white-space: pre-wrap; }}
section {{ border-top: 1px solid #ccc; padding: .6rem 0; }}
.answer {{ white-space: pre-wrap; font-family: Georgia, serif; }}
.missing {{ color: #a00; font-style: italic; }}
.points {{ color: #555; font-size: .9rem; }}
</style></head><body>
<h1>{title}</h1>
<p>{count} submissions. Score each answer out of {points:g} in <code>scores.csv</code>,
column <code>{key}</code>; then run <code>make manual</code>.</p>
<div class="prompt">{prompt}</div>
{sections}
</body></html>
"""


def answers(path: Path, keys: list[str]) -> dict[str, str]:
    """The text of each manual answer in one submission (``NO_ANSWER`` where none)."""
    try:
        nb = notebooks.read(path)
    except KitError as exc:
        return {key: f"(the notebook could not be read: {exc})" for key in keys}
    found = {}
    for cell in nb.cells:
        key = cell.get("metadata", {}).get("kit", {}).get("manual")
        if key in keys:
            found[key] = cell.source
    if len(found) < len(keys):  # metadata lost (cells copied by hand): use otter's markers
        for key, text in zip(keys, _between_markers(nb)):
            found.setdefault(key, text)
    return {key: _answer_text(found.get(key, "")) for key in keys}


def _between_markers(nb) -> list[str]:
    """For each BEGIN..END block, the cells after the prompt cell, joined."""
    blocks, current = [], None
    for cell in nb.cells:
        if cell.source.lstrip().startswith(BEGIN):
            current = []
        elif cell.source.strip() == END and current is not None:
            blocks.append("\n\n".join(current))
            current = None
        elif current is not None:
            current.append(cell.source)
    return blocks


def _answer_text(text: str) -> str:
    text = text.replace(PLACEHOLDER, "").strip()
    return text or NO_ANSWER


def prompts(assignment) -> dict[str, str]:
    """Each manual question's prompt, read from the assignment's own notebook."""
    nb = notebooks.read(assignment.notebook)
    keys, found, previous = list(assignment.manual_questions), {}, ""
    for cell in nb.cells:
        key = cell.get("metadata", {}).get("kit", {}).get("manual")
        if key in keys:
            found[key] = previous.replace(BEGIN, "").strip()
        previous = cell.source
    return found


def write_page(folder: Path, assignment, key: str, by_student: dict[str, str]):
    question = assignment.manual_questions[key]
    sections = []
    for student, text in sorted(by_student.items()):
        css = "answer missing" if text == NO_ANSWER else "answer"
        sections.append(f'<section id="{html.escape(student)}"><h2>{html.escape(student)}</h2>'
                        f'<div class="{css}">{html.escape(text)}</div>'
                        f'<p class="points">____ / {question["points"]:g}</p></section>')
    page = PAGE.format(title=html.escape(f"{assignment.name}: {question['title']}"),
                       count=len(by_student), points=question["points"], key=html.escape(key),
                       prompt=html.escape(prompts(assignment).get(key, "")),
                       sections="\n".join(sections))
    _atomic_write(folder / f"{key}.html", page)


def scores_path(out: Path) -> Path:
    return out / "manual" / "scores.csv"


def answers_path(out: Path) -> Path:
    return out / "manual" / "answers.json"


def review_path(out: Path, key: str) -> Path:
    return out / "manual" / f"{key}.json"


def merged_path(out: Path) -> Path:
    return out / "manual" / "merged.json"


@contextlib.contextmanager
def locked(out: Path):
    """Hold the run's manual/ lock: every writer of its files (the review app's threads,
    ``make grade``, ``make manual``) reads, changes and replaces them under it."""
    folder = out / "manual"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def collect(assignment, submissions: list[Path], out: Path) -> Path:
    """Write one page per question, ``answers.json``, and add new students to ``scores.csv``."""
    folder = out / "manual"
    keys = list(assignment.manual_questions)
    by_student = {path.stem: answers(path, keys) for path in submissions}
    for question in assignment.manual_questions:
        rubric(assignment, question)  # a bad rubric is named before anything is written
    with locked(out):
        for key in keys:
            write_page(folder, assignment, key, {s: a[key] for s, a in by_student.items()})
        kept = _read_json(answers_path(out))["answers"] if answers_path(out).exists() else {}
        _atomic_write(answers_path(out), json.dumps(
            {"assignment": assignment.name, "answers": {**kept, **by_student}},
            indent=1, sort_keys=True, ensure_ascii=False))
        path = scores_path(out)
        rows = _read_scores(path, keys) if path.exists() else {}
        for student in by_student:
            rows.setdefault(student, {key: "" for key in keys})
        _write_scores(path, keys, rows)
    return folder


def read_answers(out: Path) -> tuple[str, dict[str, dict[str, str]]]:
    """(assignment name, {student: {question: answer text}}) as ``collect`` left them."""
    path = answers_path(out)
    if not path.exists():
        raise KitError(f"{path} does not exist: grade the run first, or collect the answers "
                       f"with `make manual RUN={out} ASSIGNMENT=<name> SUBMISSIONS=<folder>`")
    data = _read_json(path)
    return data["assignment"], data["answers"]


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
                and isinstance(item.get("text"), str) and _is_number(item.get("points"))):
            raise KitError(f"{where}[{number}]: each item needs an 'id', a 'text' and "
                           f"'points' (a number, negative for a deduction)")
        if item["id"] in seen:
            raise KitError(f"{where}[{number}]: the id '{item['id']}' is used twice")
        if abs(item["points"]) > question["points"]:
            raise KitError(f"{where}[{number}]: {item['points']:g} points is more than the "
                           f"question's {question['points']:g}")
        seen.add(item["id"])
    return items


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def checked_review(assignment, key: str, review: dict, where: str) -> dict:
    """``review`` ({"rubric": [ids], "adjustment", "comment"}) checked, with its points.

    The points are the chosen items' sum plus the free adjustment; outside 0..max,
    an unknown or repeated item, or a comment that is not text is refused, naming ``where``.
    """
    question = assignment.manual_questions[key]
    items = {item["id"]: item for item in rubric(assignment, key)}
    chosen, adjustment = review.get("rubric", []), review.get("adjustment", 0)
    comment = review.get("comment", "")
    if not isinstance(chosen, list) or not all(isinstance(i, str) for i in chosen):
        raise KitError(f"{where}: 'rubric' must be a list of item ids")
    unknown = [i for i in chosen if i not in items]
    if unknown:
        raise KitError(f"{where}: no rubric item {unknown[0]!r} in question '{key}' "
                       f"(its items are {sorted(items) or 'none'})")
    if len(set(chosen)) != len(chosen):
        raise KitError(f"{where}: a rubric item is chosen twice")
    if not _is_number(adjustment):
        raise KitError(f"{where}: the free points {adjustment!r} are not a number")
    if not isinstance(comment, str) or len(comment) > COMMENT_LIMIT:
        raise KitError(f"{where}: the comment must be text of at most {COMMENT_LIMIT} characters")
    points = round(sum(items[i]["points"] for i in chosen) + adjustment, 6)
    if not 0 <= points <= question["points"]:
        raise KitError(f"{where}: {points:g} points is not a score between 0 and "
                       f"{question['points']:g} for question '{key}'")
    ordered = [i for i in items if i in chosen]  # the config's order
    return {"rubric": ordered, "adjustment": adjustment, "comment": comment.strip(),
            "points": points}


def read_reviews(out: Path, key: str) -> dict[str, dict]:
    """What the review app saved for question ``key``: {student: review}."""
    path = review_path(out, key)
    if not path.exists():
        return {}
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("reviews"), dict):
        raise KitError(f"{path}: expected an object with 'reviews' by student id")
    return data["reviews"]


def save_review(assignment, out: Path, key: str, student: str, review: dict) -> dict:
    """Check one review and store it, with its points in ``scores.csv``, atomically.

    Raises KitError (nothing written) for an unknown question or student, an unknown
    rubric item or points out of range.
    """
    if key not in assignment.manual_questions:
        raise KitError(f"no question '{key}' in {assignment.name} "
                       f"(its questions are {sorted(assignment.manual_questions)})")
    checked = checked_review(assignment, key, review, f"the review of {student}")
    keys = list(assignment.manual_questions)
    with locked(out):
        if student not in read_answers(out)[1]:
            raise KitError(f"no submission '{student}' in {answers_path(out)}")
        reviews = read_reviews(out, key)
        reviews[student] = {**checked, "saved": datetime.now(timezone.utc).isoformat(
            timespec="seconds")}
        _atomic_write(review_path(out, key), json.dumps(
            {"question": key, "reviews": reviews}, indent=1, sort_keys=True, ensure_ascii=False))
        rows = _read_scores(scores_path(out), keys) if scores_path(out).exists() else {}
        rows.setdefault(student, {k: "" for k in keys})[key] = f"{checked['points']:g}"
        _write_scores(scores_path(out), keys, rows)
    return reviews[student]


def typed_points(out: Path, assignment, key: str) -> dict[str, str]:
    """Question ``key``'s points in ``scores.csv`` by student, blank cells left out."""
    path = scores_path(out)
    if not path.exists():
        return {}
    rows = _read_scores(path, list(assignment.manual_questions))
    return {student: marks[key] for student, marks in rows.items() if marks.get(key)}


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise KitError(f"{path} line {exc.lineno}, column {exc.colno}: not valid JSON "
                       f"({exc.msg}); fix it or delete the file") from None


def _read_scores(path: Path, keys: list[str]) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = reader.fieldnames or []
        if "id" not in header:
            raise KitError(f"{path}: the first row must name the columns: id,{','.join(keys)}")
        unknown = [c for c in header if c != "id" and c not in keys]
        if unknown:
            raise KitError(f"{path}: unknown column(s) {unknown}; the questions are {keys}")
        return {row["id"]: {key: (row.get(key) or "").strip() for key in keys} for row in reader}


def _write_scores(path: Path, keys: list[str], rows: dict):
    report.write_csv(path, ["id", *keys], [{"id": student, **rows[student]}
                                           for student in sorted(rows)])


def checked_scores(assignment, out: Path, known: set[str]) -> dict[str, dict[str, str]]:
    """The TA's scores, every one checked; raises KitError naming the first bad cell."""
    path = scores_path(out)
    if not path.exists():
        return {}
    questions = assignment.manual_questions
    rows = _read_scores(path, list(questions))
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


def merge(assignment, out: Path, book) -> dict:
    """Merge checked scores into ``book`` and record the rubric items and comments that
    go with them (nothing changes if any score or review is bad); then re-render the
    feedback of every student whose hand-graded results changed."""
    with locked(out):
        scores = checked_scores(assignment, out, set(book.rows))
        reviews = checked_reviews(assignment, out, set(book.rows))
        before = _all_hand_graded(out, assignment, book.rows)
        if scores:
            book.set_manual(scores)
        items = {key: {item["id"]: item for item in rubric(assignment, key)}
                 for key in assignment.manual_questions}
        merged = {}
        for key, by_student in reviews.items():
            for student, review in by_student.items():
                merged.setdefault(student, {})[key] = {
                    "rubric": [{"text": items[key][i]["text"], "points": items[key][i]["points"]}
                               for i in review["rubric"]],
                    "comment": review["comment"]}
        _atomic_write(merged_path(out), json.dumps(merged, indent=1, sort_keys=True,
                                                   ensure_ascii=False))
        after = _all_hand_graded(out, assignment, book.rows)
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


def hand_graded(out: Path, assignment, student: str) -> list[dict]:
    """What the feedback shows of the questions graded by hand, as last merged.

    One dict per question, in the config's order: question, title, points (None while
    unscored), max, rubric (the chosen items: [{"text", "points"}]) and comment.
    """
    grades = out / "grades.csv"
    rows = {row["id"]: row for row in report.read_csv(grades)} if grades.exists() else {}
    return _all_hand_graded(out, assignment, rows, [student])[student]


def _all_hand_graded(out: Path, assignment, rows: dict, students=None) -> dict[str, list]:
    merged = _read_json(merged_path(out)) if merged_path(out).exists() else {}
    result = {}
    for student in students if students is not None else rows:
        entries = []
        for key, question in assignment.manual_questions.items():
            value = rows.get(student, {}).get(f"manual:{key}") or ""
            detail = merged.get(student, {}).get(key, {})
            entries.append({"question": key, "title": question["title"],
                            "points": float(value) if value else None,
                            "max": question["points"], "rubric": detail.get("rubric", []),
                            "comment": detail.get("comment", "")})
        result[student] = entries
    return result


def main(argv=None):
    from autograder import grade

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", required=True)
    parser.add_argument("--out", required=True, type=Path, help="the run folder of make grade")
    parser.add_argument("--submissions", type=Path,
                        help="collect the answers again from this folder first")
    args = parser.parse_args(argv)
    try:
        assignment = assignments.get(args.assignment)
        if not assignment.manual_questions:
            raise KitError(f"{args.assignment} has no questions graded by hand")
        if not (args.out / "grades.csv").exists():
            raise KitError(f"{args.out / 'grades.csv'} does not exist: run make grade first")
        questions, max_points = report.question_points(assignment)
        book = grade.GradeBook(args.out / "grades.csv", questions, max_points,
                               {k: q["points"] for k, q in assignment.manual_questions.items()})
        if args.submissions:
            collect(assignment, grade.find_submissions(args.submissions), args.out)
        counts = merge(assignment, args.out, book)
        report.write_summary(args.out, assignment, book)
        similarity.link_from_summary(args.out)
    except KitError as exc:
        sys.exit(f"error: {exc}")
    print(f"merged {counts['scored']} score(s) into {book.path}; {counts['blank']} answer(s) "
          f"still to score in {scores_path(args.out)}; feedback of {counts['feedback']} "
          f"student(s) rewritten")


def _atomic_write(path: Path, text: str):
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
