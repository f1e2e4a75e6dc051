"""Hidden tests for vectorize_sequences(sequences, dimension=10000)."""
import numpy as np
from otter.test_files import test_case

import gradelib

OK_FORMAT = False
name = "vectorize_sequences"
CASES = ("repeats_and_edges", "small_dimension", "default_dimension")


def dimension_of(args):
    return args[1] if len(args) > 1 else 10000


@test_case(name="vectorize_sequences returns float32 arrays of shape (samples, dimension)",
           points=1)
def shape_and_dtype(vectorize_sequences):
    for case in CASES:
        args = gradelib.probe_case("vectorize_sequences", case)
        got = gradelib.call_case(vectorize_sequences, "vectorize_sequences", case)
        gradelib.assert_array_like(got, (len(args[0]), dimension_of(args)), "float32",
                                   gradelib.describe_call("vectorize_sequences", args))


@test_case(name="vectorize_sequences is an exact multi-hot encoding", points=2)
def multi_hot(vectorize_sequences):
    for case in CASES:
        args = gradelib.probe_case("vectorize_sequences", case)
        got = np.asarray(gradelib.call_case(vectorize_sequences, "vectorize_sequences", case))
        want = gradelib.multi_hot(args[0], dimension_of(args))
        call = gradelib.describe_call("vectorize_sequences", args)
        if got.shape != want.shape:
            gradelib.fail(f"{call} should return shape {want.shape}, found {got.shape}.")
        for row, (got_row, want_row) in enumerate(zip(got, want)):
            if not np.array_equal(got_row, want_row):
                ones = np.flatnonzero(want_row).tolist()
                found = {int(i): float(got_row[i]) for i in np.flatnonzero(got_row)[:10]}
                gradelib.fail(
                    f"{call}: row {row} (sequence {list(args[0][row])}) should hold 1.0 at "
                    f"indices {ones} and 0.0 elsewhere; found nonzero values {found}. Set "
                    f"results[i, sequence] = 1.0 (a repeated word still gives 1.0, an empty "
                    f"sequence a row of zeros).")
