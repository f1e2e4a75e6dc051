"""Hidden tests for windowed_dataset(series, window_size, batch_size, shuffle_buffer)."""
from collections import Counter

import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "windowed_dataset"
CASES = ("window_6", "window_3")


def one_epoch(windowed_dataset, case):
    """(series, window, batch_size, [(features, labels), ...]) for one hidden case."""
    series, window, batch_size, _ = gradelib.probe_case("windowed_dataset", case)
    batches = gradelib.call_case(windowed_dataset, "windowed_dataset", case)
    if not isinstance(batches, list) or not batches:
        gradelib.fail("iterating over the dataset gave no batches: return the batched dataset.")
    for batch in batches:
        if not isinstance(batch, list) or len(batch) != 2:
            gradelib.fail("each element of the dataset should be a (features, labels) pair: "
                          "map each window to (window[:-1], window[-1]) before batching.")
    return series, window, batch_size, batches


def starts_of(series, window, features):
    """Where each row of features starts in the series (None if it is not a window of it)."""
    where = {tuple(series[i:i + window]): i for i in range(len(series) - window + 1)}
    return [where.get(tuple(row)) for row in np.asarray(features)]


@test_case(name="windowed_dataset gives float32 batches of (batch, window) features and "
                "(batch,) labels", points=1)
def shapes(windowed_dataset):
    for case in CASES:
        series, window, batch_size, batches = one_epoch(windowed_dataset, case)
        total = len(series) - window
        expected = [batch_size] * (total // batch_size) + ([total % batch_size] if total % batch_size else [])
        for number, (x, y) in enumerate(batches):
            x, y = np.asarray(x), np.asarray(y)
            if x.ndim != 2 or x.shape[1] != window or y.shape != (x.shape[0],):
                gradelib.fail(f"window_size={window}: batch {number} has features {x.shape} and "
                              f"labels {y.shape}; expected (batch, {window}) and (batch,).")
            if x.dtype != np.float32 or y.dtype != np.float32:
                gradelib.fail(f"features and labels should be float32 like the series, found "
                              f"{x.dtype} and {y.dtype}.")
        sizes = [len(np.asarray(y)) for _, y in batches]
        if sizes != expected:
            gradelib.fail(f"a series of {len(series)} values with window_size={window} and "
                          f"batch_size={batch_size} should give batches of {expected}, found "
                          f"{sizes}: windows of window_size + 1 values with shift 1 and "
                          f"drop_remainder=True, then .batch(batch_size) (keep the last, "
                          f"smaller batch).")


@test_case(name="each label is the value right after its window", points=2)
def labels(windowed_dataset):
    for case in CASES:
        series, window, _, batches = one_epoch(windowed_dataset, case)
        for x, y in batches:
            for row, start, label in zip(np.asarray(x), starts_of(series, window, x), np.asarray(y)):
                if start is None:
                    gradelib.fail(f"window_size={window}: the features {row[:4]}... are not "
                                  f"{window} consecutive values of the series.")
                if label != series[start + window]:
                    hint = (" (the label is the last value of the window: windows should be "
                            "window_size + 1 long)" if label == series[start + window - 1]
                            else "")
                    gradelib.fail(f"window_size={window}: the window starting at step {start} "
                                  f"should have label series[{start + window}] = "
                                  f"{series[start + window]:.3f}, found {label:.3f}{hint}.")


@test_case(name="one epoch holds every window of the series exactly once", points=2)
def every_window_once(windowed_dataset):
    for case in CASES:
        series, window, _, batches = one_epoch(windowed_dataset, case)
        seen = Counter(tuple(row) for x, _ in batches for row in np.asarray(x))
        expected = Counter(tuple(series[i:i + window]) for i in range(len(series) - window))
        if seen != expected:
            missing = sum((expected - seen).values())
            extra = sum((seen - expected).values())
            gradelib.fail(f"window_size={window}: one epoch should hold each of the "
                          f"{len(series) - window} windows once; {missing} missing, {extra} "
                          f"extra or repeated (shift=1, drop_remainder=True).")


@test_case(name="the windows are shuffled", points=1)
def shuffled(windowed_dataset):
    for case in CASES:
        series, window, _, batches = one_epoch(windowed_dataset, case)
        starts = [s for x, _ in batches for s in starts_of(series, window, x)]
        if starts == sorted(starts):
            gradelib.fail("the windows come in the series' order: shuffle them "
                          "(dataset.shuffle(shuffle_buffer)) before batching.")
