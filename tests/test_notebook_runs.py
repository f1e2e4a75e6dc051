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


def test_reference_notebook_runs_top_to_bottom_with_training(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))  # synthetic fallback
    assignment = assignments.get("convnets")
    nb = execute(samples.notebook_for(assignment, Sample("ref", "", {})), tmp_path)
    checks = [i for i, c in enumerate(nb.cells) if c.metadata.get("kit", {}).get("check")]
    assert len(checks) == 4
    for index in checks:
        assert "All tests passed!" in outputs_of(nb, index), nb.cells[index].source
    everything = "\n".join(outputs_of(nb, i) for i in range(len(nb.cells)))
    assert "using the synthetic stand-in" in everything


def test_stub_notebook_checks_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    assignment = assignments.get("convnets")
    nb = nbformat.read(assignment.notebook, as_version=4)
    nb.cells = [c for c in nb.cells if "otter_ignore" not in c.metadata.get("tags", [])]
    execute(nb, tmp_path, allow_errors=True)
    check = next(i for i, c in enumerate(nb.cells)
                 if c.metadata.get("kit", {}).get("check") == "happyModel")
    assert "NotImplementedError" in outputs_of(nb, check)
