"""``make autograder``: build each assignment's otter autograder zip, offline.

The zip is what Gradescope takes and what ``otter run -a <zip> sub.ipynb``
accepts locally. It holds the hidden tests, the grading config (budgets,
thresholds, hidden seed), ``gradelib.py`` and the ``shared/`` helpers the
notebook imports. Real hidden data is packed only when the instructor passes
``--hidden-data DIR`` holding ``test_<dataset>.h5`` files in the course format.
"""
import argparse
import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import assignments, course
from autograder.assignments import REPO_ROOT, KitError

#: Packages the grading image needs, pinned to the versions in requirements.txt.
PYTHON_VERSION = "3.11"  # what the kit is tested on
GRADING_PACKAGES = ("tensorflow-cpu", "keras", "numpy", "h5py", "matplotlib", "pandas")


def grading_requirements() -> str:
    pins = {}
    for line in (REPO_ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    return "".join(f"{name}=={pins[name]}\n" for name in GRADING_PACKAGES if name in pins)


def stage(assignment, folder: Path, hidden_data: Path | None = None,
          language: str | None = None) -> list[str]:
    """Copy everything the zip holds into ``folder``; return the support file names.

    The grading config's ``language`` (of the hidden tests' feedback) is ``language``,
    else the course file's (``course.toml``; config.json's is only its default)."""
    shutil.copytree(assignment.tests_dir, folder / "tests",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO_ROOT / "shared", folder / "shared",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for module in ("gradelib.py", "kit_codec.py"):
        shutil.copy(REPO_ROOT / "autograder" / "engine" / module, folder / module)
    config = {**assignment.config,
              "language": language or course.student_language(assignment.name)}
    (folder / "grading_config.json").write_text(json.dumps(config, indent=2))
    (folder / "requirements.txt").write_text(grading_requirements())
    support = ["shared", "gradelib.py", "kit_codec.py", "grading_config.json"]
    if hidden_data:
        packed = folder / "hidden_data"
        packed.mkdir()
        for dataset in assignment.config.get("training", {}).values():
            source = hidden_data / dataset.get("hidden_file", "-")
            if source.is_file():
                shutil.copy(source, packed / source.name)
        if any(packed.iterdir()):
            support.append("hidden_data")
    return support


@contextlib.contextmanager
def staged_bundle(assignment, hidden_data: Path | None = None, language: str | None = None):
    """The autograder's contents in a private temporary folder, for the trusted scorer.

    It lives under /tmp, which every sandbox sees as an empty tmpfs.
    """
    folder = Path(tempfile.mkdtemp(prefix="kit-trusted-"))
    try:
        stage(assignment, folder, hidden_data, language)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def build(name: str, hidden_data: Path | None = None) -> Path:
    assignment = assignments.get(name)
    out = assignment.autograder_zip
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        support = stage(assignment, folder, hidden_data)
        target = folder / "autograder.zip"
        command = [sys.executable, "-m", "otter", "generate", "-t", "tests",
                   "-r", "requirements.txt", "--python-version", PYTHON_VERSION,
                   "-o", str(target), *support]
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True)
        if result.returncode != 0 or not target.exists():
            raise KitError(f"otter generate failed for {name}:\n{result.stderr[-2000:]}")
        shutil.move(target, out)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    parser.add_argument("--hidden-data", type=Path,
                        help="folder with real test_<dataset>.h5 files to grade on")
    args = parser.parse_args(argv)
    assignments.build_all(build, args.assignments, hidden_data=args.hidden_data)


if __name__ == "__main__":
    main()
