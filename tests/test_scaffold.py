"""make new-assignment and make check-assignment, in a throwaway copy of the repo.

The copy matters: the registry lists every autograder/assignments/*/config.json, so an
assignment scaffolded here would join every other test. The copy gets a small venv of
its own whose path puts the copy before this checkout (the kit's .venv adds this
checkout to sys.path), so that its sandboxes and scorers import the copy's code.
"""
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from autograder.assignments import REPO_ROOT
from autograder.engine import runner

NAME = "toy_course"


def run(command, cwd, check=True, timeout=900):
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if check and result.returncode != 0:
        raise AssertionError(f"{command} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory):
    """The repo's files (as git lists them, with what is not committed yet) in a temporary
    folder, with a venv of its own that imports the copy first."""
    copy = tmp_path_factory.mktemp("repo") / "kit"
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                 REPO_ROOT, check=False)
    if listed.returncode == 0:
        names = listed.stdout.split("\0")
    else:  # not a git checkout (an exported tree): everything but what the kit generates
        generated = {".venv", ".git", "dist", "runs", "data", "__pycache__"}
        names = [str(p.relative_to(REPO_ROOT)) for p in REPO_ROOT.rglob("*")
                 if not generated & set(p.relative_to(REPO_ROOT).parts)]
    for name in filter(None, names):
        source = REPO_ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    venv = copy / ".venv"
    run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)], copy)
    site = Path(sysconfig.get_path("purelib")).resolve()  # this venv's packages: TensorFlow, ...
    if any(site.is_relative_to(scratch) for scratch in runner.SCRATCH):
        # A checkout in /tmp: sandboxes and scorers see an empty /tmp but the copy, so the
        # copy gets the packages as hard links (no data copied; the same file system).
        linked = copy / ".venv" / "kit-packages"
        shutil.copytree(site, linked, copy_function=os.link, ignore_dangling_symlinks=True)
        site = linked
    inner = next((venv / "lib").glob("python3*/site-packages"))
    (inner / "kit-copy.pth").write_text(f"{copy}\nimport site; site.addsitedir({str(site)!r})\n")
    (venv / ".installed").touch()  # the Makefile's stamp: the venv is complete
    check = run([str(venv / "bin" / "python"), "-c", "import autograder; print(autograder.__file__)"],
                copy)
    assert check.stdout.startswith(str(copy)), check.stdout
    return copy


def make(copy, *arguments, check=True):
    return run(["make", "--no-print-directory", *arguments], copy, check=check)


@pytest.fixture(scope="module")
def scaffolded(repo_copy):
    return make(repo_copy, "new-assignment", f"NAME={NAME}")


def test_the_template_is_no_assignment_here():
    from autograder import assignments
    assert NAME not in assignments.available() and "template_assignment" not in assignments.available()


@pytest.mark.slow
def test_new_assignment_writes_every_piece(repo_copy, scaffolded):
    for path in (f"assignments/{NAME}/{NAME}.ipynb", f"solutions/{NAME}.py", f"shared/{NAME}_spec.py",
                 f"autograder/assignments/{NAME}/config.json", f"autograder/assignments/{NAME}/samples.py",
                 f"autograder/assignments/{NAME}/tests/standardize.py",
                 f"autograder/assignments/{NAME}/tests/classifier.py"):
        assert (repo_copy / path).is_file(), path
        assert "template_assignment" not in (repo_copy / path).read_text(), path
    assert f"| `{NAME}` | 8 |" in (repo_copy / "README.md").read_text()
    assert "Next, in this order" in scaffolded.stdout
    again = make(repo_copy, "new-assignment", f"NAME={NAME}", check=False)
    assert again.returncode != 0 and "already exists" in again.stdout + again.stderr
    bad = make(repo_copy, "new-assignment", "NAME=Bad-Name", check=False)
    assert bad.returncode != 0 and "lowercase letters" in bad.stdout + bad.stderr


@pytest.mark.slow
def test_a_scaffolded_assignment_passes_check_assignment(repo_copy, scaffolded):
    result = make(repo_copy, "check-assignment", f"NAME={NAME}")
    assert result.stdout.strip().endswith(f"{NAME}: every check passed"), result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("mistake, says", [
    (("assignments/{n}/{n}.ipynb", '"check": "standardize"', '"checked": "standardize"'),
     "fill cell 'standardize' (cell 3) has no check cell"),
    (("autograder/assignments/{n}/tests/standardize.py", "points=2", "points=3"),
     "README.md: the table of assignments gives `{n}` 8 points, its tests add up to 9"),
    (("autograder/assignments/{n}/config.json", '"standardize": {\n      "kind"', '"standardise": {\n      "kind"'),
     "autograder/assignments/{n}/config.json: graded function 'standardize' has no probe"),
    (("autograder/assignments/{n}/tests/classifier.py", "def compiled(build_classifier)",
      "def compiled(classifier)"),
     "takes 'classifier', which no probe records"),
    (("autograder/assignments/{n}/config.json", '"reference": ', '"measured": '),
     "has no measured reference beside min_accuracy: run python -m autograder.build.calibrate"),
])
def test_check_assignment_names_the_file_and_what_to_do(repo_copy, scaffolded, mistake, says):
    path, old, new = mistake
    target = repo_copy / path.format(n=NAME)
    original = target.read_text()
    assert old in original, old
    target.write_text(original.replace(old, new, 1))
    try:
        result = make(repo_copy, "check-assignment", f"NAME={NAME}", "STATIC=1", check=False)
    finally:
        target.write_text(original)
    assert result.returncode != 0
    lines = result.stdout.strip().splitlines()
    assert any(says.format(n=NAME) in line for line in lines), result.stdout
