"""The notebook as a student runs it: public checks pass with the reference, explain the stub."""
import os
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
from nbclient import NotebookClient

from autograder import assignments
from autograder.tools import samples
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


#: Test-only cell, inserted after the imports: every cell of a notebook (training and plots
#: included) runs, but on slices of the data, two experiments and at most 2 epochs of 2 steps.
SMALLER = '''
_fit = keras.Model.fit

def _short_fit(self, *args, **options):
    options["epochs"] = min(options.get("epochs", 1), 2)
    for key in ("steps_per_epoch", "validation_steps"):
        if options.get(key):
            options[key] = min(options[key], 2)
    data = args[0] if args else options.get("x")
    if not hasattr(data, "shape") and not options.get("steps_per_epoch"):  # a dataset
        options["steps_per_epoch"] = 2
    return _fit(self, *args, **options)

keras.Model.fit = _short_fit

def _sliced(loader, n_train, n_test):
    def load(**options):
        (x, y), (x_test, y_test) = loader(**options)
        return (x[:n_train], y[:n_train]), (x_test[:n_test], y_test[:n_test])
    return load

if "load_imdb" in globals():
    load_imdb, load_reuters = _sliced(load_imdb, 10500, 1000), _sliced(load_reuters, 2500, 500)
if "VARIANTS" in globals():
    VARIANTS = {name: VARIANTS[name] for name in ("reuters: 1 layer", "imdb: mse loss")}
'''


def reference_notebook(name):
    """The reference solution's notebook, with :data:`SMALLER` after the imports."""
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
