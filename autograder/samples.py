"""Sample classes: generated submissions with the scores they must get.

A sample is the student notebook with its fill cells replaced: by the
reference solution, except for the cells the sample overrides. ``fills=None``
leaves the notebook untouched (the stub). Each sample states the points it
must get per question; ``make demo`` shows them and the tests assert them.
"""
import argparse
import importlib
from dataclasses import dataclass, field
from pathlib import Path

from autograder import assignments, notebooks
from autograder.assignments import DIST, REPO_ROOT


@dataclass(frozen=True)
class Sample:
    id: str
    description: str
    fills: dict | None
    expected: dict = field(default_factory=dict)  # question -> points
    status: str = "graded"


def mistake(name: str, key: str, old: str, new: str) -> dict:
    """Fills for a sample that is the reference with one mistake in cell ``key``."""
    source = assignments.get(name).solution_sources()[key]
    if old not in source:
        raise ValueError(f"{old!r} is not in the reference {key} of {name}")
    return {key: source.replace(old, new)}


def samples_of(assignment) -> list[Sample]:
    return importlib.import_module(f"autograder.{assignment.name}.samples").SAMPLES


def sample_dir(assignment) -> Path:
    return DIST / "sample_class" / assignment.name


def notebook_for(assignment, sample: Sample):
    stub = notebooks.read(assignment.notebook)
    if sample.fills is None:
        return stub
    return notebooks.fill(stub, {**assignment.solution_sources(), **sample.fills})


def write_class(name: str, folder: Path | None = None) -> Path:
    assignment = assignments.get(name)
    folder = folder or sample_dir(assignment)
    folder.mkdir(parents=True, exist_ok=True)
    for sample in samples_of(assignment):
        notebooks.write(notebook_for(assignment, sample), folder / f"{sample.id}.ipynb")
    return folder


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    args = parser.parse_args(argv)
    for name in args.assignments:
        print(f"wrote {write_class(name).relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
