"""The student notebook: stubs present, solutions absent, a check after every graded cell."""
import re

import nbformat
import pytest

from autograder.engine import notebooks
from tests.leaks import solution_lines

TRAINING = re.compile(r"\.fit\(|\.evaluate\(|plt\.show\(\)")


@pytest.fixture
def nb(assignment):
    return notebooks.read(assignment.notebook)


def test_every_graded_function_is_a_stub_with_its_exact_signature(nb, assignment):
    fills = notebooks.kit_cells(nb, "fill")
    for function in assignment.config["graded_functions"]:
        source = nb.cells[fills[function]].source
        assert re.search(rf"^def {function}\(", source, re.M), function
        assert notebooks.STUB_MARKER in source and "raise NotImplementedError()" in source


def test_every_filled_cell_is_followed_by_its_check(nb):
    checks = notebooks.kit_cells(nb, "check")
    for key, index in notebooks.kit_cells(nb, "fill").items():
        assert checks.get(key) == index + 1, f"no check cell right after {key}"


def test_no_solution_code_in_the_notebook(nb, assignment):
    text = "\n".join(cell.source for cell in nb.cells)
    for key, line in solution_lines(assignment):
        assert line not in text, f"solution line of {key} in the notebook: {line}"


def test_manual_questions_have_an_answer_cell_between_otters_markers(nb, assignment):
    answers = notebooks.kit_cells(nb, "manual")
    assert sorted(answers) == sorted(assignment.manual_questions)
    for index in answers.values():
        assert nb.cells[index].cell_type == "markdown"
        assert nb.cells[index - 1].source.startswith("<!-- BEGIN QUESTION -->")
        assert nb.cells[index + 1].source == "<!-- END QUESTION -->"


def test_training_and_plot_cells_are_skipped_at_grading(nb):
    for cell in nb.cells:
        if cell.cell_type == "code" and TRAINING.search(cell.source):
            assert "otter_ignore" in cell.metadata.get("tags", []), cell.source[:60]


def test_notebook_is_valid_and_uses_the_standard_kernel(nb):
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"


def test_fill_replaces_only_the_named_cells(nb, assignment):
    key = assignment.config["graded_functions"][0]
    filled = notebooks.fill(nb, {key: f"def {key}():\n    return 1"})
    changed = [i for i, (a, b) in enumerate(zip(nb.cells, filled.cells)) if a.source != b.source]
    assert changed == [notebooks.kit_cells(nb, "fill")[key]]
    with pytest.raises(notebooks.KitError, match="no cell to fill"):
        notebooks.fill(nb, {"nope": ""})
