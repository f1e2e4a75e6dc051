"""Hidden tests for to_one_hot(labels, dimension=46)."""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "to_one_hot"
CASES = ("topics", "default_dimension", "small_dimension")


def reference(labels, dimension=46):
    import keras
    return keras.utils.to_categorical(np.asarray(labels), dimension)


@test_case(name="to_one_hot matches keras.utils.to_categorical", points=2)
def values(to_one_hot):
    for case in CASES:
        args = gradelib.probe_case("to_one_hot", case)
        got = np.asarray(gradelib.call_case(to_one_hot, "to_one_hot", case))
        want = gradelib.expected_case(reference, "to_one_hot", case)
        call = gradelib.describe_call("to_one_hot", args)
        if got.shape != want.shape or not np.array_equal(got, want):
            rows = [np.flatnonzero(r).tolist() for r in got] if got.ndim == 2 else got
            gradelib.fail(f"{call} should equal keras.utils.to_categorical(labels, "
                          f"{want.shape[1]}): one row per label with a single 1.0 at the "
                          f"label's index. Found shape {got.shape}, nonzero columns per row "
                          f"{rows}.")


@test_case(name="to_one_hot returns float32 arrays of shape (labels, dimension)", points=1)
def shape_and_dtype(to_one_hot):
    for case in CASES:
        args = gradelib.probe_case("to_one_hot", case)
        got = gradelib.call_case(to_one_hot, "to_one_hot", case)
        dimension = args[1] if len(args) > 1 else 46
        gradelib.assert_array_like(got, (len(args[0]), dimension), "float32",
                                   gradelib.describe_call("to_one_hot", args))
