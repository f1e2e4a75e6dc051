"""The written answers of a class, read from the notebooks into the run's hand-grading store.

Otter marks a manual question in a notebook with ``<!-- BEGIN QUESTION -->`` and
``<!-- END QUESTION -->`` markdown cells around the prompt and the answer; our answer
cells also carry ``metadata.kit.manual = <key>``. :func:`collect` (called by ``make
grade``, and by ``make manual SUBMISSIONS=...``) reads each submission's answers and
writes:

- ``manual/<key>.html``: every student's answer to that one question on one page, in id
  order, so a TA reads and scores a question across the class in one pass (answers are
  shown as escaped text: nothing a student wrote runs);
- the answers and a blank ``scores.csv`` row for each new student, through
  :mod:`autograder.review.store`.

Notebooks are hostile data: they are read through :func:`autograder.engine.notebooks.read`
(bounded), any failure to read one becomes that student's answer text, and each answer
is cut at ``ANSWER_LIMIT`` characters.
"""
import html
from pathlib import Path

from autograder.engine import notebooks
from autograder.review import store
from autograder.review.store import NO_ANSWER

PLACEHOLDER = "_Type your answer here, replacing this text._"
BEGIN, END = "<!-- BEGIN QUESTION -->", "<!-- END QUESTION -->"
ANSWER_LIMIT = 20_000  # characters of one written answer kept

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
    except Exception as exc:  # noqa: BLE001 - any failure is this student's answer, never a stop
        return {key: f"(the notebook could not be read: {exc})"[:ANSWER_LIMIT] for key in keys}
    found = {}
    for cell in nb.cells:
        kit = cell.get("metadata", {}).get("kit", {})
        key = kit.get("manual") if isinstance(kit, dict) else None
        if isinstance(key, str) and key in keys:
            found[key] = str(cell.source)
    if len(found) < len(keys):  # metadata lost (cells copied by hand): use otter's markers
        for key, text in zip(keys, _between_markers(nb)):
            found.setdefault(key, text)
    return {key: _answer_text(found.get(key, "")) for key in keys}


def _between_markers(nb) -> list[str]:
    """For each BEGIN..END block, the cells after the prompt cell, joined."""
    blocks, current = [], None
    for cell in nb.cells:
        source = str(cell.source)
        if source.lstrip().startswith(BEGIN):
            current = []
        elif source.strip() == END and current is not None:
            blocks.append("\n\n".join(current))
            current = None
        elif current is not None:
            current.append(source)
    return blocks


def _answer_text(text: str) -> str:
    text = text.replace(PLACEHOLDER, "").strip()
    if len(text) > ANSWER_LIMIT:
        text = text[:ANSWER_LIMIT] + f"\n... ({len(text) - ANSWER_LIMIT} more characters cut)"
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


def write_page(out: Path, assignment, key: str, by_student: dict[str, str]):
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
    store.atomic_write(store.folder(out) / f"{key}.html", page)


def collect(assignment, submissions: list[Path], out: Path) -> Path:
    """Write one page per question, the answers, and add new students to ``scores.csv``."""
    keys = list(assignment.manual_questions)
    by_student = {path.stem: answers(path, keys) for path in submissions}
    for question in assignment.manual_questions:
        store.rubric(assignment, question)  # a bad rubric is named before anything is written
    with store.locked(out):
        for key in keys:
            write_page(out, assignment, key, {s: a[key] for s, a in by_student.items()})
        store.write_answers(out, assignment, by_student)
    return store.folder(out)
