"""The student notebook: stubs present, solutions absent, a check after every graded cell."""
import json
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


# --- reading a student's notebook, bounded ------------------------------------------

def _stub_json():
    from autograder import assignments
    return json.loads(assignments.get("tuning").notebook.read_text(encoding="utf-8"))


def _write(tmp_path, raw, name="eve.ipynb"):
    path = tmp_path / name
    if isinstance(raw, bytes):
        path.write_bytes(raw)
    else:
        path.write_text(raw if isinstance(raw, str) else json.dumps(raw), encoding="utf-8")
    return path


def _with(tail: str) -> str:
    """The stub notebook's JSON with ``"x": <tail>`` added to its top-level object."""
    return json.dumps(_stub_json())[:-1] + ', "x": ' + tail + "}"


HOSTILE = {  # name -> (file content, what the KitError says)
    "a 5,000-digit integer": (lambda: _with("9" * 5000), "a number of more than 100 digits"),
    "arrays 100,000 deep": (lambda: _with("[" * 100_000 + "]" * 100_000),
                            "nested more than 64 levels deep"),
    "objects 100,000 deep": (lambda: _with('{"a": ' * 100_000 + "1" + "}" * 100_000),
                             "nested more than 64 levels deep"),
    "a million empty objects": (lambda: _with("[" + "{}," * 1_000_000 + "{}]"),
                                "more than 250,000 JSON values"),
    "not UTF-8": (lambda: b'{"cells": [], "x": "\xff\xfe"}', "not UTF-8 text at byte"),
    "half a UTF-16 pair": (lambda: _with('"\\ud800"'), "a \\u escape holding half of a"),
    "truncated": (lambda: json.dumps(_stub_json())[:5000], "invalid JSON at line"),
    "a JSON list": (lambda: "[1, 2, 3]", "JSON but not a Jupyter notebook"),
    "nbformat 99": (lambda: json.dumps({**_stub_json(), "nbformat": 99}),
                    "not a notebook Jupyter reads (nbformat version '99'; Jupyter writes 4)"),
    "nbformat 3 without worksheets": (lambda: json.dumps({**_stub_json(), "nbformat": 3}),
                                      "not a valid notebook (it has no 'worksheets')"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_json_is_refused_before_parsing_with_a_sentence(tmp_path, case):
    make, said = HOSTILE[case]
    with pytest.raises(notebooks.KitError) as caught:
        notebooks.read(_write(tmp_path, make()))
    assert str(caught.value).startswith("eve.ipynb: ") and said in str(caught.value)
    assert "ask the student" not in str(caught.value)


def _cells(nb, cells):
    return {**nb, "cells": cells}


def _code(source, outputs=(), index=0):
    return {"cell_type": "code", "id": f"c{index}", "metadata": {}, "source": source,
            "outputs": list(outputs), "execution_count": None}


def test_cells_sources_and_outputs_are_bounded(tmp_path):
    nb = _stub_json()
    cases = [
        (_cells(nb, [_code("x = 1", index=i) for i in range(notebooks.MAX_CELLS + 1)]),
         "the notebook has 2,001 cells, over the limit of 2,000"),
        (_cells(nb, [_code("x = 1\n" * (notebooks.MAX_SOURCE_CHARS // 6 + 1))]),
         "cell 1 holds 4,194,306 characters, over the limit"),
        (_cells(nb, [_code("print()", [{"output_type": "stream", "name": "stdout",
                                        "text": "y" * notebooks.MAX_OUTPUT_CHARS}])]),
         "an output of cell 1 is over 8 MB; clear the outputs"),
        (_cells(nb, [_code(12345)]), "not a valid notebook .cell 1 source: 12345 is not valid"),
        (_cells(nb, [_code([1, 2])]), "not a valid notebook .sequence item 0: expected str"),
    ]
    for raw, said in cases:
        with pytest.raises(notebooks.KitError, match=said):
            notebooks.read(_write(tmp_path, raw))


def test_a_file_over_the_size_limit_is_not_read(tmp_path):
    path = tmp_path / "eve.ipynb"
    with open(path, "wb") as f:
        f.truncate(notebooks.MAX_NOTEBOOK_BYTES + 1)  # sparse: no 20 MB written
    with pytest.raises(notebooks.KitError, match="over the 20 MB limit for a notebook"):
        notebooks.read(path)
    link = tmp_path / "link.ipynb"
    link.symlink_to(_write(tmp_path, _stub_json(), "honest.ipynb"))
    with pytest.raises(notebooks.KitError, match="link.ipynb: cannot read the file"):
        notebooks.read(link)


def test_malformed_kit_metadata_is_dropped_and_the_rest_is_read(tmp_path):
    """``metadata.kit`` that is not names to strings would crash every reader that looks
    cells up by it (written answers, similarity): the cell is read as one of the student's."""
    nb = _stub_json()
    fills = [i for i, c in enumerate(nb["cells"]) if c["metadata"].get("kit", {}).get("fill")]
    nb["cells"][fills[0]]["metadata"]["kit"] = ["fill"]
    nb["cells"][fills[1]]["metadata"]["kit"] = {"fill": 3}
    read = notebooks.read(_write(tmp_path, nb))
    assert len(notebooks.kit_cells(read, "fill")) == len(fills) - 2
    assert all(isinstance(c.source, str) for c in read.cells)


def test_a_deep_but_honest_notebook_reads(tmp_path):
    """Widget state and JSON outputs nest deeper than cells: up to the bound they read."""
    nb = _stub_json()
    deep = 1
    for _ in range(notebooks.MAX_JSON_DEPTH - 3):
        deep = [deep]
    nb["metadata"]["widgets"] = deep
    assert notebooks.read(_write(tmp_path, nb)).metadata.widgets


def test_a_check_of_a_builders_compile_names_the_builder(nb, assignment):
    """A model a graded builder returns is compiled inside that builder: its check passes
    ``builder=`` so that an uncompiled model is told to compile there, not "in the compile
    cell" the notebook does not have."""
    import ast
    graded = set(assignment.config.get("graded_functions", []))
    for cell in nb.cells:
        if cell.cell_type != "code" or "check_compile(" not in cell.source:
            continue
        for call in ast.walk(ast.parse(cell.source)):
            if isinstance(call, ast.Call) and getattr(call.func, "id", "") == "check_compile":
                keywords = {k.arg: getattr(k.value, "value", None) for k in call.keywords}
                if keywords.get("graded") in graded:
                    assert keywords.get("builder") == keywords["graded"], cell.source


def test_an_uncompiled_model_of_a_builder_is_told_to_compile_inside_it(capsys):
    import keras
    from shared.checks import check_compile
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    check_compile(model, {"optimizer": "rmsprop", "loss": "mse", "metrics": []}, "imdb_model",
                  graded="build_imdb_model", builder="build_imdb_model")
    said = capsys.readouterr().out
    assert "inside build_imdb_model, before `return model`" in said and "compile cell" not in said
