"""Hidden tests for windowed_dataset(series, window_size, batch_size, shuffle_buffer).

A case that raises or gives batches of the wrong form fails the shape test only; the
label, coverage and shuffling tests grade the other cases and say which they skipped.
"""
from collections import Counter

import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "windowed_dataset"
CASES = ("window_6", "window_3")
SHAPES = "windowed_dataset gives float32 batches of (batch, window) features and (batch,) labels"


def describe(args):
    series, window, batch_size, shuffle_buffer = args
    return (f"windowed_dataset(series of {len(series)} values, window_size={window}, "
            f"batch_size={batch_size}, shuffle_buffer={shuffle_buffer})")


def form(args, batches):
    """None when one epoch is a list of (features (n, window), labels (n,)) batches."""
    window = args[1]
    if not isinstance(batches, list) or not batches:
        return "iterating over the dataset gave no batches: return the batched dataset."
    for number, batch in enumerate(batches):
        if not isinstance(batch, list) or len(batch) != 2:
            return ("each element of the dataset should be a (features, labels) pair: map each "
                    "window to (window[:-1], window[-1]) before batching.")
        x, y = np.asarray(batch[0]), np.asarray(batch[1])
        if x.ndim != 2 or x.shape[1] != window or y.shape != (x.shape[0],):
            return (f"batch {number} has features {x.shape} and labels {y.shape}; expected "
                    f"(batch, {window}) and (batch,).")
    return None


def epochs(windowed_dataset):
    """Each hidden case with one epoch of its batches as [(features, labels), ...] arrays."""
    cases = gradelib.cases_of(windowed_dataset, "windowed_dataset", CASES, form, describe)
    for case in cases:
        if not case.problem:
            case.result = [(np.asarray(x), np.asarray(y)) for x, y in case.result]
    return cases


def starts_of(series, window, features):
    """Where each row of features starts in the series (None if it is not a window of it)."""
    where = {tuple(series[i:i + window]): i for i in range(len(series) - window + 1)}
    return [where.get(tuple(row)) for row in np.asarray(features)]


@test_case(name=SHAPES, points=1)
def shapes(windowed_dataset):
    cases = epochs(windowed_dataset)
    gradelib.assert_well_formed(cases, ("the labels", "the windows", "the shuffling"))
    for case in cases:
        series, window, batch_size, _ = case.args
        for x, y in case.result:
            if x.dtype != np.float32 or y.dtype != np.float32:
                gradelib.fail(f"{case.call}: features and labels should be float32 like the "
                              f"series, found {x.dtype} and {y.dtype}.")
        total = len(series) - window
        expected = [batch_size] * (total // batch_size) + ([total % batch_size] if total % batch_size else [])
        sizes = [len(y) for _, y in case.result]
        if sorted(sizes) != sorted(expected):  # where the short batch falls is the shuffling's concern
            gradelib.fail(f"{case.call} should give batches of {expected}, found {sizes}: "
                          f"windows of window_size + 1 values with shift 1 and "
                          f"drop_remainder=True, then .batch(batch_size) (keep the last, "
                          f"smaller batch).")


@test_case(name="each label is the value right after its window", points=2)
def labels(windowed_dataset):
    for case in gradelib.gradable(epochs(windowed_dataset), SHAPES):
        series, window = case.args[0], case.args[1]
        for x, y in case.result:
            for row, start, label in zip(x, starts_of(series, window, x), y):
                if start is None:
                    gradelib.fail(f"{case.call}: the features {row[:4]}... are not "
                                  f"{window} consecutive values of the series.")
                if label != series[start + window]:
                    hint = (" (the label is the last value of the window: windows should be "
                            "window_size + 1 long)" if label == series[start + window - 1]
                            else "")
                    gradelib.fail(f"{case.call}: the window starting at step {start} should have "
                                  f"label series[{start + window}] = "
                                  f"{series[start + window]:.3f}, found {label:.3f}{hint}.")


@test_case(name="one epoch holds every window of the series exactly once", points=2)
def every_window_once(windowed_dataset):
    for case in gradelib.gradable(epochs(windowed_dataset), SHAPES):
        series, window = case.args[0], case.args[1]
        seen = Counter(tuple(row) for x, _ in case.result for row in x)
        expected = Counter(tuple(series[i:i + window]) for i in range(len(series) - window))
        if seen != expected:
            missing = sum((expected - seen).values())
            extra = sum((seen - expected).values())
            gradelib.fail(f"{case.call}: one epoch should hold each of the "
                          f"{len(series) - window} windows once; {missing} missing, {extra} "
                          f"extra or repeated (shift=1, drop_remainder=True).")


@test_case(name="the windows are shuffled before batching", points=1)
def shuffled(windowed_dataset):
    for case in gradelib.gradable(epochs(windowed_dataset), SHAPES):
        series, window = case.args[0], case.args[1]
        starts = [starts_of(series, window, x) for x, _ in case.result]
        flat = [s for batch in starts for s in batch]
        if flat == sorted(flat, key=lambda s: -1 if s is None else s):
            gradelib.fail(f"{case.call}: the windows come in the series' order: shuffle them "
                          f"(dataset.shuffle(shuffle_buffer)) before batching.")
        runs = [batch for batch in starts if len(batch) > 1]
        if runs and all(None not in batch and np.all(np.diff(batch) == 1) for batch in runs):
            gradelib.fail(f"{case.call}: each batch holds consecutive windows, so only the order "
                          f"of the batches is shuffled: call .shuffle(shuffle_buffer) on the "
                          f"windows, before .batch(batch_size).")
