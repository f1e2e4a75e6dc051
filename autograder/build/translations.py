"""The Chinese of each notebook's Markdown, kept beside it: ``assignments/<name>/<name>.zh.md``.

Why a file beside the notebook, not cell metadata: a translator reads and edits
Markdown, and a diff of it shows the sentences that changed; in cell metadata the
text would be a JSON string nobody can review. The notebook stays the one source
of the code: a release in either language is the notebook with its Markdown cells
swapped, so the code cells of the two can never drift.

The file is a run of entries, each opened by a line naming what it translates and
a stamp of the English it was translated from::

    <!-- kit-translation: cell 994cfca4 · en 1f2e3d4c -->
    # 时间序列：用窗口和双向 LSTM 做预测
    ...

``cell <id>`` is a Markdown cell of the notebook (nbformat cell ids);
``code <id>`` the comments of a code cell, one translated comment line per English one,
in order (the build puts each in place of its English, so the code itself stays one
source: only ``#`` comments change, never a statement);
``readme <key>`` is a text of the release README (``title``, ``data_note``);
``config <key>`` a text of the grading config a student reads in the feedback: a written
question's title (``manual.<question>.title``) and its rubric items
(``manual.<question>.rubric.<id>``), see :func:`config_texts`. The
stamp is the start of the SHA-256 of the English text, so a cell whose English
changed after its translation shows up as stale (``tests/test_release.py``);
after updating the Chinese, ``python -m autograder.build.translations stamp <name>``
records the new stamps.

Cells with nothing to translate: those holding only HTML comments (otter's
``<!-- BEGIN QUESTION -->`` markers), and in code cells the stub marker
``# YOUR CODE HERE`` (the grader looks for it). The students' answer cells
(``metadata.kit.manual``) are translated like any Markdown cell: their text is the
placeholder a student replaces, and :func:`answer_placeholders` gives it in every
language, found by that metadata, so an unanswered Chinese notebook reads as unanswered.
"""
import argparse
import hashlib
import io
import re
import sys
import tokenize
from dataclasses import dataclass
from pathlib import Path

from autograder import assignments
from autograder.assignments import KitError
from autograder.engine import notebooks

LANGUAGES = ("en", "zh")
SOURCE_LANGUAGE = "en"
HEADER = re.compile(r"^<!-- kit-translation: (cell|code|readme|config) (\S+) · en ([0-9a-f]{8}) -->$")
COMMENTS = re.compile(r"<!--.*?-->", re.S)


@dataclass
class Entry:
    kind: str  # "cell" or "readme"
    key: str  # cell id or README text name
    stamp: str  # start of the SHA-256 of the English it translates
    text: str
    line: int  # where it starts in the file, for messages


def stamp(english: str) -> str:
    return hashlib.sha256(english.encode()).hexdigest()[:8]


def path_of(assignment, language="zh") -> Path:
    return assignment.notebook.with_suffix(f".{language}.md")


def read(path: Path) -> dict[tuple[str, str], Entry]:
    """The entries of a translations file by (kind, key); KitError names a bad line."""
    if not path.is_file():
        raise KitError(f"{path}: no translations file (write one entry per Markdown cell; "
                       f"see autograder/build/translations.py)")
    entries, current, body = {}, None, []

    def close():
        if current is not None:
            current.text = "\n".join(body).strip("\n")
            entries[(current.kind, current.key)] = current
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        found = HEADER.match(line)
        if found:
            close()
            kind, key, mark = found.groups()
            if (kind, key) in entries:
                raise KitError(f"{path}:{number}: a second translation of {kind} {key}")
            current, body = Entry(kind, key, mark, "", number), []
        elif line.startswith("<!-- kit-translation"):
            raise KitError(f"{path}:{number}: malformed entry line (expected "
                           f"'<!-- kit-translation: cell <id> · en <8 hex> -->')")
        elif current is None:
            if line.strip():
                raise KitError(f"{path}:{number}: text before the first entry line")
        else:
            body.append(line)
    close()
    return entries


def needs_translation(cell) -> bool:
    if cell.cell_type != "markdown":
        return False
    return bool(COMMENTS.sub("", cell.source).strip())


def comments(source: str) -> list[tuple[int, int, str]]:
    """(line, column, text) of each ``#`` comment of a code cell but the stub marker.

    Read by Python's tokenizer, so a ``#`` inside a string is no comment; a cell it cannot
    read (IPython magics) has none to translate."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    return [(token.start[0], token.start[1], token.string) for token in tokens
            if token.type == tokenize.COMMENT and token.string.strip() != notebooks.STUB_MARKER]


def with_comments(source: str, translated: list[str]) -> str:
    """``source`` with its comments (:func:`comments`, in order) replaced by ``translated``."""
    lines = source.split("\n")
    for (line, column, _), text in zip(comments(source), translated):
        lines[line - 1] = lines[line - 1][:column] + text
    return "\n".join(lines)


def english_texts(assignment) -> dict[tuple[str, str], str]:
    """Everything of one assignment a student reads in the release, in English."""
    nb = notebooks.read(assignment.notebook)
    texts = {("cell", cell.id): cell.source for cell in nb.cells if needs_translation(cell)}
    for cell in nb.cells:
        found = comments(cell.source) if cell.cell_type == "code" else []
        if found:
            texts[("code", cell.id)] = "\n".join(text for _, _, text in found)
    texts[("readme", "title")] = assignment.config["title"]
    texts[("readme", "data_note")] = assignment.config["data_note"]
    for question, spec in assignment.manual_questions.items():
        texts[("config", f"manual.{question}.title")] = spec["title"]
        for item in spec.get("rubric", []):
            texts[("config", f"manual.{question}.rubric.{item['id']}")] = item["text"]
    return texts


def problems(assignment, language="zh") -> list[str]:
    """Every translation missing, stale, empty or of nothing, as one line each."""
    path = path_of(assignment, language)
    try:
        entries = read(path)
    except KitError as exc:
        return [str(exc)]
    found = []
    for key, english in english_texts(assignment).items():
        entry = entries.get(key)
        where = f"{key[0]} {key[1]}"
        if entry is None:
            found.append(f"{path}: no translation of {where} (English: {english[:60]!r})")
        elif not entry.text.strip():
            found.append(f"{path}:{entry.line}: the translation of {where} is empty")
        elif key[0] == "code" and not _comment_lines_match(english, entry.text):
            found.append(f"{path}:{entry.line}: the translation of {where} must be "
                         f"{len(english.splitlines())} comment line(s), each starting with "
                         f"'#', one per English comment in order")
        elif entry.stamp != stamp(english):
            found.append(f"{path}:{entry.line}: the English of {where} changed since it was "
                         f"translated: update the translation, then run python -m "
                         f"autograder.build.translations stamp {assignment.name}")
    for key, entry in entries.items():
        if key not in english_texts(assignment):
            found.append(f"{path}:{entry.line}: {key[0]} {key[1]} is not in "
                         f"{assignment.notebook.name} (a cell removed? delete the entry)")
    return found


def _comment_lines_match(english: str, translated: str) -> bool:
    lines = translated.splitlines()
    return len(lines) == len(english.splitlines()) and all(
        line.startswith("#") for line in lines)


def texts_for(assignment, language) -> dict[tuple[str, str], str]:
    """What the release in ``language`` says in place of each English text."""
    english = english_texts(assignment)
    if language == SOURCE_LANGUAGE:
        return english
    if language not in LANGUAGES:
        raise KitError(f"unknown language {language!r}: use one of {', '.join(LANGUAGES)}")
    wrong = problems(assignment, language)
    if wrong:
        raise KitError("translations are not complete:\n  " + "\n  ".join(wrong))
    entries = read(path_of(assignment, language))
    return {key: entries[key].text for key in english}


def localized(nb, assignment, language):
    """A copy of ``nb`` whose Markdown cells read in ``language``; code cells untouched."""
    import copy
    texts = texts_for(assignment, language)
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if needs_translation(cell):
            cell.source = texts[("cell", cell.id)]
        elif ("code", cell.id) in texts:
            cell.source = with_comments(cell.source, texts[("code", cell.id)].splitlines())
    nb.metadata["language"] = language  # for tools; the kernel's language_info is Python
    return nb


def config_texts(assignment, language) -> dict[str, str]:
    """The grading config's student-facing texts in ``language``: ``"title"`` (the
    assignment's), ``"manual.<question>.title"`` and ``"manual.<question>.rubric.<id>"``
    (the feedback and the review pages show them)."""
    texts = texts_for(assignment, language)
    return {("title" if key == ("readme", "title") else key[1]): text
            for key, text in texts.items() if key[0] == "config" or key == ("readme", "title")}


def answer_placeholders(assignment) -> dict[str, set[str]]:
    """Question key -> the text its answer cell holds in each language's release.

    Found by the cells' ``metadata.kit.manual``, never by their English: a written
    answer equal (after stripping) to one of these is no answer (``make manual``,
    ``make review``, ``make similarity``)."""
    nb = notebooks.read(assignment.notebook)
    found = {}
    for cell in nb.cells:
        key = cell.get("metadata", {}).get("kit", {}).get("manual")
        if isinstance(key, str):
            found[key] = {cell.source.strip()}
    for language in LANGUAGES:
        if language == SOURCE_LANGUAGE or not path_of(assignment, language).is_file():
            continue
        entries = read(path_of(assignment, language))
        for cell in nb.cells:
            key = cell.get("metadata", {}).get("kit", {}).get("manual")
            if isinstance(key, str) and ("cell", cell.id) in entries:
                found[key].add(entries[("cell", cell.id)].text.strip())
    return found


def without_placeholders(text: str, placeholders) -> str:
    """A written answer without the placeholder text of its cell in any language (longest
    first, so no placeholder is left half-removed by a shorter one it contains)."""
    for placeholder in sorted(placeholders, key=len, reverse=True):
        if placeholder:
            text = text.replace(placeholder, "")
    return text.strip()


def write_stamps(assignment, language="zh") -> int:
    """Record the current English's stamps on every entry (after a translator's update)."""
    path = path_of(assignment, language)
    english = english_texts(assignment)
    lines, changed = path.read_text(encoding="utf-8").splitlines(), 0
    for number, line in enumerate(lines):
        found = HEADER.match(line)
        if found and (found[1], found[2]) in english:
            new = stamp(english[(found[1], found[2])])
            if new != found[3]:
                lines[number] = f"<!-- kit-translation: {found[1]} {found[2]} · en {new} -->"
                changed += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check", "stamp"])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    args = parser.parse_args(argv)
    failed = False
    for name in args.assignments:
        assignment = assignments.get(name)
        if args.command == "stamp":
            print(f"{path_of(assignment)}: {write_stamps(assignment)} stamp(s) updated")
        for problem in problems(assignment):
            print(problem)
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
