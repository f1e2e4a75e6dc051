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

``make manual RUN=<run folder> ASSIGNMENT=<name>`` (this module) checks every
score (known student, a number between 0 and the question's points) before
changing anything, then merges them into ``grades.csv`` as ``manual:<key>``
columns and recomputes ``total``. Merging again after a correction replaces
the old values; a blank cell stays unscored.
"""
import argparse
import csv
import html
import os
import sys
from pathlib import Path

from autograder import assignments
from autograder.engine import notebooks, report
from autograder.assignments import KitError

PLACEHOLDER = "_Type your answer here, replacing this text._"
BEGIN, END = "<!-- BEGIN QUESTION -->", "<!-- END QUESTION -->"
NO_ANSWER = "(no answer)"

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


def collect(assignment, submissions: list[Path], out: Path) -> Path:
    """Write one page per question and add new students to ``scores.csv``."""
    folder = out / "manual"
    folder.mkdir(parents=True, exist_ok=True)
    keys = list(assignment.manual_questions)
    by_student = {path.stem: answers(path, keys) for path in submissions}
    for key in keys:
        write_page(folder, assignment, key, {s: a[key] for s, a in by_student.items()})
    path = scores_path(out)
    rows = _read_scores(path, keys) if path.exists() else {}
    for student in by_student:
        rows.setdefault(student, {key: "" for key in keys})
    _write_scores(path, keys, rows)
    return folder


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


def merge(assignment, out: Path, book) -> dict:
    """Merge checked scores into ``book`` (nothing changes if any score is bad)."""
    scores = checked_scores(assignment, out, set(book.rows))
    if scores:
        book.set_manual(scores)
    marks = [v for row in scores.values() for v in row.values()]
    return {"scored": sum(1 for v in marks if v), "blank": sum(1 for v in marks if not v)}


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
    except KitError as exc:
        sys.exit(f"error: {exc}")
    print(f"merged {counts['scored']} score(s) into {book.path}; {counts['blank']} answer(s) "
          f"still to score in {scores_path(args.out)}")


def _atomic_write(path: Path, text: str):
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
