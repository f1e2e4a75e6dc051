"""Release and autograder bundles: what goes in, and what must never go in."""
import json
import os
import subprocess
import sys
import zipfile

import pytest

from autograder.build import bundle, release
from autograder.assignments import REPO_ROOT
from tests.leaks import solution_lines


@pytest.fixture(scope="module")
def release_zip(assignment):
    return release.build(assignment.name)


@pytest.fixture(scope="module")
def autograder_zip(assignment):
    return bundle.build(assignment.name)


def zip_texts(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name).decode("utf-8", "replace") for name in z.namelist()}


def test_release_holds_the_notebook_helpers_and_instructions(release_zip, assignment):
    texts = zip_texts(release_zip)
    root = assignment.name
    assert {f"{root}/{assignment.notebook.name}", f"{root}/README.md", f"{root}/shared/data.py",
            f"{root}/shared/summary.py", f"{root}/shared/checks.py"} <= set(texts)
    assert assignment.config["data_note"] in texts[f"{root}/README.md"]


def test_release_holds_no_solution_code(release_zip, assignment):
    texts = zip_texts(release_zip)
    for key, line in solution_lines(assignment):
        leaks = [name for name, text in texts.items() if line in text]
        assert not leaks, f"solution line of {key} in {leaks}: {line}"


def test_release_holds_no_hidden_test_text(release_zip, assignment):
    texts = zip_texts(release_zip)
    root = assignment.name
    assert not any(name.startswith((f"{root}/tests", f"{root}/autograder")) for name in texts)
    secrets = ["gradelib", "hidden_seed", "grading_config",
               *(p.read_text() for p in assignment.tests_dir.glob("*.py"))]
    for secret in secrets:
        assert not any(secret in text for text in texts.values()), secret[:40]
    assert not any(name.endswith(".h5") for name in texts)


def test_autograder_zip_is_in_otters_format(autograder_zip, assignment):
    texts = zip_texts(autograder_zip)
    tests = {f"tests/{path.name}" for path in assignment.tests_dir.glob("*.py")}
    assert {"run_autograder", "setup.sh", "otter_config.json", "files/gradelib.py",
            "files/kit_codec.py", "files/grading_config.json",
            "files/shared/summary.py", *tests} <= set(texts)
    assert "tensorflow-cpu==2.21.0" in texts["environment.yml"]
    assert "python=3.11" in texts["environment.yml"]


def test_grading_requirements_follow_the_pins():
    pins = (REPO_ROOT / "requirements.txt").read_text()
    pinned = {line.lower().replace("_", "-") for line in pins.splitlines()}
    wanted = bundle.grading_requirements().splitlines()
    assert len(wanted) == len(bundle.GRADING_PACKAGES)
    assert set(wanted) <= pinned


#: Otter runs take half a minute each (stock otter trains every network): the stub once, and a
#: reference of each kind of probe once. A ConvNets reference would add two minutes of training
#: and nothing new; ``make bench`` runs every correct ConvNets sample through stock otter.
OTTER_RUNS = [("convnets", "stub"), ("getting_started", "reference"),
              ("weather_rnn", "reference")]


@pytest.mark.slow
@pytest.mark.parametrize("name, sample_id", OTTER_RUNS)
def test_gradescope_path_otter_run_accepts_the_zip(tmp_path, name, sample_id):
    """The zip for Gradescope, run by otter itself (stock otter: no sandbox there).

    There the hidden tests call the student's functions directly (``gradelib.call_case``)
    instead of reading what the sandbox recorded: the same tests, the same points.
    """
    from autograder import assignments
    from autograder.engine import notebooks
    from autograder.tools import samples
    from autograder.engine.runner import GRADING_ENV

    assignment = assignments.get(name)
    autograder_zip = bundle.build(name)
    sample = next(s for s in samples.samples_of(assignment) if s.id == sample_id)
    submission = notebooks.write(samples.notebook_for(assignment, sample),
                                 tmp_path / "submission.ipynb")
    (tmp_path / "out").mkdir()
    subprocess.run([sys.executable, "-m", "otter", "run", "-a", str(autograder_zip),
                    str(submission), "-o", str(tmp_path / "out")], cwd=tmp_path,
                   env={**os.environ, **GRADING_ENV}, check=True,
                   capture_output=True, timeout=600)
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert sum(t["score"] for t in results["tests"] if "score" in t) == sum(
        sample.expected.values())
