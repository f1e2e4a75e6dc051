"""Measure the reference solution on the hidden grading data; record it in the config.

The measure is test accuracy, or a validation MAE for forecasters (time series, weather).

``python -m autograder.build.calibrate convnets [--real-data DIR] [--write]`` trains
each reference model exactly as the hidden accuracy tests do (same seeds,
budget, one thread) on the synthetic hidden set and, when ``--real-data``
holds the course's ``test_<dataset>.h5`` files, on those. With ``--write`` the
measured accuracies go into ``by_source.<source>.reference`` of
``autograder/assignments/<name>/config.json``, beside the thresholds they justify.
"""
import argparse
import json
import os
import sys
from pathlib import Path

from autograder import assignments
from autograder.build import bundle
from autograder.engine.runner import GRADING_ENV


def measure(name: str, real_data=None, synthetic: bool = True, scored=None) -> dict:
    """{dataset: {source: accuracy}} for the reference solution.

    Synthetic hidden data unless ``synthetic`` is false; real data too when
    ``real_data`` names a folder of course files. ``scored``, a dict, receives
    how many examples each accuracy was measured on ({dataset: {source: n}}),
    which says how far it may move on another machine.
    """
    os.environ.update(GRADING_ENV)  # before TensorFlow is imported
    assignment = assignments.get(name)
    solutions = _import(assignment.solutions_path)
    results = {}
    sources = ([("synthetic", None)] if synthetic else []) + (
        [("real", Path(real_data))] if real_data else [])
    for source, hidden in sources:
        with bundle.staged_bundle(assignment, hidden) as staged:
            tmp = str(staged)
            sys.path.insert(0, tmp)
            try:
                import gradelib
                for dataset, budget in assignment.config["training"].items():
                    builder = getattr(solutions, budget["builder"])
                    by_mae = {"series": gradelib.trained_forecast, "jena": gradelib.trained_weather}
                    if budget.get("data") in by_mae:  # scored by a validation MAE
                        if source != "synthetic":
                            continue
                        value, _, _, report = by_mae[budget["data"]](builder, dataset, staged)
                    else:
                        data = gradelib.hidden_training_data(dataset, staged)
                        if data.source != source:
                            continue  # no real file for this dataset
                        value, _, report = gradelib.trained_accuracy(builder, dataset, staged)
                        if scored is not None:
                            scored.setdefault(dataset, {})[source] = len(data.x_test)
                    print(f"{dataset:<8} {source:<10} {report}")
                    results.setdefault(dataset, {})[source] = round(value, 4)
            finally:
                sys.path.remove(tmp)
                for module in list(sys.modules):  # they came from the folder just deleted
                    if module in ("gradelib", "kit_codec") or module.split(".")[0] == "shared":
                        sys.modules.pop(module)
    return results


def _import(path: Path):
    import importlib.util
    spec = importlib.util.spec_from_file_location("reference_solutions", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(name: str, results: dict):
    path = assignments.get(name).folder / "config.json"
    config = json.loads(path.read_text())
    for dataset, by_source in results.items():
        if "extends" in config["training"][dataset]:
            continue  # recorded where the entry it extends lives
        for source, accuracy in by_source.items():
            config["training"][dataset]["by_source"][source]["reference"] = accuracy
    path.write_text(json.dumps(config, indent=2) + "\n")
    print(f"wrote reference accuracies into {path}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*", default=assignments.available())
    parser.add_argument("--real-data", type=Path)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    for name in args.assignments:
        results = measure(name, args.real_data)
        if args.write:
            write(name, results)


if __name__ == "__main__":
    main()
