"""Reading student notebooks, bounded, and filling their stub cells.

Cells a student writes carry ``metadata.kit.fill = <key>``; the check cell
after a graded function carries ``metadata.kit.check = <key>``.

A submitted notebook is hostile data read in the TA's own process (grading, written
answers, similarity), so :func:`read` checks it before any parser sees it. The JSON text
is pre-scanned without recursion and in linear time (byte replaces and counts, regular
expressions that cannot backtrack, numpy running sums): size, nesting depth, digits per
number, number of values, halves of UTF-16 pairs. Only then does ``json`` parse it (its
C parser recurses once per nesting level, and ``int()`` refuses more than 4,300 digits:
neither limit can be reached past the pre-scan), then nbformat validates it, and the
cells are checked (how many, source and output sizes, the kit's own metadata). Whatever
goes wrong, of any exception type, is a :class:`KitError` naming the file and the
problem (a :class:`Refused`: English for the TA, said in the course's language to the
student), which the grader turns into that student's row: a notebook can never stop a
class. What :func:`read` returns is safe for
every reader downstream: each cell's ``source`` is a ``str`` and its ``metadata.kit``, if
any, maps names to strings.
"""
import copy
import json
import re
from pathlib import Path

import nbformat
import numpy as np

from autograder.assignments import KitError
# trusted.read_bounded: the kit's one bounded, no-follow reader (imported as a module:
# trusted imports runner, which imports this one)
from autograder.engine import trusted
from autograder.engine.members import SaidError
from shared.i18n import msg_in

STUB_MARKER = "# YOUR CODE HERE"

#: Bytes of a notebook file. The kit's notebooks are under 100 KB and a graded one with
#: its plots a few MB; past this the notebook is mostly outputs (a printed dataset), which
#: grading never reads, and which the TA's process would hold several times over once parsed
#: (a 19 MB string output: 75 MB, measured).
MAX_NOTEBOOK_BYTES = 20 * 2**20
#: Nesting of JSON arrays and objects. A notebook nests 6 deep, a widget's or a JSON
#: output's state a few levels more; 64 keeps every recursive reader downstream (json's
#: parser, jsonschema, deepcopy, nbformat's writer: a few frames per level each) far
#: below Python's recursion limit of 1,000.
MAX_JSON_DEPTH = 64
#: Digits in one JSON number. Honest numbers are execution counts and floats of at most
#: 17 significant digits; Python's ``int()`` refuses more than 4,300 with a ValueError.
MAX_NUMBER_DIGITS = 100
#: Arrays, objects and their members in the whole file (counted as commas and opening
#: brackets). A notebook whose long outputs are stored line by line holds tens of
#: thousands; reading one costs the TA's process about 1.4 KB per value (json's objects,
#: nbformat's copy, validation: 345 MB measured at a million), so 250,000 keeps one read
#: under ~100 MB and a second, where a file of nothing but ``{},`` would be over 1 GB.
MAX_JSON_VALUES = 250_000
#: Cells in a notebook: the kit's have 20-35, a student adds some; 2,000 is a notebook
#: no person scrolls, and bounds the per-cell work of grading and similarity.
MAX_CELLS = 2_000
#: Characters of one cell's source. Honest cells are a few KB; data pasted into a cell
#: as a literal still runs. Similarity fingerprints at most its own budget per student.
MAX_SOURCE_CHARS = 4 * 2**20
#: Outputs of one notebook, and characters of one output as JSON: a training log or a
#: plot is far below; an output past this is a dump that would be copied into every
#: sandbox and page for nothing (clearing outputs before submitting removes it).
MAX_OUTPUTS = 20_000
MAX_OUTPUT_CHARS = 8 * 2**20

_STRING = re.compile(rb'"[^"]*"')  # once escaped quotes are gone, a string holds no quote
_TOO_MANY_DIGITS = re.compile(rb"\d{%d}" % (MAX_NUMBER_DIGITS + 1))
#: A ``\u`` escape of half a UTF-16 pair without its other half: json reads it into a
#: ``str`` that no UTF-8 file can hold, so writing it anywhere later would fail.
_LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_NOT_A_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
_CHUNK = 2**20  # brackets whose running depth numpy sums at a time


class Refused(SaidError):
    """A notebook the bounded reader refused: the file's name, the problem's catalogue key
    (``nb.*``) and its fields. ``str()`` is the English the TA's stderr line and grades.csv
    have always shown; :meth:`said` is the sentence in the language the student reads,
    where their feedback is written (the course's, which this module does not know)."""

    def __init__(self, name: str, key: str, **fields):
        self.name = name
        super().__init__(key, **fields)

    def said(self, language: str) -> str:
        return msg_in(language, "nb.refused", file=self.name, problem=super().said(language))


def read(path: Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat 4, within the module's bounds, or raise KitError
    naming the file and the problem (whatever the exception underneath)."""
    name = Path(path).name
    try:
        return _read(Path(path), name)
    except KitError:
        raise
    except Exception as exc:  # a case the checks below did not foresee: still this file's
        raise Refused(name, "nb.unreadable", error=type(exc).__name__) from None


def _read(path: Path, name: str) -> nbformat.NotebookNode:
    try:
        data = trusted.read_bounded(path, MAX_NOTEBOOK_BYTES)
    except FileNotFoundError:
        raise Refused(name, "nb.missing") from None
    except trusted.Unreadable as exc:
        if "limit" in str(exc):
            raise too_large(name) from None
        if str(exc) == "is not a regular file":
            raise Refused(name, "nb.not_regular_file") from None
        raise Refused(name, "nb.cannot_read_it", why=str(exc)) from None
    except OSError as exc:
        raise Refused(name, "nb.cannot_read", why=exc.strerror or str(exc)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(name, "nb.not_utf8", byte=exc.start) from None
    prescan(name, data)
    del data
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Refused(name, "nb.invalid_json", line=exc.lineno, error=exc.msg) from None
    except Exception as exc:  # bounded above; anything else is still this file's problem
        raise Refused(name, "nb.json_error", error=type(exc).__name__) from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise Refused(name, "nb.no_cells")
    major = raw.get("nbformat")
    if type(major) is not int or major not in nbformat.versions:
        raise Refused(name, "nb.version", version=repr(str(major)[:20]))
    try:
        nb = nbformat.versions[major].to_notebook_json(raw, minor=raw.get("nbformat_minor", 0))
        nb = nbformat.convert(nb, 4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several types, and its converters more
        raise Refused(name, "nb.invalid", problem=_invalid(exc)) from None
    check_cells(name, nb)
    return nb


def _invalid(exc: Exception) -> str:
    """What nbformat found wrong, in a line: where in the notebook, and what."""
    where = list(getattr(exc, "absolute_path", None) or [])
    if len(where) >= 2 and where[0] == "cells" and isinstance(where[1], int):
        where = [f"cell {where[1] + 1}", *where[2:]]
    if (isinstance(exc, (KeyError, AttributeError)) and exc.args
            and " " not in str(exc.args[0])):  # a part it needs, by name
        return f"it has no {str(exc.args[0])[:40]!r}"
    said = " ".join(str(getattr(exc, "message", None) or exc).split())[:160]
    return f"{' '.join(map(str, where))}: {said}" if where else said or type(exc).__name__


def too_large(name: str) -> Refused:
    """The refusal of a file over ``MAX_NOTEBOOK_BYTES`` (the grader says it without
    copying the file when the download declares its size: ``too_large(name).said(language)``)."""
    return Refused(name, "nb.too_large", limit=MAX_NOTEBOOK_BYTES // 2**20)


def prescan(name: str, data: bytes):
    """Refuse JSON too deep, with too long a number or too many values, before a parser
    reads it: linear in the size, without recursion, whatever the bytes (valid or not)."""
    # Escaped backslashes, then escaped quotes, blanked (left to right, as a JSON reader
    # pairs them); then every string emptied: what is left is the JSON's structure.
    unquoted = data.replace(b"\\\\", b"__").replace(b'\\"', b"__")
    skeleton = _STRING.sub(b'""', unquoted)
    if _LONE_SURROGATE.search(unquoted):
        raise Refused(name, "nb.lone_surrogate")
    del unquoted
    if _TOO_MANY_DIGITS.search(skeleton):
        raise Refused(name, "nb.long_number", digits=MAX_NUMBER_DIGITS)
    values = sum(skeleton.count(char) for char in (b",", b"[", b"{"))
    if values > MAX_JSON_VALUES:
        raise Refused(name, "nb.many_values", count=f"{MAX_JSON_VALUES:,}")
    if _deepest(skeleton.translate(None, _NOT_A_BRACKET)) > MAX_JSON_DEPTH:
        raise Refused(name, "nb.deep", depth=MAX_JSON_DEPTH)


def _deepest(brackets: bytes) -> int:
    """The deepest nesting of a string of brackets (``[]{}`` only), by running sums."""
    codes = np.frombuffer(brackets, dtype=np.uint8)
    deepest = level = 0
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start:start + _CHUNK]
        steps = np.where((chunk == ord("[")) | (chunk == ord("{")), 1, -1).astype(np.int64)
        depths = level + np.cumsum(steps)
        deepest, level = max(deepest, int(depths.max())), int(depths[-1])
    return deepest


def check_cells(name: str, nb):
    """The bounds on cells and outputs, and the kit's metadata made safe to read: a
    ``metadata.kit`` that is not names to strings is dropped (the cell is then not one
    of the kit's, as if the student had copied it by hand)."""
    if len(nb.cells) > MAX_CELLS:
        raise Refused(name, "nb.many_cells", count=f"{len(nb.cells):,}", limit=f"{MAX_CELLS:,}")
    outputs = 0
    for number, cell in enumerate(nb.cells, start=1):
        if not isinstance(cell.source, str):  # validated; a converter may still leave a list
            raise Refused(name, "nb.source_not_text", number=number)
        if len(cell.source) > MAX_SOURCE_CHARS:
            raise Refused(name, "nb.long_cell", number=number, count=f"{len(cell.source):,}",
                          limit=f"{MAX_SOURCE_CHARS:,}")
        kit = cell.metadata.get("kit")
        if kit is not None and not (isinstance(kit, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in kit.items())):
            del cell.metadata["kit"]
        for output in cell.get("outputs", []):
            outputs += 1
            if outputs > MAX_OUTPUTS:
                raise Refused(name, "nb.many_outputs", limit=f"{MAX_OUTPUTS:,}")
            if len(json.dumps(output)) > MAX_OUTPUT_CHARS:
                raise Refused(name, "nb.large_output", number=number,
                              limit=MAX_OUTPUT_CHARS // 2**20)


def kit_cells(nb, role: str) -> dict[str, int]:
    """Map ``metadata.kit.<role>`` values to cell indices."""
    found = {}
    for index, cell in enumerate(nb.cells):
        key = cell.get("metadata", {}).get("kit", {}).get(role)
        if key:
            found[key] = index
    return found


def fill(nb, sources: dict[str, str]):
    """A copy of ``nb`` whose fill cells are replaced by ``sources[key]`` where given."""
    nb = copy.deepcopy(nb)
    cells = kit_cells(nb, "fill")
    unknown = set(sources) - set(cells)
    if unknown:
        raise KitError(f"no cell to fill for {sorted(unknown)}; fill cells are {sorted(cells)}")
    for key, source in sources.items():
        nb.cells[cells[key]].source = source.strip("\n")
    return nb


def write(nb, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
