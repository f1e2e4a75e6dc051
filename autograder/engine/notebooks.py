"""Reading student notebooks and filling their stub cells.

Cells a student writes carry ``metadata.kit.fill = <key>``; the check cell
after a graded function carries ``metadata.kit.check = <key>``.
"""
import copy
import json
from pathlib import Path

import nbformat

from autograder.assignments import KitError

STUB_MARKER = "# YOUR CODE HERE"


def read(path: Path) -> nbformat.NotebookNode:
    """Read a notebook as nbformat 4, or raise KitError naming the problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KitError(f"{path}: cannot read the file ({exc})") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KitError(f"{path}: not a notebook (invalid JSON at line {exc.lineno}: "
                       f"{exc.msg}); ask the student to download the .ipynb again") from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise KitError(f"{path}: JSON but not a Jupyter notebook (no 'cells')")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several types
        raise KitError(f"{path}: not a valid nbformat 4 notebook ({str(exc)[:200]})") from None
    return nb


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
