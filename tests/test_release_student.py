"""The released notebooks run as a student runs them: from the bundle, and from the ``.ipynb`` alone.

Each run happens in an empty folder outside the repo, in a Python environment in which
the kit is provably not importable: a virtual environment of its own whose only
library folder is the kit's ``.venv`` site-packages, added by a ``.pth`` line, so that
the ``.pth`` files in there (``coursekit.pth`` puts the repo on ``sys.path``) are never
read. The notebook is filled with the reference solution, and every cell that grading
runs is executed by nbclient; every check cell must print its success line, and the
helpers must come from the notebook's first cell (unpacked from the wheel embedded in
it), not from the repo.

The bundles run in Chinese, the lone notebooks in English, so both languages run; every
check cell must also say what the grader examines beyond it. (That the sample class's
edge-case submission passes every public check is tests/test_sample_class.py's.)
``KIT_STUDENT_PYTHON=<python>`` runs the same with another interpreter that has the
bundle's requirements installed (how Python 3.12 was tested: see docs/students.md).
"""
import json
import os
import subprocess
import sys
import sysconfig
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

from autograder import assignments, grade
from autograder.assignments import REPO_ROOT
from autograder.build import release
from autograder.engine import notebooks
from autograder.tools import samples
from shared import i18n

pytestmark = pytest.mark.slow

NAMES = ["getting_started", "tuning", "convnets", "time_series", "weather_rnn"]
SUCCESS = {"en": ("All tests passed!", "Compiled as asked."), "zh": ("全部测试通过！", "已按要求编译。")}

#: Test-only last cell: where the helpers came from, and whether the kit can be imported.
PROBE = '''
import importlib, json, shared
_found = {"shared": shared.__file__}
for _name in ("autograder", "solutions", "gradelib"):
    try:
        importlib.import_module(_name)
        _found[_name] = "importable"
    except ImportError:
        _found[_name] = "not importable"
print("KIT-PROBE " + json.dumps(_found))
'''


@pytest.fixture(scope="module")
def student_python(tmp_path_factory):
    """A Python that sees the kit's libraries but not the kit itself."""
    given = os.environ.get("KIT_STUDENT_PYTHON")
    if given:
        return Path(given)
    home = tmp_path_factory.mktemp("student-env")
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(home / "venv")],
                   check=True)
    python = home / "venv" / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "kit-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def clean_env(folder):
    """The environment of a student's kernel: no PYTHONPATH, no kit variables, no data folder."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "COURSE_DATA_DIR", "KIT_LANG") and not k.startswith("KIT_")}
    env["KERAS_HOME"] = str(folder / ".keras")  # no course files from this machine's cache
    env["TMPDIR"] = str(folder / ".tmp")  # where the first cell unpacks the helpers
    (folder / ".tmp").mkdir(exist_ok=True)
    return env


def kernel_for(python, folder):
    """A kernel manager that starts ``python`` with ipykernel (a kernelspec of its own)."""
    spec = folder / ".kernels" / "student"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "student", "language": "python"}))
    return KernelManager(kernel_name="student",
                         kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(spec.parent)]))


def graded_cells_filled(path, fills):
    """The released notebook with ``fills`` in its fill cells, minus the cells grading skips."""
    nb = notebooks.fill(nbformat.read(path, as_version=4), fills)
    nb.cells = [c for c in nb.cells if "otter_ignore" not in c.metadata.get("tags", [])]
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    return nb


def run_as_student(python, name, folder, mode):
    """Unpack the bundle (or, ``mode="ipynb-alone"``, only its notebook) into the empty
    ``folder``, fill it with the reference solution, run it.

    Returns (executed notebook, language, seconds from the empty folder to the first
    check cell's success)."""
    alone = mode == "ipynb-alone"
    language = "en" if alone else "zh"
    started = time.time()
    with zipfile.ZipFile(release.build(name, language)) as bundle:
        if alone:
            member = f"{name}-{language}/{name}.ipynb"
            (folder / f"{name}.ipynb").write_bytes(bundle.read(member))
            workdir = folder
        else:
            bundle.extractall(folder)
            workdir = folder / f"{name}-{language}"  # the zh and en bundles never share a folder
    assert REPO_ROOT not in workdir.resolve().parents
    nb = graded_cells_filled(workdir / f"{name}.ipynb", assignments.get(name).solution_sources())
    km = kernel_for(python, folder)
    try:
        NotebookClient(nb, timeout=600, km=km, resources={"metadata": {"path": str(workdir)}}
                       ).execute(env=clean_env(folder))
    finally:  # nbclient leaves a kernel it did not create running
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    first = next(c for c in nb.cells if c.metadata.get("kit", {}).get("check"))
    done = first.metadata.get("execution", {}).get("shell.execute_reply")
    seconds = None
    if done:
        from datetime import datetime
        seconds = datetime.fromisoformat(done.replace("Z", "+00:00")).timestamp() - started
    return nb, language, seconds


def output_text(cell):
    return "\n".join(o.get("text", "") + "".join(o.get("traceback", []))
                     for o in cell.get("outputs", []))


@pytest.fixture(scope="module")
def runs(request, student_python, tmp_path_factory):
    """The runs this session's tests look at, two at a time: {(name, mode): result, or the
    exception raised}. Bundles run in Chinese, lone notebooks in English."""
    jobs = [(item.callspec.params["name"], item.callspec.params["mode"])
            for item in request.session.items
            if item.module.__name__ == __name__ and hasattr(item, "callspec")]

    def run(job):
        name, mode = job
        folder = tmp_path_factory.mktemp(f"{name}-{mode}")
        try:
            return run_as_student(student_python, name, folder, mode)
        except Exception as error:  # reported by the test of that run
            return error
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(jobs, pool.map(run, jobs)))


def executed(runs, name, mode):
    if isinstance(runs[(name, mode)], Exception):
        raise runs[(name, mode)]
    return runs[(name, mode)]


def check_outputs(nb, language):
    """{graded name: what its check cell printed}, each asserted to end in its success line."""
    said = {c.metadata["kit"]["check"]: output_text(c) for c in nb.cells
            if c.metadata.get("kit", {}).get("check")}
    for key, text in said.items():
        assert "Traceback" not in text, (key, text)
        assert any(line in text for line in SUCCESS[language]), (key, text)
    return said


def test_the_student_environment_cannot_import_the_kit(student_python, tmp_path):
    said = subprocess.run(
        [str(student_python), "-c",
         "import importlib.util as u, json, sys; print([n for n in ('autograder', 'solutions', "
         "'shared', 'tests') if u.find_spec(n)]); print(json.dumps(sys.path))"],
        cwd=tmp_path, env=clean_env(tmp_path), capture_output=True, text=True, check=True).stdout
    found, path = said.splitlines()
    assert found == "[]", said
    assert str(REPO_ROOT) not in json.loads(path)  # the .venv's site-packages is, the repo not


@pytest.mark.parametrize("mode", ["bundle", "ipynb-alone"])
@pytest.mark.parametrize("name", NAMES)
def test_released_notebook_runs_with_the_reference(runs, name, mode):
    nb, language, seconds = executed(runs, name, mode)
    print(f"{name} ({mode}, {language}): first check passed {seconds:.1f} s after the "
          f"empty folder")
    said = check_outputs(nb, language)
    assert set(assignments.get(name).config["graded_functions"]) <= set(said)
    beyond = i18n.MESSAGES["graded_beyond"][language].split("{")[0]
    for key, text in said.items():  # each check also says what else the grader examines
        assert beyond in text, (key, text)
    setup = output_text(nb.cells[next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")])
    assert i18n.MESSAGES["helpers_at"][language] in setup and "dl-course-helpers-" in setup, setup
    probe = json.loads(output_text(nb.cells[-1]).split("KIT-PROBE ", 1)[1].splitlines()[0])
    assert "dl-course-helpers-" in probe["shared"] and str(REPO_ROOT) not in probe["shared"]
    assert probe["autograder"] == probe["solutions"] == probe["gradelib"] == "not importable"


def test_released_notebooks_grade_as_the_kits_own(tmp_path):
    """Students submit the released notebook, first cell included: the grader gives it the
    points and flags it gives the kit's own notebook (the first cell finds the grader's
    helpers, unpacks nothing and touches nothing)."""
    name = "tuning"
    assignment = assignments.get(name)
    # Tuning trains one small network, once: the three correct notebooks build the same one.
    folder = tmp_path / "submissions"
    reference = next(s for s in samples.samples_of(assignment) if s.id == "reference")
    notebooks.write(samples.notebook_for(assignment, reference), folder / "kit_reference.ipynb")
    for language in release.LANGUAGES:
        with zipfile.ZipFile(release.build(name, language)) as bundle:
            stub = nbformat.reads(bundle.read(f"{name}-{language}/{name}.ipynb").decode(),
                                  as_version=4)
        notebooks.write(notebooks.fill(stub, assignment.solution_sources()),
                        folder / f"released_{language}.ipynb")
        notebooks.write(stub, folder / f"stub_{language}.ipynb")
    rows = grade.grade_class(name, folder, tmp_path / "run", jobs=2, timeout=60, memory_gb=8,
                             progress=False).rows
    kit = rows["kit_reference"]
    assert kit["status"] == "graded" and float(kit["total"]) > 0, kit
    for language in release.LANGUAGES:
        released, stub = rows[f"released_{language}"], rows[f"stub_{language}"]
        assert (released["status"], released["total"], released["flags"]) == (
            kit["status"], kit["total"], kit["flags"]), released
        assert stub["status"] == "graded" and float(stub["total"]) == 0, stub
