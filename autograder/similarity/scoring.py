"""Scores: how alike two students' fingerprints are, given what the whole class wrote.

What everybody writes is no evidence: fingerprints of the stub and of the notebook's
given code are removed, and so is a fingerprint found in more than ``COMMON`` of the
class (once that is more than ``COMMON_MIN`` submissions); the rest are weighted by how
rare they are (``log(1 + N / df)``). A pair's score is the weighted Jaccard index of
its two multisets with ``SMOOTHING`` added to the union, so that two one-line cells
that happen to agree cannot reach the top. The whole class's N x N matrix is one
product of dense NumPy matrices (300 submissions: well under a second a cell).
"""
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.assignments import KitError
from autograder.build import translations
from autograder.engine import notebooks
from autograder.engine.members import note
from autograder.similarity.fingerprints import (Budget, Document, Skipped, code_fingerprints,
                                                covered, strip_placeholders, text_fingerprints)

COMMON = 0.2         # a fingerprint in more than this share of the class is no evidence...
COMMON_MIN = 3       # ...once it is in more than this many submissions
SMOOTHING = 2.0      # weight added to every union: little shared material, low score
LISTED = 0.1         # pairs listed in similarity.csv score at least this
BLOCK = 4096         # matrix columns built at a time (300 students: 5 MB of floats)


def scores(documents: list[Document], given: Counter | None = None) -> np.ndarray:
    """N x N similarity of ``documents`` (one cell or question across the class).

    A fingerprint shared ``a`` and ``b`` times by two documents adds its weight times
    ``min(a, b)`` to what they share. ``min(a, b)`` is the sum, over the count levels ``t``
    the class reaches, of ``[a >= t][b >= t]`` times the step up to ``t``: one matrix
    column per level, not per occurrence (a statement pasted 10,000 times is one column),
    and the matrix is built ``BLOCK`` columns at a time, so its memory stays N x BLOCK."""
    n = len(documents)
    given = given or Counter()
    frequency = Counter(key for doc in documents for key in doc.counts)
    common = max(COMMON_MIN, COMMON * n)
    size = np.zeros(n)
    postings = {}  # fingerprint -> [(row, count)] where it is evidence
    for row, doc in enumerate(documents):
        for key, count in doc.counts.items():
            if key in given or frequency[key] > common:
                continue  # given code, or what everybody writes: no evidence
            if frequency[key] < 2:  # unique material still counts in the union
                size[row] += count * math.log(1 + n)
                continue
            postings.setdefault(key, []).append((row, count))
    columns = []  # (weight, rows whose count reaches the level)
    for key, rows in postings.items():
        weight, previous = math.log(1 + n / frequency[key]), 0
        for level in sorted({count for _, count in rows}):
            columns.append((weight * (level - previous), [r for r, c in rows if c >= level]))
            previous = level
    shared = np.zeros((n, n))
    for start in range(0, len(columns), BLOCK):
        block = columns[start:start + BLOCK]
        matrix = np.zeros((n, len(block)), dtype=np.float32)
        for column, (_, rows) in enumerate(block):
            matrix[rows, column] = 1.0
        w = np.asarray([weight for weight, _ in block], dtype=np.float32)
        shared += (matrix * w) @ matrix.T
        size += matrix @ w
    union = size[:, None] + size[None, :] - shared
    result = shared / (union + SMOOTHING)
    np.fill_diagonal(result, 0.0)
    return result


@dataclass
class Pair:
    a: str
    b: str
    cell: str
    kind: str  # "code" or "text"
    score: float
    lines_a: list
    lines_b: list
    words: list = field(default_factory=list)  # written answers: the shared word stems


def compare(units: dict[str, tuple[str, list[Document], Counter]]) -> list[Pair]:
    """Every pair of every unit ({cell: (kind, documents, given fingerprints)}) scoring
    at least ``LISTED``, with the lines each side shares, best first."""
    pairs = []
    for cell, (kind, documents, given) in units.items():
        matrix = scores(documents, given)
        rows, cols = np.nonzero(np.triu(matrix >= LISTED, k=1))
        for i, j in zip(rows.tolist(), cols.tolist()):
            a, b = documents[i], documents[j]
            shared = set(a.counts) & set(b.counts) - set(given)
            pairs.append(Pair(a.student, b.student, cell, kind, float(matrix[i, j]),
                              covered(span for k in shared for span in a.lines[k]),
                              covered(span for k in shared for span in b.lines[k]),
                              sorted(shared) if kind == "text" else []))
    return sorted(pairs, key=lambda p: (-p.score, p.cell, p.a, p.b))



def extract(assignment, paths: list[Path]) -> dict:
    """What each submission wrote: {"code": {cell: {student: source}}, "text": {question: ...}}.

    Each notebook is read through :func:`notebooks.read`, within its bounds (size, depth,
    cells, a cell's source), so only validated, bounded copies reach the comparison."""
    stub = notebooks.read(assignment.notebook)
    fills = list(notebooks.kit_cells(stub, "fill"))
    questions = list(assignment.manual_questions)
    found = {"code": {cell: {} for cell in fills}, "text": {q: {} for q in questions}}
    # Found by cell metadata in every language's release: a Chinese student's untouched
    # answer is as blank as an English one's, never "the same answer" as another's.
    placeholders = translations.answer_placeholders(assignment) if questions else {}
    for path in paths:
        try:
            nb = notebooks.read(path)
        except KitError:
            continue  # an unreadable notebook is reported by grading, not here
        for role, key in (("fill", "code"), ("manual", "text")):
            for name, index in notebooks.kit_cells(nb, role).items():
                if name not in found[key]:
                    continue
                source = nb.cells[index].source
                found[key][name][path.stem] = (
                    strip_placeholders(source) if key == "code"
                    else translations.without_placeholders(source, placeholders.get(name, ())))
    return found


def given_code(assignment) -> tuple[dict[str, Counter], frozenset]:
    """Fingerprints of each fill cell's stub and of the notebook's given code cells, and
    the names the stub defines (graded functions keep their names)."""
    stub = notebooks.read(assignment.notebook)
    fills = notebooks.kit_cells(stub, "fill")
    names = frozenset(assignment.config.get("graded_functions", []))
    shared = Counter()
    for index, cell in enumerate(stub.cells):
        if cell.cell_type == "code" and index not in fills.values():
            shared.update(code_fingerprints(cell.source, names)[0])
    given = {key: shared + code_fingerprints(strip_placeholders(stub.cells[index].source),
                                             names)[0]
             for key, index in fills.items()}
    return given, names


def units_of(assignment, sources: dict, skipped: list | None = None) -> dict:
    """{unit: (kind, documents, given fingerprints)} for :func:`compare`. Each student's
    cells and answers, in the order of the notebook, spend one :class:`Budget`; what is
    not compared (over it, or failing in any way) is appended to ``skipped`` as
    (student, unit, why), never a stopped comparison."""
    given, names = given_code(assignment)
    budgets = {}
    units = {}
    for kind, make in (("code", lambda text: code_fingerprints(text, names)),
                       ("text", text_fingerprints)):
        for unit, by_student in sources[kind].items():
            documents = []
            for student, text in sorted(by_student.items()):
                try:
                    budgets.setdefault(student, Budget()).spend(text)
                    documents.append(Document(student, text, *make(text)))
                except Skipped as why:
                    _skip(skipped, student, unit, note("note.sim_skipped", why=str(why)))
                except Exception as exc:  # a case fingerprinting did not foresee
                    _skip(skipped, student, unit, note("note.sim_skipped", why=note(
                        "note.sim_failed", error=type(exc).__name__)))
            units[unit] = (kind, documents, given.get(unit, Counter()) if kind == "code"
                           else Counter())
    return units


def _skip(skipped: list | None, student: str, unit: str, why: str):
    if skipped is not None:
        skipped.append((student, unit, why))


def thresholds(assignment) -> dict:
    config = assignment.config.get("similarity", {})
    return {"code": config.get("code_threshold", 0.5), "text": config.get("text_threshold", 0.5)}
