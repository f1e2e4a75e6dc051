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
import functools
from pathlib import Path

from autograder.assignments import KitError
from autograder.build import translations
from autograder.engine import notebooks, report
from autograder.review import store
from autograder.review.store import NO_ANSWER
from shared.i18n import msg_in

BEGIN, END = "<!-- BEGIN QUESTION -->", "<!-- END QUESTION -->"
ANSWER_LIMIT = 20_000  # characters of one written answer kept


def answers(path: Path, keys: list[str], placeholders: dict[str, set[str]]) -> dict[str, str]:
    """The text of each manual answer in one submission (``NO_ANSWER`` where none).

    ``placeholders``: question -> the text its answer cell holds in each language's
    release (:func:`autograder.build.translations.answer_placeholders`, found by cell
    metadata): a student who left it, in English or in Chinese, wrote nothing."""
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
    return {key: _answer_text(found.get(key, ""), placeholders.get(key, set())) for key in keys}


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


def _answer_text(text: str, placeholders: set[str]) -> str:
    text = translations.without_placeholders(text, placeholders)
    if len(text) > ANSWER_LIMIT:
        text = text[:ANSWER_LIMIT] + f"\n... ({len(text) - ANSWER_LIMIT} more characters cut)"
    return text or NO_ANSWER


def prompts(assignment, language: str = translations.SOURCE_LANGUAGE) -> dict[str, str]:
    """Each manual question's prompt as the release in ``language`` words it (the TA reads
    it in theirs), from the assignment's own notebook; the source language's when a
    translation is missing (never a stopped page)."""
    nb = notebooks.read(assignment.notebook)
    try:
        nb = translations.localized(nb, assignment, language)
    except KitError:
        pass
    keys, found, previous = list(assignment.manual_questions), {}, ""
    for cell in nb.cells:
        key = cell.get("metadata", {}).get("kit", {}).get("manual")
        if key in keys:
            found[key] = previous.replace(BEGIN, "").strip()
        previous = cell.source
    return found


def write_page(out: Path, assignment, key: str, by_student: dict[str, str]):
    """``manual/<key>.html``: every answer to one question, in id order, escaped; its words,
    title and prompt in the TA's language."""
    language = report.run_language(out, assignment, "ta_language")
    question = assignment.manual_questions[key]
    title = report._translated(assignment, language).get(f"manual.{key}.title", question["title"])
    page = report.TEMPLATES.get_template("manual.html.j2").render(
        assignment=assignment.name, question=question, key=key, title=title,
        prompt=prompts(assignment, language).get(key, ""), answers=sorted(by_student.items()),
        no_answer=NO_ANSWER, points=lambda value: f"{value:g}", language=language,
        t=functools.partial(msg_in, language))
    store.atomic_write(store.folder(out) / f"{key}.html", page)


def collect(assignment, submissions: list[Path], out: Path) -> Path:
    """Write one page per question, the answers, and add new students to ``scores.csv``."""
    keys = list(assignment.manual_questions)
    placeholders = translations.answer_placeholders(assignment)
    by_student = {path.stem: answers(path, keys, placeholders) for path in submissions}
    for question in assignment.manual_questions:
        store.rubric(assignment, question)  # a bad rubric is named before anything is written
    with store.locked(out):
        for key in keys:
            write_page(out, assignment, key, {s: a[key] for s, a in by_student.items()})
        store.write_answers(out, assignment, by_student)
    return store.folder(out)
