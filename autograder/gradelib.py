"""Helpers for the hidden tests; packed into every autograder zip.

The hidden tests run inside otter's grading kernel, in the folder where otter
unpacked the autograder's support files (this module, ``shared/`` and
``grading_config.json``). Every helper turns a failure into one sentence a
student can act on.
"""
import json
import os
import time
from pathlib import Path

import numpy as np

from shared.checks import (ComparisonError, architecture_problems, build,
                           compile_problems, parameter_problem)
from shared.data import IMAGE_SETS, ImageData, from_arrays, read_split

HERE = Path(__file__).resolve().parent
CONFIG_FILE = "grading_config.json"
HIDDEN_DATA_DIR = "hidden_data"
TIMINGS_ENV = "KIT_TIMINGS_FILE"  # set by autograder.runner


def config(folder=HERE):
    """The assignment's grading configuration (budgets, thresholds, hidden seed)."""
    return json.loads((Path(folder) / CONFIG_FILE).read_text())


def fail(message):
    """Fail a test case with a readable message (no traceback noise)."""
    raise ComparisonError(message)


def assert_architecture(builder, args, expected_table, name):
    problems = architecture_problems(build(builder, *args, name=name), expected_table)
    if problems:
        fail("\n".join(problems))


def assert_parameters(builder, args, expected, name):
    problem = parameter_problem(build(builder, *args, name=name), expected)
    if problem:
        fail(f"{name}: {problem}")


def assert_compiled(model, expected, variable):
    if model is None:
        fail(f"`{variable}` is not defined: run the cell that builds it, then the compile cell.")
    problems = compile_problems(model, expected, name=variable)
    if problems:
        fail("\n".join(problems))


# --- hidden data -----------------------------------------------------------

def hidden_image_set(dataset, folder=HERE):
    """The data a hidden accuracy test trains and scores on.

    When the instructor packed a real file (``hidden_data/test_<dataset>.h5``,
    the course's format) it is split in two: the first two thirds train, the
    rest score. Otherwise a synthetic set is drawn with the hidden seed, which
    no student has seen.
    """
    cfg = config(folder)
    real = Path(folder) / HIDDEN_DATA_DIR / f"test_{dataset}.h5"
    if real.exists():
        x, y, classes, source = read_split(real, "test")
        cut = (2 * len(x)) // 3
        return ImageData(x[:cut], y[:cut], x[cut:], y[cut:], classes, source)
    n_train, n_test = cfg["training"][dataset]["synthetic_size"]
    arrays = IMAGE_SETS[dataset].make(cfg["hidden_seed"], n_train, n_test)
    return from_arrays(arrays, "synthetic")


def budget_for(dataset, source, folder=HERE):
    """The training budget and threshold for ``dataset`` graded on ``source`` data."""
    settings = dict(config(folder)["training"][dataset])
    return {**settings, **settings.pop("by_source")[source]}


def _labels(y, n_classes, one_hot):
    import keras
    if one_hot:
        return keras.utils.to_categorical(y, n_classes).astype("float32")
    return y.reshape(-1, 1).astype("float32")


def trained_accuracy(builder, dataset, folder=HERE):
    """Train a fresh model from ``builder`` under fixed seeds; return (accuracy, report).

    The budget (epochs, batch size, seed), loss and optimizer come from the
    grading config, never from the student's notebook, so grading time does
    not depend on how long a student trained. Threads are pinned by the
    grader's environment (TF_NUM_INTRAOP_THREADS=1) so results repeat exactly.
    """
    import keras
    import tensorflow as tf

    data = hidden_image_set(dataset, folder)
    budget = budget_for(dataset, data.source, folder)
    name, args = budget["builder"], budget["args"]
    one_hot = budget["labels"] == "one_hot"
    n_classes = len(data.classes)
    x_train, x_test = data.x_train / 255.0, data.x_test / 255.0
    y_train = _labels(data.y_train, n_classes, one_hot)
    y_test = _labels(data.y_test, n_classes, one_hot)

    keras.utils.set_random_seed(budget["seed"])
    tf.config.experimental.enable_op_determinism()
    model = build(builder, *args, name=name)
    try:
        model.compile(optimizer=keras.optimizers.Adam(budget["learning_rate"]),
                      loss=budget["loss"], metrics=["accuracy"])
        started = time.perf_counter()
        model.fit(x_train, y_train, epochs=budget["epochs"], batch_size=budget["batch_size"],
                  shuffle=True, verbose=0)
        seconds = time.perf_counter() - started
        _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    except Exception as exc:
        fail(f"training the model from {name} failed with {type(exc).__name__}: {exc}")
    record_timing(f"train:{dataset}", seconds)
    threshold = budget["min_accuracy"]
    report = (f"trained {budget['epochs']} epochs on {len(x_train)} hidden {data.source} "
              f"images in {seconds:.1f} s: test accuracy {accuracy:.3f}, needs at least "
              f"{threshold:.2f}")
    return float(accuracy), threshold, report


def record_timing(stage, seconds):
    """Append a stage's duration to the file the class grader names, if any (for make bench)."""
    path = os.environ.get(TIMINGS_ENV)
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"stage": stage, "seconds": round(seconds, 3)}) + "\n")


def assert_trains(builder, dataset, folder=HERE):
    """Pass when a fresh model from ``builder`` reaches the config's accuracy threshold."""
    accuracy, threshold, report = trained_accuracy(builder, dataset, folder)
    print(report)
    if not np.isfinite(accuracy) or accuracy < threshold:
        fail(f"{getattr(builder, '__name__', 'the model')}: {report}. "
             f"Compare your layers and activations with the table in the notebook.")
