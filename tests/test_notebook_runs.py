"""The notebook as a student runs it: public checks pass with the reference, explain the stub."""
import nbformat
import pytest
from nbclient import NotebookClient

from autograder import assignments, samples
from autograder.samples import Sample

pytestmark = pytest.mark.slow


def execute(nb, tmp_path, allow_errors=False):
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb


def outputs_of(nb, index):
    texts = []
    for output in nb.cells[index].get("outputs", []):
        texts.append(output.get("text", "") + "".join(output.get("traceback", [])))
    return "\n".join(texts)


def test_stub_notebook_checks_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    assignment = assignments.get("convnets")
    nb = nbformat.read(assignment.notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "otter_ignore" not in c.metadata.get("tags", [])]
    execute(nb, tmp_path, allow_errors=True)
    check = next(i for i, c in enumerate(nb.cells)
                 if c.metadata.get("kit", {}).get("check") == "happyModel")
    assert "NotImplementedError" in outputs_of(nb, check)


#: Test-only cell, inserted after the imports: every cell of a notebook (training and plots
#: included) runs, but on slices of the data, two experiments and at most 2 epochs of 5 steps.
SMALLER = '''
_fit = keras.Model.fit

def _short_fit(self, *args, **options):
    options["epochs"] = min(options.get("epochs", 1), 2)
    for key in ("steps_per_epoch", "validation_steps"):
        if options.get(key):
            options[key] = min(options[key], 5)
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


@pytest.mark.parametrize("name", ["convnets", "getting_started", "tuning", "time_series",
                                  "weather_rnn"])
def test_notebooks_run_top_to_bottom_with_the_reference(tmp_path, monkeypatch, name):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))  # synthetic fallback
    assignment = assignments.get(name)
    nb = samples.notebook_for(assignment, Sample("ref", "", {}))
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first_code + 1, nbformat.v4.new_code_cell(SMALLER))
    execute(nb, tmp_path)
    checks = {c.metadata["kit"]["check"]: i for i, c in enumerate(nb.cells)
              if c.metadata.get("kit", {}).get("check")}
    assert set(assignment.config["graded_functions"]) <= set(checks)
    for index in checks.values():
        said, source = outputs_of(nb, index), nb.cells[index].source
        assert "Traceback" not in said, source
        if "compile_problems" in source:  # it prints the problems, or that there are none
            assert "All tests passed!" in said or "Compiled as asked." in said, said
    everything = "\n".join(outputs_of(nb, i) for i in range(len(nb.cells)))
    if name != "time_series":  # the only one with nothing to load
        assert "synthetic" in everything
    if name == "getting_started":
        assert "test accuracy" in everything and "random baseline" in everything
