"""Release and autograder bundles: what goes in, and what must never go in."""
import base64
import io
import json
import os
import re
import subprocess
import sys
import zipfile

import pytest

from autograder.build import bundle, release, translations, wheel
from autograder.assignments import REPO_ROOT
from tests.leaks import solution_lines


@pytest.fixture(scope="module")
def release_zips(assignment):
    """Both language editions of the assignment's student bundle."""
    return {language: release.build(assignment.name, language) for language in release.LANGUAGES}


@pytest.fixture(scope="module")
def autograder_zip(assignment):
    return bundle.build(assignment.name)


def zip_texts(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name).decode("utf-8", "replace") for name in z.namelist()}


def released_texts(path):
    """Every text a student receives: the bundle's files, the files of the helpers' wheel
    in it, and those of the wheel embedded in the notebook's first cell (base64)."""
    texts = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name)
            texts[name] = data.decode("utf-8", "replace")
            if name.endswith(".whl"):
                texts.update(_wheel_texts(data, f"{name}!"))
            if name.endswith(".ipynb"):
                embedded = re.search(r'_WHEEL = \\"([A-Za-z0-9+/=]+)\\"', texts[name])
                assert embedded, f"{name}: no embedded helpers"
                texts.update(_wheel_texts(base64.b64decode(embedded[1]), f"{name}!_WHEEL!"))
    return texts


def _wheel_texts(data, prefix):
    with zipfile.ZipFile(io.BytesIO(data)) as wheel_zip:
        return {prefix + name: wheel_zip.read(name).decode("utf-8", "replace")
                for name in wheel_zip.namelist()}


def test_release_holds_the_notebook_helpers_and_instructions(release_zips, assignment):
    for language, path in release_zips.items():
        root = f"{assignment.name}-{language}"  # unzipped side by side, zh and en never mix
        assert path.name == f"{root}.zip"
        texts = released_texts(path)
        wheel_name = f"{root}/{wheel.wheel_name()}"
        assert {f"{root}/{assignment.notebook.name}", f"{root}/README.md",
                f"{root}/requirements.txt", wheel_name} <= set(texts)
        helpers = {f"shared/{p.name}" for p in (REPO_ROOT / "shared").glob("*.py")}
        assert {n.split("!")[-1] for n in texts if n.startswith(wheel_name + "!shared/")} == helpers
        embedded = {n.split("!")[-1] for n in texts if "!_WHEEL!shared/" in n}
        assert embedded == helpers
        readme = texts[f"{root}/README.md"]
        data_note = translations.texts_for(assignment, language)[("readme", "data_note")]
        assert data_note in readme and "Colab" in readme and "requirements.txt" in readme
        assert "tensorflow-cpu==2.21.0" in texts[f"{root}/requirements.txt"]


def test_release_holds_no_solution_code(release_zips, assignment):
    for path in release_zips.values():
        texts = released_texts(path)
        for key, line in solution_lines(assignment):
            leaks = [name for name, text in texts.items() if line in text]
            assert not leaks, f"solution line of {key} in {leaks}: {line}"


def test_release_holds_no_hidden_test_text(release_zips, assignment):
    secrets = ["gradelib", "hidden_seed", "grading_config", "kit_codec",
               str(assignment.config["hidden_seed"]) + ",",
               *(p.read_text() for p in assignment.tests_dir.glob("*.py"))]
    for language, path in release_zips.items():
        root = f"{assignment.name}-{language}"
        texts = released_texts(path)
        assert not any(name.split("!")[-1].startswith((f"{root}/tests", f"{root}/autograder",
                                                       "autograder/", "solutions/", "tests/"))
                       for name in texts)
        for secret in secrets:
            assert not any(secret in text for text in texts.values()), secret[:40]
        assert not any(name.endswith(".h5") for name in texts)
        names = {name.split("!")[-1] for name in texts}
        assert all(n.startswith((f"{root}/", "shared/", "dl_course_helpers-")) for n in names), names


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
