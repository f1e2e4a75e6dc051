"""``make release``: the student bundle ``dist/release/<assignment>.zip``.

It holds the stub notebook, the ``shared/`` helpers it imports and a short
README saying how to get the data. Solutions, hidden tests, the grading
config and hidden data never go in; ``tests/test_release.py`` proves it.
"""
import argparse
import zipfile
from pathlib import Path

from autograder import assignments
from autograder.assignments import REPO_ROOT

README = """# {title}

Open `{notebook}` in Jupyter (from this folder, so that `shared/` can be imported),
fill the cells marked `# YOUR CODE HERE`, run the check cell after each one, and
submit the `.ipynb` file.

Data: {data}

Needs Python 3.11 with tensorflow 2.21 (Keras 3), numpy, pandas, h5py and matplotlib.
"""


def files_for(assignment) -> dict[str, Path]:
    """Archive name -> source file, for everything the student bundle holds."""
    root = assignment.name
    files = {f"{root}/{assignment.notebook.name}": assignment.notebook}
    for path in sorted((REPO_ROOT / "shared").glob("*.py")):
        files[f"{root}/shared/{path.name}"] = path
    return files


def build(name: str) -> Path:
    assignment = assignments.get(name)
    out = assignment.release_zip
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as bundle:
        for arcname, path in files_for(assignment).items():
            bundle.write(path, arcname)
        bundle.writestr(f"{name}/README.md", README.format(
            title=assignment.config["title"], notebook=assignment.notebook.name,
            data=assignment.config["data_note"]))
    tmp.replace(out)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    args = parser.parse_args(argv)
    assignments.build_all(build, args.assignments)


if __name__ == "__main__":
    main()
