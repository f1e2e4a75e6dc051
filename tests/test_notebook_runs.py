"""The notebook as a student runs it: public checks pass with the reference, explain the stub."""
import os
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import assignments
from autograder.tools import samples, zhnotebooks
from autograder.tools.zhnotebooks import SMALLER
from autograder.tools.samples import Sample

pytestmark = pytest.mark.slow

NAMES = ["convnets", "getting_started", "tuning", "time_series", "weather_rnn"]


def execute(nb, folder, allow_errors=False):
    """Run ``nb`` in ``folder``; its loaders find no course files there (synthetic fallback)."""
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(folder)}}).execute(
        env={**os.environ, "COURSE_DATA_DIR": str(folder / "data")})
    return nb


def outputs_of(nb, index):
    texts = []
    for output in nb.cells[index].get("outputs", []):
        texts.append(output.get("text", "") + "".join(output.get("traceback", [])))
    return "\n".join(texts)


def reference_notebook(name):
    """The reference solution's notebook, with ``SMALLER`` (autograder/tools/zhnotebooks.py:
    every cell runs, on slices of the data and 2 epochs of 2 steps) after the imports."""
    nb = samples.notebook_for(assignments.get(name), Sample("ref", "", {}))
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code + 1, nbformat.v4.new_code_cell(SMALLER))
    return nb


def stub_notebook():
    """The ConvNets notebook as handed out, training cells left out."""
    nb = nbformat.read(assignments.get("convnets").notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "otter_ignore" not in c.metadata.get("tags", [])]
    return nb


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory):
    """The notebooks this session's tests look at (references, the stub), run two at a time,
    each in a folder of its own: {name: executed notebook, or the exception its run raised}."""
    wanted = {item.callspec.params["name"] if hasattr(item, "callspec") else "stub"
              for item in request.session.items if item.module.__name__ == __name__}
    jobs = {name: (reference_notebook(name), tmp_path_factory.mktemp(name), False)
            for name in NAMES if name in wanted}
    if "stub" in wanted:
        jobs["stub"] = (stub_notebook(), tmp_path_factory.mktemp("stub"), True)

    def run(job):
        try:
            return execute(*job)
        except Exception as error:  # reported by the test of that notebook
            return error
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(jobs, pool.map(run, jobs.values())))


def executed(runs, name):
    if isinstance(runs[name], Exception):
        raise runs[name]
    return runs[name]


def test_stub_notebook_checks_say_what_to_do(runs):
    nb = executed(runs, "stub")
    check = next(i for i, c in enumerate(nb.cells)
                 if c.metadata.get("kit", {}).get("check") == "happyModel")
    assert "NotImplementedError" in outputs_of(nb, check)


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_run_top_to_bottom_with_the_reference(runs, name):
    assignment, nb = assignments.get(name), executed(runs, name)
    checks = {c.metadata["kit"]["check"]: i for i, c in enumerate(nb.cells)
              if c.metadata.get("kit", {}).get("check")}
    assert set(assignment.config["graded_functions"]) <= set(checks)
    for index in checks.values():
        said, source = outputs_of(nb, index), nb.cells[index].source
        assert "Traceback" not in said, source
        if "check_compile" in source:  # it prints the problems, or that there are none
            assert "All tests passed!" in said or "Compiled as asked." in said, said
    everything = "\n".join(outputs_of(nb, i) for i in range(len(nb.cells)))
    if name != "time_series":  # the only one with nothing to load
        assert "synthetic" in everything
    if name == "getting_started":
        assert "test accuracy" in everything and "random baseline" in everything


# --- the Chinese releases, as a zh student runs them (issue 24) -----------------------------

@pytest.fixture(scope="module")
def helpers_wheel(tmp_path_factory):
    from autograder.build import wheel
    return wheel.build(tmp_path_factory.mktemp("wheel")).read_bytes()


@pytest.mark.parametrize("name, state", [(name, "stubbed") for name in NAMES]
                         + [(name, "filled") for name in zhnotebooks.FILLED_IN_CI])
def test_a_zh_release_notebook_shows_no_english(name, state, tmp_path, helpers_wheel):
    """The zh release notebook as handed out, run before any code is written (every check
    fails, in Chinese) or with the reference filled in (every cell, training and plots
    included): zhcheck finds no English in anything it shows. The filled notebooks not run
    here run in ``make demo`` (zhnotebooks.FILLED_IN_CI)."""
    found, _ = zhnotebooks.check(name, state, tmp_path, helpers_wheel)
    assert found == [], "\n".join(map(str, found))
    run = tmp_path / f"{name}-{state}" / f"{name}.ipynb"
    shown = run.read_text(encoding="utf-8")
    assert "课程辅助代码所在的文件夹" in shown  # the first cell ran, in the bundle's language
    if state == "stubbed":  # each check cell ran and failed in Chinese
        assert "NotImplementedError" in shown and "请" in shown
