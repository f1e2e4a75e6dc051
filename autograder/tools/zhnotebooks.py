"""Run the Chinese release notebooks as a student does, and find English in what they show.

Issue 24's done-when: every zh notebook's outputs, stubbed and filled, hold no English
(:func:`autograder.tools.zhcheck.notebook_outputs`). Two runs of each release notebook,
exactly as the bundle hands it out (first cell included, helpers embedded):

- **stubbed**: before the student writes any code, the cells grading runs (training
  cells, tagged ``otter_ignore``, left out, as a student checking their cells does):
  every check fails, and must say so in Chinese;
- **filled**: with the reference solution, every cell, training and plots included, on
  slices of the data and at most 2 epochs of 2 steps (:data:`SMALLER`, a cell inserted
  after the imports), so that each printout, table and plot label is shown once.

Why here and not only in the tests: a filled run costs 1-3 minutes of CPU per
notebook, too much for CI on 2 cores for all five; CI runs the stubbed five and one
filled (tests/test_notebook_runs.py), ``make demo`` the other filled ones
(:func:`main`, ``python -m autograder.tools.zhnotebooks [NAMES]``).
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from autograder import assignments
from autograder.build import release, wheel
from autograder.engine import notebooks
from autograder.tools import zhcheck

#: Inserted after the imports: every cell of a notebook (training and plots included)
#: runs, but on slices of the data, two experiments and at most 2 epochs of 2 steps.
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
STATES = ("stubbed", "filled")
#: The filled notebooks CI runs (tests/test_notebook_runs.py, beside all five stubbed);
#: ``make demo`` runs the other filled ones (wall on 2 busy cores, 2026-12-04: tuning 29-41 s,
#: getting_started 23-34 s, convnets 14-15 s, time_series 29-66 s, weather_rnn 43-69 s).
FILLED_IN_CI = ("tuning",)


def released(name: str, state: str, language: str = "zh", wheel_bytes: bytes | None = None):
    """The release notebook of ``name`` in ``language``, ``stubbed`` or ``filled`` (see the
    module's docstring)."""
    assignment = assignments.get(name)
    wheel_bytes = wheel_bytes or wheel.build(Path(tempfile.mkdtemp()) / "wheel").read_bytes()
    nb = release.student_notebook(assignment, language, wheel_bytes)
    if state == "stubbed":
        nb.cells = [c for c in nb.cells if "otter_ignore" not in c.metadata.get("tags", [])]
        return nb
    code = [i for i, c in enumerate(nb.cells)
            if c.cell_type == "code" and not c.metadata.get("kit", {}).get("setup")]
    nb = notebooks.fill(nb, assignment.solution_sources())
    nb.cells.insert(code[0] + 1, nbformat.v4.new_code_cell(SMALLER))
    return nb


def student_env(folder: Path) -> dict:
    """A student's kernel's environment: no kit variables (the first cell sets the language),
    no course files (the loaders' synthetic stand-ins), Keras' cache in ``folder``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "COURSE_DATA_DIR") and not k.startswith("KIT_")}
    env["KERAS_HOME"] = str(folder / ".keras")
    env["COURSE_DATA_DIR"] = str(folder / "data")
    return env


def run(nb, folder: Path, name: str) -> Path:
    """Execute ``nb`` in ``folder`` (errors kept as outputs: a stub's checks raise) and
    save it there as ``<name>.ipynb``; the saved path."""
    from nbclient import NotebookClient

    folder.mkdir(parents=True, exist_ok=True)
    NotebookClient(nb, timeout=900, allow_errors=True, kernel_name="python3",
                   resources={"metadata": {"path": str(folder)}}).execute(env=student_env(folder))
    path = folder / f"{name}.ipynb"
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


def check(name: str, state: str, folder: Path, wheel_bytes: bytes | None = None):
    """Run one zh notebook and check it: (English runs zhcheck found, seconds of wall)."""
    started = time.perf_counter()
    path = run(released(name, state, "zh", wheel_bytes), folder / f"{name}-{state}", name)
    return zhcheck.notebook_outputs(path), time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=assignments.available())
    parser.add_argument("--states", nargs="*", default=list(STATES), choices=STATES)
    parser.add_argument("--out", type=Path, default=None, help="where the run notebooks go")
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="zh-notebooks-"))
    wheel_bytes = wheel.build(out / "wheel").read_bytes()
    total = 0
    for name in args.names:
        for state in args.states:
            found, seconds = check(name, state, out, wheel_bytes)
            total += len(found)
            print(f"zh notebook {name} {state}: {len(found)} English run(s) ({seconds:.0f} s)"
                  + "".join(f"\n  {f}" for f in found[:20]))
    sys.exit(1 if total else 0)


if __name__ == "__main__":
    main()
