"""Sample classes: generated submissions with the scores they must get.

A sample is the student notebook with its fill cells replaced: by the
reference solution, except for the cells the sample overrides. ``fills=None``
leaves the notebook untouched (the stub). Each sample states the points it
must get per question; ``make demo`` shows them and the tests assert them.
"""
import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder import assignments
from autograder.engine import notebooks
from autograder.assignments import DIST, REPO_ROOT


@dataclass(frozen=True)
class Sample:
    """A generated submission and what grading it must give."""

    id: str
    description: str
    fills: dict | None  # cells replaced on top of the reference; None: the untouched stub
    expected: dict = field(default_factory=dict)  # question -> points
    status: str = "graded"
    attack: str | None = None  # an extra code cell
    after: str = "imports"  # where it goes: "imports", "end", or after a check cell's key
    raw: Callable[[], bytes] | None = None  # the file itself, for broken submissions
    flags: tuple = ()  # flags the grader must raise
    answers: dict = field(default_factory=dict)  # written answers: manual question -> text


def mistake(name: str, key: str, old: str, new: str) -> dict:
    """Fills for a sample that is the reference with one mistake in cell ``key``."""
    source = assignments.get(name).solution_sources()[key]
    if old not in source:
        raise ValueError(f"{old!r} is not in the reference {key} of {name}")
    return {key: source.replace(old, new)}


def samples_of(assignment) -> list[Sample]:
    return importlib.import_module(f"autograder.assignments.{assignment.name}.samples").SAMPLES


def sample_dir(assignment) -> Path:
    return DIST / "sample_class" / assignment.name


def notebook_for(assignment, sample: Sample):
    nb = notebooks.read(assignment.notebook)
    if sample.fills is not None:
        nb = notebooks.fill(nb, {**assignment.solution_sources(), **sample.fills})
    for key, index in notebooks.kit_cells(nb, "manual").items():
        if key in sample.answers:
            nb.cells[index].source = sample.answers[key]
    if sample.attack:
        cell = nbformat.v4.new_code_cell(sample.attack.strip("\n"))
        if sample.after == "end":
            position = len(nb.cells)
        elif sample.after == "imports":
            position = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code") + 1
        else:
            position = notebooks.kit_cells(nb, "check")[sample.after] + 1
        nb.cells.insert(position, cell)
    return nb


def write_class(name: str, folder: Path | None = None) -> Path:
    assignment = assignments.get(name)
    folder = folder or sample_dir(assignment)
    folder.mkdir(parents=True, exist_ok=True)
    for sample in samples_of(assignment):
        path = folder / f"{sample.id}.ipynb"
        if sample.raw:
            path.write_bytes(sample.raw())
        else:
            notebooks.write(notebook_for(assignment, sample), path)
    return folder


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    args = parser.parse_args(argv)
    for name in args.assignments:
        print(f"wrote {write_class(name).relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
